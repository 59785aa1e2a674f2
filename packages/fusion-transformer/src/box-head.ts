import * as tf from '@tensorflow/tfjs-core';
import { linearSpecs, type ParameterSpec } from './init';
import { linear } from './layers';
import type { ParameterStore } from '@clip-vg/clip-encoders';

export const BOX_HEAD_PREFIX = 'bbox_embed.layers';
const BOX_HEAD_LAYERS = 3;

/** `bbox_embed = MLP(D, D, 4, 3)`: Linear-ReLU-Linear-ReLU-Linear, then sigmoid → normalised cxcywh. */
export function boxHead(reg: tf.Tensor2D, params: ParameterStore): tf.Tensor2D {
  return tf.tidy(() => {
    let x = reg; // [B, D]
    for (let layer = 0; layer < BOX_HEAD_LAYERS; layer += 1) {
      x = linear(x, params, `${BOX_HEAD_PREFIX}.${layer}`);
      if (layer < BOX_HEAD_LAYERS - 1) x = tf.relu(x);
    }
    return tf.sigmoid(x); // [B, 4]
  });
}

export function boxHeadLayout(width: number): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  for (let layer = 0; layer < BOX_HEAD_LAYERS; layer += 1) {
    specs.push(...linearSpecs(`${BOX_HEAD_PREFIX}.${layer}`, width, layer === BOX_HEAD_LAYERS - 1 ? 4 : width));
  }
  return specs;
}
