/**
 * Host-side inputs of the ONNX graph: ids trimmed to the longest text in the batch, and the fusion's additive key
 * mask. Both are exact: text past every EOT only feeds masked keys, and the causal text tower never looks right.
 */
import * as tf from '@tensorflow/tfjs-core';
import { patchGrid, visualPatchMask, type ClipVGConfig } from '@clip-vg/fusion-transformer';

/** Added to attention logits of ignored keys, as in the TensorFlow.js model. */
export const MASKED_LOGIT = -1e9;

export interface GraphInputs {
  /** Token ids [B, L'] as int64, L' = the longest text (last non-zero id + 1). */
  ids: BigInt64Array;
  length: number;
  /** [B, 1 + L' + 1 + P]: 0 = attend, -1e9 = padding. */
  keyBias: Float32Array;
  sequence: number;
}

/** The used text length: one past the last non-zero id of any row (at least 1). */
export function usedTextLength(ids: Int32Array, batch: number, length: number): number {
  let used = 1;
  for (let b = 0; b < batch; b++) {
    for (let t = length - 1; t >= used; t--) {
      if (ids[b * length + t] !== 0) {
        used = t + 1;
        break;
      }
    }
  }
  return used;
}

/** Ids int32 [B, L] and the pixel mask [B, H, W] (1 = padding) → the graph's ids and key mask. */
export function graphInputs(ids: tf.Tensor2D, pixelMask: tf.Tensor3D, config: ClipVGConfig): GraphInputs {
  const [batch, length] = ids.shape;
  const grid = patchGrid(config);
  const patches = grid * grid;
  const idData = ids.dataSync() instanceof Int32Array ? (ids.dataSync() as Int32Array) : Int32Array.from(ids.dataSync());
  const patchMask = tf.tidy(() => visualPatchMask(pixelMask, grid).dataSync() as Uint8Array); // [B, P]
  const used = usedTextLength(idData, batch, length);
  const sequence = 1 + used + 1 + patches;
  const trimmed = new BigInt64Array(batch * used);
  const keyBias = new Float32Array(batch * sequence);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < used; t++) {
      const id = idData[b * length + t]!;
      trimmed[b * used + t] = BigInt(id);
      if (id === 0) keyBias[b * sequence + 1 + t] = MASKED_LOGIT;
    }
    for (let p = 0; p < patches; p++) if (patchMask[b * patches + p]) keyBias[b * sequence + 2 + used + p] = MASKED_LOGIT;
  }
  return { ids: trimmed, length: used, keyBias, sequence };
}
