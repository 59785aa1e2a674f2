/**
 * One sample's work, the same in a worker thread or in-process: decode the image, apply the eval transform or
 * the seeded training augmentation, lay the pixels out as NHWC or NCHW.
 */
import * as path from 'node:path';
import { loadImage, type LetterboxGeometry } from '@clip-vg/image';
import { evalTransform, trainTransform, type AugmentOptions, type EvalSample } from '../augment';
import type { GroundingRecord } from '../record';
import { createRng } from '../synthetic/rng';

export type ImageLayout = 'nhwc' | 'nchw';

export interface SampleTask {
  /** Absolute image path. */
  image: string;
  /** `[x1, y1, x2, y2]` in original pixels. */
  box: number[];
  /** Lower-cased text (RandomSelect looks for direction words in it). */
  text: string;
  imsize: number;
  /** Training augmentation (with imsize), or null for the deterministic eval transform. */
  augment: AugmentOptions | null;
  seed: number;
  layout: ImageLayout;
}

export interface SampleResult {
  /** [S, S, 3] (nhwc) or [3, S, S] (nchw) float32. */
  pixels: Float32Array;
  /** [S, S], 1 = padding. */
  mask: Uint8Array;
  /** Normalised (cx, cy, w, h). */
  box: [number, number, number, number];
  /** Eval transform only: letterbox geometry for mapping predictions back. */
  geometry?: LetterboxGeometry;
}

export async function processSample(task: SampleTask): Promise<SampleResult> {
  const image = await loadImage(task.image);
  const sample = task.augment ? trainTransform(image, task.box, task.text, createRng(task.seed), task.augment) : evalTransform(image, task.box, task.imsize);
  const pixels = task.layout === 'nchw' ? hwcToChw(sample.pixels, task.imsize) : sample.pixels;
  const geometry = (sample as Partial<EvalSample>).geometry;
  return {
    pixels,
    mask: sample.mask,
    box: sample.box,
    ...(geometry ? { geometry: { imsize: geometry.imsize, ratio: geometry.ratio, top: geometry.top, left: geometry.left } } : {}),
  };
}

function hwcToChw(hwc: Float32Array, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    out[p] = hwc[p * 3];
    out[plane + p] = hwc[p * 3 + 1];
    out[2 * plane + p] = hwc[p * 3 + 2];
  }
  return out;
}

/** The image path of a record: as is when absolute, else under `imageRoot`. */
export function recordImagePath(record: GroundingRecord, imageRoot: string): string {
  return path.isAbsolute(record.image) ? record.image : path.join(imageRoot, record.image);
}

/**
 * The deterministic eval input of one record (spec §1.4): what reliability scoring, eval and predict feed the
 * model. The text is not tokenised here.
 */
export async function evalTransformRecord(record: GroundingRecord, imageRoot: string, imsize: number, layout: ImageLayout = 'nhwc'): Promise<SampleResult> {
  return processSample({
    image: recordImagePath(record, imageRoot),
    box: record.box,
    text: record.text.toLowerCase(),
    imsize,
    augment: null,
    seed: 0,
    layout,
  });
}
