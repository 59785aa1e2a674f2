/**
 * Frozen CLIP features of a data set, as flat typed arrays that worker threads can share (pass arrays backed by
 * a `SharedArrayBuffer` and nothing is copied), and the rows of a job that index into them.
 */
import { sequenceLength, type ClipVGConfig } from '@clip-vg/fusion-transformer';

export interface FeatureTable {
  /** `[images, (1 + P) · layers · Wv]`: multi-level visual tokens per image. */
  visual: Float32Array;
  /** `[texts, L · E]`: CLIP text tokens per expression. */
  text: Float32Array;
  /** `[texts, L]`: 1 where the token is padding (id 0). */
  textPadding: Uint8Array;
  /** `[images, P]`: 1 where the patch is letterbox padding; omitted when no image is padded. */
  patchPadding?: Uint8Array;
}

/** Samples of a job: which image and expression each row reads, and its box (normalised cxcywh). */
export interface FeatureRows {
  image: Int32Array;
  text: Int32Array;
  /** `[n, 4]`. */
  boxes: Float32Array;
}

/** Additive key mask of the fusion sequence `[REG] | text | CLS | patches`: −1e9 on padded keys. */
const MASKED = -1e9;

export function rowCount(rows: FeatureRows): number {
  return rows.image.length;
}

/** Pick rows by index (a label subset, a shuffled batch). */
export function selectRows(rows: FeatureRows, indices: ArrayLike<number>): FeatureRows {
  const n = indices.length;
  const out: FeatureRows = { image: new Int32Array(n), text: new Int32Array(n), boxes: new Float32Array(4 * n) };
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    out.image[k] = rows.image[i]!;
    out.text[k] = rows.text[i]!;
    out.boxes.set(rows.boxes.subarray(4 * i, 4 * i + 4), 4 * k);
  }
  return out;
}

/**
 * Fill the graph inputs of rows `indices` (repeating the last one to pad up to `batch`): visual, text and key
 * bias, plus the target boxes.
 */
export function gatherBatch(
  table: FeatureTable,
  rows: FeatureRows,
  indices: ArrayLike<number>,
  config: ClipVGConfig,
  batch: number,
  into?: BatchBuffers,
): BatchBuffers {
  const L = config.maxQueryLen;
  const S = sequenceLength(config);
  const patches = S - L - 2;
  const visualSize = (S - L - 1) * config.extractLayers.length * config.clip.visionWidth;
  const textSize = L * config.clip.embedDim;
  const out = into ?? {
    visual: new Float32Array(batch * visualSize),
    text: new Float32Array(batch * textSize),
    keyBias: new Float32Array(batch * S),
    target: new Float32Array(batch * 4),
  };
  out.keyBias.fill(0);
  for (let k = 0; k < batch; k++) {
    const i = indices[Math.min(k, indices.length - 1)];
    const image = rows.image[i];
    const text = rows.text[i];
    out.visual.set(table.visual.subarray(image * visualSize, (image + 1) * visualSize), k * visualSize);
    out.text.set(table.text.subarray(text * textSize, (text + 1) * textSize), k * textSize);
    out.target.set(rows.boxes.subarray(4 * i, 4 * i + 4), 4 * k);
    const bias = out.keyBias.subarray(k * S, (k + 1) * S);
    for (let t = 0; t < L; t++) if (table.textPadding[text * L + t]) bias[1 + t] = MASKED;
    if (table.patchPadding) for (let p = 0; p < patches; p++) if (table.patchPadding[image * patches + p]) bias[2 + L + p] = MASKED;
  }
  return out;
}

export interface BatchBuffers {
  visual: Float32Array;
  text: Float32Array;
  keyBias: Float32Array;
  target: Float32Array;
}
