/**
 * CLIP's text tower: token + positional embedding → causally masked blocks → `ln_final` → `text_projection`.
 * `encodeText` projects only the EOT token (CLIP's sentence embedding); `encodeTextTokens` projects all of
 * them, which is what CLIP-VG feeds to its fusion transformer.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ClipConfig } from './config';
import { layerNorm } from './layers';
import type { ParameterStore } from './params';
import { residualBlock } from './residual-block';

/**
 * Far below any score yet finite: after softmax it gives exactly 0, like PyTorch's -inf, without the NaN risk
 * of `-inf - -inf` in kernels that do not subtract the row maximum first.
 */
const MASKED = -1e9;

/** [L, L] additive mask: 0 on and below the diagonal, MASKED above (a token sees only its past). */
export function causalMask(length: number): tf.Tensor2D {
  return tf.tidy(() => {
    const ones = tf.ones([length, length]);
    const visible = tf.linalg.bandPart(ones, -1, 0); // lower triangle incl. diagonal
    return tf.mul(tf.sub(ones, visible), MASKED) as tf.Tensor2D;
  });
}

function checkIds(ids: tf.Tensor2D, config: ClipConfig): void {
  if (ids.rank !== 2) throw new Error(`CLIP text encoder: expected token ids [B, L], got [${ids.shape}]`);
  if (ids.shape[1] > config.contextLength) {
    throw new Error(`CLIP text encoder: ${ids.shape[1]} tokens exceed the context length ${config.contextLength}`);
  }
}

/** Token ids [B, L] → final hidden states after `ln_final` [B, L, Wt]. */
export function textHiddenStates(ids: tf.Tensor2D, params: ParameterStore, config: ClipConfig): tf.Tensor3D {
  checkIds(ids, config);
  return tf.tidy(() => {
    const [batch, length] = ids.shape;
    const width = config.transformerWidth;
    const tokens = tf.reshape(tf.gather(params.get('token_embedding.weight'), tf.cast(tf.reshape(ids, [-1]), 'int32')), [batch, length, width]); // [B, L, Wt]
    const positions = tf.slice(params.get('positional_embedding'), [0, 0], [length, width]);
    let x = tf.add(tokens, positions) as tf.Tensor3D;
    const mask = causalMask(length);
    for (let i = 0; i < config.transformerLayers; i++) {
      x = residualBlock(x, params, `transformer.resblocks.${i}`, config.transformerHeads, mask);
    }
    return layerNorm(x, params, 'ln_final');
  });
}

/** Ids [B, L] → every token projected into the joint space [B, L, embedDim]. */
export function encodeTextTokens(ids: tf.Tensor2D, params: ParameterStore, config: ClipConfig): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length] = ids.shape;
    const hidden = tf.reshape(textHiddenStates(ids, params, config), [batch * length, config.transformerWidth]);
    return tf.reshape(tf.matMul(hidden, params.get('text_projection')), [batch, length, config.embedDim]);
  });
}

/**
 * Ids [B, L] → the embedding of each sequence's EOT token [B, embedDim]. As in CLIP, EOT is found as the
 * largest id (49407 is the largest in the vocabulary).
 */
export function encodeText(ids: tf.Tensor2D, params: ParameterStore, config: ClipConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, length] = ids.shape;
    const hidden = tf.reshape(textHiddenStates(ids, params, config), [batch * length, config.transformerWidth]);
    // Ids below 2^24 are exact in float32, and float argMax is supported on every backend.
    const eot = tf.argMax(tf.cast(ids, 'float32'), 1); // [B]
    const rows = tf.add(eot, tf.mul(tf.range(0, batch, 1, 'int32'), tf.scalar(length, 'int32'))); // flat row of each EOT
    return tf.matMul(tf.gather(hidden, rows), params.get('text_projection'));
  });
}
