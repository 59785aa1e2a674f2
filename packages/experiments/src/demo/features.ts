/**
 * The frozen CLIP's features of the demo world, computed once: multi-level visual tokens per image and text
 * tokens per distinct expression, on shared memory for the training workers. Every sample then becomes a row
 * (image index, text index, normalised box) of that table.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CLIP } from '@clip-vg/clip-encoders';
import { evalTransformRecord, type GroundingRecord, type TextTokenizer } from '@clip-vg/datasets';
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import { sharedFloat32, type FeatureRows, type FeatureTable } from '@clip-vg/onnx-engine';

export interface DemoFeatures {
  table: FeatureTable;
  /** Rows of `records` (GT or pseudo-labels): their image, expression and box after the eval transform. */
  rowsOf(records: readonly GroundingRecord[]): FeatureRows;
}

const BATCH = 64;

/**
 * Encode every image of `images` (file names under `imageRoot`) and every distinct text of `texts` with `clip`.
 * Boxes are normalised by the eval transform of the square image (the letterbox is the identity at CLIP's size).
 */
export async function demoFeatures(
  clip: CLIP,
  config: ClipVGConfig,
  images: readonly string[],
  texts: Iterable<string>,
  imageRoot: string,
  tokenizer: TextTokenizer,
): Promise<DemoFeatures> {
  const size = config.imsize;
  const L = config.maxQueryLen;
  const imageIndex = new Map(images.map((file, i) => [file, i]));
  const distinct = [...new Set(texts)];
  const textIndex = new Map(distinct.map((text, i) => [text, i]));

  const tokens = (1 + (size / config.clip.visionPatchSize) ** 2) * config.extractLayers.length * config.clip.visionWidth;
  const visual = sharedFloat32(images.length * tokens);
  for (let start = 0; start < images.length; start += BATCH) {
    const files = images.slice(start, start + BATCH);
    const pixels = new Float32Array(files.length * size * size * 3);
    const loaded = await Promise.all(files.map((file) => evalTransformRecord(wholeImage(file, size), imageRoot, size)));
    loaded.forEach((sample, k) => pixels.set(sample.pixels, k * size * size * 3));
    const encoded = tf.tidy(() => tf.concat(clip.encodeImageLayers(tf.tensor4d(pixels, [files.length, size, size, 3]), config.extractLayers), 2));
    visual.set(await encoded.data(), start * tokens);
    encoded.dispose();
  }

  const text = sharedFloat32(distinct.length * L * config.clip.embedDim);
  const textPadding = new Uint8Array(distinct.length * L);
  for (let start = 0; start < distinct.length; start += BATCH) {
    const batch = distinct.slice(start, start + BATCH).map((t) => t.toLowerCase());
    const { ids } = tokenizer.tokenize(batch, { contextLength: L });
    ids.forEach((id, k) => (textPadding[start * L + k] = id === 0 ? 1 : 0));
    const encoded = tf.tidy(() => clip.encodeTextTokens(tf.tensor2d(ids, [batch.length, L], 'int32')));
    text.set(await encoded.data(), start * L * config.clip.embedDim);
    encoded.dispose();
  }

  const table: FeatureTable = { visual, text, textPadding };
  return {
    table,
    rowsOf(records) {
      const n = records.length;
      const rows: FeatureRows = { image: new Int32Array(n), text: new Int32Array(n), boxes: new Float32Array(4 * n) };
      records.forEach((r, k) => {
        const image = imageIndex.get(r.image);
        const expression = textIndex.get(r.text);
        if (image === undefined || expression === undefined) throw new Error(`demo features: sample ${r.id} (${r.image}, "${r.text}") has no cached features`);
        rows.image[k] = image;
        rows.text[k] = expression;
        const [x1, y1, x2, y2] = r.box;
        rows.boxes.set([(x1 + x2) / 2 / size, (y1 + y2) / 2 / size, (x2 - x1) / size, (y2 - y1) / size], 4 * k);
      });
      return rows;
    },
  };
}

/** A record covering a whole image: only the eval transform's pixels are needed. */
function wholeImage(file: string, size: number): GroundingRecord {
  return { id: file, image: file, box: [0, 0, size, size], boxOriginal: [0, 0, size, size], text: '' };
}
