/**
 * Host-side inputs of the ONNX graph: ids trimmed to the longest text in the batch, and the fusion's sequence
 * compacted to the positions each row attends to. Both are exact: the causal text tower never looks right, and a
 * masked position is never a key, so its row only ever feeds itself and only [REG]'s row reaches the box head.
 */
import * as tf from '@tensorflow/tfjs-core';
import { patchGrid, visualPatchMask, type ClipVGConfig } from '@clip-vg/fusion-transformer';

/** Added to attention logits of ignored keys, as in the TensorFlow.js model. */
export const MASKED_LOGIT = -1e9;

export interface GraphInputs {
  /** Token ids [B, L'] as int64, L' = the longest text (last non-zero id + 1). */
  ids: BigInt64Array;
  length: number;
  /**
   * Per row, the positions of the fusion sequence [REG] | L' text | CLS | P patches that are not padding, in order,
   * as int64 [B, S]; rows with fewer than S repeat position 0 in the slots after their own.
   */
  positions: BigInt64Array;
  /** [B, S]: 0 = attend, -1e9 = a filler slot. */
  keyBias: Float32Array;
  /** S: the most unmasked positions of any row (at most 1 + L' + 1 + P). */
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
  const trimmed = new BigInt64Array(batch * used);
  const kept: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const row = [0]; // [REG]
    for (let t = 0; t < used; t++) {
      const id = idData[b * length + t]!;
      trimmed[b * used + t] = BigInt(id);
      if (id !== 0) row.push(1 + t);
    }
    row.push(1 + used); // the visual CLS token
    for (let p = 0; p < patches; p++) if (!patchMask[b * patches + p]) row.push(2 + used + p);
    kept.push(row);
  }
  const sequence = Math.max(...kept.map((row) => row.length));
  const positions = new BigInt64Array(batch * sequence);
  const keyBias = new Float32Array(batch * sequence).fill(MASKED_LOGIT);
  kept.forEach((row, b) => row.forEach((position, slot) => {
    positions[b * sequence + slot] = BigInt(position);
    keyBias[b * sequence + slot] = 0;
  }));
  return { ids: trimmed, length: used, positions, keyBias, sequence };
}
