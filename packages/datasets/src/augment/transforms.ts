/**
 * The two image transforms of CLIP-VG: the deterministic eval transform (one implementation, `letterbox` in
 * @clip-vg/image) and the seeded training augmentation of spec §1.5. Both give the network input for one
 * sample: ImageNet-normalised pixels, the padding mask and the normalised (cx, cy, w, h) target.
 */
import { boxToLetterbox, letterbox, normalizeAndPad, type LetterboxGeometry, type RgbImage } from '@clip-vg/image';
import type { Rng } from '../synthetic/rng';
import { colorJitter, DEFAULT_COLOR_JITTER, randomBlur, type ColorJitterOptions } from './color';
import { multiScaleSizes, randomResize, randomSizeCrop, type BoxXyxy, type ImageWithBox } from './geometric';

export interface TransformedSample {
  /** [imsize, imsize, 3] float32 HWC, ImageNet-normalised, 0 on padding. */
  pixels: Float32Array;
  /** [imsize, imsize], 1 = padding. */
  mask: Uint8Array;
  /** Normalised (cx, cy, w, h) in the padded square. */
  box: [number, number, number, number];
}

export interface EvalSample extends TransformedSample {
  /** To map predictions back to original pixels (`letterboxToOriginal`). */
  geometry: LetterboxGeometry;
}

export interface AugmentOptions {
  imsize: number;
  /** `--aug_crop`: the short-side resize + RandomSizeCrop branch of RandomSelect (default true). */
  crop?: boolean;
  /** `--aug_scale`: multi-scale long-side resize (default true; off = resize the long side to imsize). */
  scale?: boolean;
  /**
   * The long-side sizes for `scale` (default `multiScaleSizes(imsize)`). A tiny model on small images may want
   * fewer extremes, e.g. [64, 56, 48] at 64 px.
   */
  scales?: readonly number[];
  /** `--aug_translate`: random position in the padding (default true; off = centred). */
  translate?: boolean;
  /** `--aug_blur` probability (default 0, as the official scripts run). */
  blur?: number;
  colorJitter?: ColorJitterOptions;
}

/** RandomSelect sends texts with these substrings to the no-crop branch (a substring test, as upstream). */
export const DIRECTION_WORDS = ['left', 'right', 'top', 'bottom', 'middle'] as const;

const SHORT_SIDES = [400, 500, 600];
const CROP_MIN = 384;
const CROP_MAX = 600;

/** The deterministic transform for val/test/reliability scoring (spec §1.4). */
export function evalTransform(image: RgbImage, boxXyxy: readonly number[], imsize: number): EvalSample {
  const lb = letterbox(image, imsize);
  return { pixels: lb.pixels, mask: lb.mask, box: boxToLetterbox(boxXyxy, lb), geometry: lb };
}

/** One augmented training sample; the same rng state always gives the same output. */
export function trainTransform(image: RgbImage, boxXyxy: readonly number[], text: string, rng: Rng, options: AugmentOptions): TransformedSample {
  const { imsize } = options;
  const sizes = (options.scale ?? true) ? (options.scales ?? multiScaleSizes(imsize)) : [imsize];
  if (sizes.length === 0 || sizes.some((v) => !Number.isInteger(v) || v < 1 || v > imsize)) {
    throw new Error(`trainTransform: scales must be integers in 1..${imsize}, got [${sizes.join(', ')}]`);
  }
  let sample: ImageWithBox = { image, box: [...boxXyxy] as BoxXyxy };
  // RandomSelect: direction words would be invalidated by a crop, so those texts never take the crop branch
  const lower = text.toLowerCase();
  const hasDirection = DIRECTION_WORDS.some((w) => lower.includes(w));
  if ((options.crop ?? true) && !hasDirection && rng.chance(0.5)) {
    sample = randomResize(sample, SHORT_SIDES, rng, 'short');
    sample = randomSizeCrop(sample, CROP_MIN, CROP_MAX, rng);
  }
  sample = randomResize(sample, sizes, rng, 'long');
  let augmented = colorJitter(sample.image, options.colorJitter ?? DEFAULT_COLOR_JITTER, rng);
  if (options.blur) augmented = randomBlur(augmented, options.blur, rng);
  const dh = imsize - augmented.height;
  const dw = imsize - augmented.width;
  const translate = options.translate ?? true;
  const top = translate ? rng.int(0, dh) : Math.round(dh / 2 - 0.1);
  const left = translate ? rng.int(0, dw) : Math.round(dw / 2 - 0.1);
  const { pixels, mask } = normalizeAndPad(augmented, imsize, top, left);
  return { pixels, mask, box: boxToLetterbox(sample.box, { imsize, ratio: 1, top, left }) };
}
