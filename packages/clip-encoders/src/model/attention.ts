/**
 * Multi-head self-attention with PyTorch `nn.MultiheadAttention`'s packed weights (`in_proj_weight` holds
 * q, k and v stacked). All heads run in one batched matMul, which is what keeps wasm fast.
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './layers';
import type { ParameterStore } from './params';

/** [B, N, W] → [B, H, N, W/H] */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [batch, tokens, width] = x.shape;
  return tf.transpose(tf.reshape(x, [batch, tokens, heads, width / heads]), [0, 2, 1, 3]);
}

/**
 * Self-attention of `${prefix}.attn` on x [B, N, W]. `additiveMask` [N, N] is added to the scores
 * (0 = attend, a large negative number = do not), as PyTorch's float `attn_mask` is.
 */
export function selfAttention(x: tf.Tensor3D, params: ParameterStore, prefix: string, heads: number, additiveMask?: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, tokens, width] = x.shape;
    const headDim = width / heads;
    const [q, k, v] = [0, 1, 2].map((part) => {
      // Row block `part` of the packed [3W, W] weight, as [W, W] ready for matMul (cached while frozen).
      const packed = `${prefix}.in_proj_weight`;
      const weight = params.derived(`${packed}#${part}T`, packed, (w) => tf.transpose(tf.slice(w, [part * width, 0], [width, width])));
      const bias = tf.slice(params.get(`${prefix}.in_proj_bias`), [part * width], [width]);
      return splitHeads(linear(x, weight, bias), heads); // [B, H, N, d]
    });

    // PyTorch scales q before the product; doing the same keeps rounding close to the reference.
    const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(headDim)), k, false, true); // [B, H, N, N]
    const masked = additiveMask ? tf.add(scores, additiveMask) : scores;
    const context = tf.matMul(tf.softmax(masked), v); // [B, H, N, d]

    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, tokens, width]); // [B, N, W]
    return linear(merged, params.linearWeight(`${prefix}.out_proj.weight`), params.get(`${prefix}.out_proj.bias`)) as tf.Tensor3D;
  });
}
