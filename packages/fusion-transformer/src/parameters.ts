import * as tf from '@tensorflow/tfjs-core';

/**
 * The model's own weights, keyed by the official PyTorch state-dict names (`text_proj.weight`,
 * `vl_transformer.encoder.layers.0.self_attn.in_proj_weight`, ...) so that checkpoints map one to one.
 * Linear weights keep PyTorch's `[out, in]` layout.
 */
export class ParameterStore {
  private readonly byName = new Map<string, tf.Variable>();

  /** Register `values` as a variable under `name` (the caller may dispose `values` afterwards). */
  add(name: string, values: tf.Tensor, trainable = true): tf.Variable {
    if (this.byName.has(name)) throw new Error(`parameter ${name} is defined twice`);
    const variable = tf.variable(values.dtype === 'float32' ? values : tf.cast(values, 'float32'), trainable);
    this.byName.set(name, variable);
    return variable;
  }

  get(name: string): tf.Variable {
    const variable = this.byName.get(name);
    if (!variable) throw new Error(`unknown parameter ${name}`);
    return variable;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  variables(): tf.Variable[] {
    return [...this.byName.values()];
  }

  /** Overwrite `name` with `values`, checking the shape. */
  assign(name: string, values: tf.Tensor, source = 'checkpoint'): void {
    const variable = this.get(name);
    if (!tf.util.arraysEqual(variable.shape, values.shape)) {
      throw new Error(`${source}: ${name} has shape [${values.shape}], expected [${variable.shape}]`);
    }
    variable.assign(values.dtype === 'float32' ? values : tf.cast(values, 'float32'));
  }

  dispose(): void {
    for (const variable of this.byName.values()) variable.dispose();
    this.byName.clear();
  }
}
