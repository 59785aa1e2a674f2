import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from '@clip-vg/clip-encoders';

/** `x [..., in] · weightᵀ + bias` with PyTorch's `prefix.weight [out, in]` and `prefix.bias [out]`. */
export function linear<T extends tf.Tensor>(x: T, params: ParameterStore, prefix: string): T {
  return tf.tidy(() => {
    const weight = params.get(`${prefix}.weight`);
    const inFeatures = x.shape[x.rank - 1];
    const flat = tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D;
    const out = tf.add(timesTransposed(flat, weight as tf.Tensor2D), params.get(`${prefix}.bias`));
    return tf.reshape(out, [...x.shape.slice(0, -1), weight.shape[0]]) as T;
  });
}

/**
 * `x · wᵀ`. On wasm, `matMul(x, w, false, true)` leaves XNNPACK for a scalar loop about 10× slower, and
 * transposing the weight first costs far less (the gradient does the same, see @clip-vg/training).
 */
export function timesTransposed(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.getBackend() === 'wasm' ? tf.matMul(x, tf.transpose(w)) : tf.matMul(x, w, false, true);
}

/** LayerNorm over the last axis with `prefix.weight` / `prefix.bias` (PyTorch default eps 1e-5). */
export function layerNorm<T extends tf.Tensor>(x: T, params: ParameterStore, prefix: string, eps = 1e-5): T {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normalised, params.get(`${prefix}.weight`)), params.get(`${prefix}.bias`)) as T;
  });
}

/** Dropout only while training (rate 0 or inference: identity). */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean): T {
  return training && rate > 0 ? (tf.dropout(x, rate) as T) : x;
}
