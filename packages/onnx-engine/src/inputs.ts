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

/** A batch's ids and patch mask as host arrays, read once so that each chunk of rows needs no tensor work. */
export interface BatchInputArrays {
  /** Token ids [B, L] int32. */
  ids: Int32Array;
  /** L. */
  length: number;
  /** 1 where a patch is letterbox padding [B, P]. */
  patchMask: Uint8Array;
  /** P. */
  patches: number;
}

/** Ids int32 [B, L] and the pixel mask [B, H, W] (1 = padding) → host arrays for `graphInputsForRows`. */
export function batchInputArrays(ids: tf.Tensor2D, pixelMask: tf.Tensor3D, config: ClipVGConfig): BatchInputArrays {
  const grid = patchGrid(config);
  const values = ids.dataSync();
  return {
    ids: values instanceof Int32Array ? values : Int32Array.from(values),
    length: ids.shape[1],
    patchMask: tf.tidy(() => visualPatchMask(pixelMask, grid).dataSync() as Uint8Array),
    patches: grid * grid,
  };
}

/** Ids int32 [B, L] and the pixel mask [B, H, W] (1 = padding) → the graph's ids and key mask. */
export function graphInputs(ids: tf.Tensor2D, pixelMask: tf.Tensor3D, config: ClipVGConfig): GraphInputs {
  return graphInputsForRows(batchInputArrays(ids, pixelMask, config), 0, ids.shape[0]);
}

/** `graphInputs` of rows `start` to `end` (exclusive) of a batch; the text is trimmed to what those rows use. */
export function graphInputsForRows(arrays: BatchInputArrays, start: number, end: number): GraphInputs {
  const { length, patches } = arrays;
  const batch = end - start;
  const idData = arrays.ids.subarray(start * length, end * length);
  const patchMask = arrays.patchMask.subarray(start * patches, end * patches);
  const used = usedTextLength(idData, batch, length);
  const trimmed = new BigInt64Array(batch * used);
  const kept: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const row = [0]; // [REG]
    for (let t = 0; t < used; t++) {
      const id = idData[b * length + t];
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
  kept.forEach((row, b) =>
    row.forEach((position, slot) => {
      positions[b * sequence + slot] = BigInt(position);
      keyBias[b * sequence + slot] = 0;
    }),
  );
  return { ids: trimmed, length: used, positions, keyBias, sequence };
}
