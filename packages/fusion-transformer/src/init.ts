import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from './random';

/** How a fresh parameter is drawn, mirroring the PyTorch initialisers the original relies on. */
export type Init =
  | { kind: 'xavier' } // xavier_uniform_ on an [out, in] matrix
  | { kind: 'uniform'; bound: number } // U(±bound): nn.Linear's defaults
  | { kind: 'normal' } // N(0, 1): nn.Embedding's default
  | { kind: 'zeros' }
  | { kind: 'ones' };

/** One parameter: its state-dict name, shape and initialiser. Layouts are lists of these. */
export interface ParameterSpec {
  name: string;
  shape: number[];
  init: Init;
}

/**
 * The specs of a `torch.nn.Linear(inFeatures, outFeatures)` under `prefix`. PyTorch's default weight init
 * (kaiming-uniform, a = √5) is U(±1/√in), the bias the same; `xavier` replaces the weight init only.
 */
export function linearSpecs(prefix: string, inFeatures: number, outFeatures: number, xavier = false): ParameterSpec[] {
  const bound = 1 / Math.sqrt(inFeatures);
  return [
    { name: `${prefix}.weight`, shape: [outFeatures, inFeatures], init: xavier ? { kind: 'xavier' } : { kind: 'uniform', bound } },
    { name: `${prefix}.bias`, shape: [outFeatures], init: { kind: 'uniform', bound } },
  ];
}

export function layerNormSpecs(prefix: string, width: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [width], init: { kind: 'ones' } },
    { name: `${prefix}.bias`, shape: [width], init: { kind: 'zeros' } },
  ];
}

export function specSize(spec: ParameterSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}

/** Draw a fresh tensor for `spec` from `rng`. */
export function initialise(spec: ParameterSpec, rng: SeededRandom): tf.Tensor {
  const size = specSize(spec);
  const { init, shape } = spec;
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'normal':
      return tf.tensor(rng.normal(size), shape);
    case 'uniform':
      return tf.tensor(rng.uniform(size, init.bound), shape);
    case 'xavier': {
      const [fanOut, fanIn] = shape;
      return tf.tensor(rng.uniform(size, Math.sqrt(6 / (fanIn + fanOut))), shape);
    }
  }
}
