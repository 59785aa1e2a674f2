/**
 * The small building blocks shared by both towers: LayerNorm, Linear and QuickGELU.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from './params';

/** CLIP's LayerNorm epsilon. */
export const LAYER_NORM_EPS = 1e-5;

/** LayerNorm over the last axis, with `${prefix}.weight` and `${prefix}.bias`. */
export function layerNorm<T extends tf.Tensor>(x: T, params: ParameterStore, prefix: string): T {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPS)));
    return tf.add(tf.mul(normed, params.get(`${prefix}.weight`)), params.get(`${prefix}.bias`)) as T;
  });
}

/**
 * `x @ weight + bias` for x of any rank, with `weight` already [in, out] (see `ParameterStore.linearWeight`).
 * Flattening to 2-D keeps every backend on its plain GEMM path.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [inFeatures, outFeatures] = weight.shape as [number, number];
    const projected = tf.matMul(tf.reshape(x, [-1, inFeatures]), weight);
    const withBias = bias ? tf.add(projected, bias) : projected;
    return tf.reshape(withBias, [...x.shape.slice(0, -1), outFeatures]);
  });
}

/** OpenAI's GELU approximation, `x * sigmoid(1.702 x)`. */
export function quickGelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}
