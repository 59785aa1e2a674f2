/**
 * CLIP's `ResidualAttentionBlock` (pre-LN): `x += attn(ln_1(x)); x += mlp(ln_2(x))`, with a QuickGELU MLP.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selfAttention } from './attention';
import { layerNorm, linear, quickGelu } from './layers';
import type { ParameterStore } from './params';

function mlp(x: tf.Tensor3D, params: ParameterStore, prefix: string): tf.Tensor3D {
  return tf.tidy(() => {
    const hidden = linear(x, params.linearWeight(`${prefix}.c_fc.weight`), params.get(`${prefix}.c_fc.bias`)); // [B, N, 4W]
    const output = linear(quickGelu(hidden), params.linearWeight(`${prefix}.c_proj.weight`), params.get(`${prefix}.c_proj.bias`));
    return output as tf.Tensor3D;
  });
}

/** One block `${prefix}` (e.g. `visual.transformer.resblocks.3`) on x [B, N, W]. */
export function residualBlock(x: tf.Tensor3D, params: ParameterStore, prefix: string, heads: number, additiveMask?: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const attention = selfAttention(layerNorm(x, params, `${prefix}.ln_1`), params, `${prefix}.attn`, heads, additiveMask);
    const attended = tf.add(x, attention) as tf.Tensor3D;
    return tf.add(attended, mlp(layerNorm(attended, params, `${prefix}.ln_2`), params, `${prefix}.mlp`)) as tf.Tensor3D;
  });
}
