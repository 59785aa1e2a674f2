import * as tf from '@tensorflow/tfjs-core';
import { multiHeadAttention } from './attention';
import { layerNormSpecs, linearSpecs, type ParameterSpec } from './init';
import { dropout, layerNorm, linear } from './layers';
import type { ParameterStore } from '@clip-vg/clip-encoders';

/** Shape of the vision-language encoder (`VisionLanguageEncoder` in `models/vl_transformer.py`). */
export interface VlTransformerShape {
  width: number;
  heads: number;
  layers: number;
  ffnDim: number;
  dropout: number;
}

export const VL_TRANSFORMER_PREFIX = 'vl_transformer.encoder.layers';

/**
 * One DETR-style post-norm encoder layer; the position table goes into queries and keys, not values:
 * ```
 * a   = MHA(q = k = src + pos, v = src)
 * src = LN1(src + Dropout(a))
 * src = LN2(src + Dropout(Linear2(Dropout(ReLU(Linear1(src))))))
 * ```
 */
export function fusionEncoderLayer(
  src: tf.Tensor3D, // [B, S, D]
  pos: tf.Tensor3D, // [1, S, D]
  keyPaddingMask: tf.Tensor2D, // [B, S] true = padding
  params: ParameterStore,
  prefix: string,
  shape: VlTransformerShape,
  training: boolean,
): tf.Tensor3D {
  return tf.tidy(() => {
    const queryKey = tf.add(src, pos) as tf.Tensor3D;
    const attended = multiHeadAttention(queryKey, queryKey, src, params, `${prefix}.self_attn`, {
      heads: shape.heads,
      keyPaddingMask,
      dropout: shape.dropout,
      training,
    });
    const afterAttention = layerNorm(tf.add(src, dropout(attended, shape.dropout, training)), params, `${prefix}.norm1`);

    const hidden = dropout(tf.relu(linear(afterAttention, params, `${prefix}.linear1`)), shape.dropout, training);
    const fed = linear(hidden, params, `${prefix}.linear2`);
    return layerNorm(tf.add(afterAttention, dropout(fed, shape.dropout, training)), params, `${prefix}.norm2`) as tf.Tensor3D;
  });
}

/** The 6-layer (by default) encoder, no final LayerNorm. Returns every position `[B, S, D]`. */
export function vlTransformer(
  src: tf.Tensor3D,
  pos: tf.Tensor3D,
  keyPaddingMask: tf.Tensor2D,
  params: ParameterStore,
  shape: VlTransformerShape,
  training: boolean,
): tf.Tensor3D {
  return tf.tidy(() => {
    let x = src;
    for (let layer = 0; layer < shape.layers; layer += 1) {
      x = fusionEncoderLayer(x, pos, keyPaddingMask, params, `${VL_TRANSFORMER_PREFIX}.${layer}`, shape, training);
    }
    return x;
  });
}

/**
 * The encoder's parameters as the original initialises them: PyTorch defaults (MHA biases zero, Linear
 * biases U(±1/√in), LayerNorm ones/zeros), then `_reset_parameters` puts Xavier-uniform on every matrix.
 */
export function vlTransformerLayout(shape: VlTransformerShape): ParameterSpec[] {
  const { width, ffnDim } = shape;
  const specs: ParameterSpec[] = [];
  for (let layer = 0; layer < shape.layers; layer += 1) {
    const prefix = `${VL_TRANSFORMER_PREFIX}.${layer}`;
    specs.push(
      { name: `${prefix}.self_attn.in_proj_weight`, shape: [3 * width, width], init: { kind: 'xavier' } },
      { name: `${prefix}.self_attn.in_proj_bias`, shape: [3 * width], init: { kind: 'zeros' } },
      { name: `${prefix}.self_attn.out_proj.weight`, shape: [width, width], init: { kind: 'xavier' } },
      { name: `${prefix}.self_attn.out_proj.bias`, shape: [width], init: { kind: 'zeros' } },
      ...linearSpecs(`${prefix}.linear1`, width, ffnDim, true),
      ...linearSpecs(`${prefix}.linear2`, ffnDim, width, true),
      ...layerNormSpecs(`${prefix}.norm1`, width),
      ...layerNormSpecs(`${prefix}.norm2`, width),
    );
  }
  return specs;
}
