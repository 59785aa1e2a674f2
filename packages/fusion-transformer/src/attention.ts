import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from '@clip-vg/clip-encoders';
import { dropout, timesTransposed } from './layers';

/** Added to the attention logits of padded keys; large enough that softmax gives them exactly 0. */
const MASKED_LOGIT = -1e9;

export interface AttentionOptions {
  heads: number;
  /** `[B, S]` bool, true = the key is padding and gets no attention. */
  keyPaddingMask: tf.Tensor2D;
  /** Dropout on the attention weights (training only). */
  dropout: number;
  training: boolean;
}

/**
 * `torch.nn.MultiheadAttention` (batch-first here) with packed `prefix.in_proj_weight [3D, D]`,
 * `prefix.in_proj_bias [3D]` and `prefix.out_proj`. Queries, keys and values are given separately
 * because DETR-style layers add the position table to queries and keys only.
 */
export function multiHeadAttention(
  query: tf.Tensor3D, // [B, S, D]
  key: tf.Tensor3D, // [B, S, D]
  value: tf.Tensor3D, // [B, S, D]
  params: ParameterStore,
  prefix: string,
  options: AttentionOptions,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length, width] = query.shape;
    const { heads } = options;
    const headDim = width / heads;
    const [wq, wk, wv] = tf.split(params.get(`${prefix}.in_proj_weight`), 3, 0) as tf.Tensor2D[];
    const [bq, bk, bv] = tf.split(params.get(`${prefix}.in_proj_bias`), 3, 0);

    const project = (x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor): tf.Tensor4D => {
      const flat = tf.add(timesTransposed(tf.reshape(x, [-1, width]) as tf.Tensor2D, w), b);
      return tf.transpose(tf.reshape(flat, [batch, length, heads, headDim]), [0, 2, 1, 3]); // [B, h, S, hd]
    };
    // PyTorch scales the projected queries (bias included) before the product.
    const q = tf.mul(project(query, wq, bq), 1 / Math.sqrt(headDim));
    const k = project(key, wk, bk);
    const v = project(value, wv, bv);

    const padding = tf.reshape(options.keyPaddingMask, [batch, 1, 1, length]);
    const logits = tf.add(tf.matMul(q, k, false, true), tf.mul(tf.cast(padding, 'float32'), MASKED_LOGIT)); // [B, h, S, S]
    const weights = dropout(tf.softmax(logits, -1), options.dropout, options.training);

    const context = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [batch, length, width]); // [B, S, D]
    const out = tf.add(
      timesTransposed(tf.reshape(context, [-1, width]) as tf.Tensor2D, params.get(`${prefix}.out_proj.weight`) as tf.Tensor2D),
      params.get(`${prefix}.out_proj.bias`),
    );
    return tf.reshape(out, [batch, length, width]) as tf.Tensor3D;
  });
}
