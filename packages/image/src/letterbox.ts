import { normalizeAndPad } from './normalize-and-pad';
import { pythonRound } from './python-round';
import { resizeBilinear } from './resize-bilinear';
import { assertRgbImage, type RgbImage } from './rgb-image';

/** The CLIP-VG network input for one image, plus what is needed to map boxes in and out. */
export interface Letterboxed {
  /** [imsize, imsize, 3] float32 HWC, ImageNet-normalised, 0 on padding. */
  pixels: Float32Array;
  /** [imsize, imsize], 1 = padding. */
  mask: Uint8Array;
  imsize: number;
  /** Resized size / original size (the same on both axes up to rounding). */
  ratio: number;
  /** Padding rows above and columns left of the resized image. */
  top: number;
  left: number;
  /** Resized size. */
  width: number;
  height: number;
}

export interface LetterboxOptions {
  /** Explicit offsets (training `aug_translate`: uniform in 0..imsize - resized, inclusive). Default: centred. */
  top?: number;
  left?: number;
}

/** Long side → `size`, the other side by Python's round; returns the resized image and the ratio. */
export function resizeLongSide(img: RgbImage, size: number): { image: RgbImage; ratio: number } {
  return resizeToSide(img, size, 'long');
}

/**
 * `datasets/transforms.py: resize`: ratio = size / long (or short) side, new size = Python `round(side * ratio)`,
 * then Pillow BILINEAR. Training's RandomResize uses 'long', the crop branch's first resize uses 'short'.
 */
export function resizeToSide(img: RgbImage, size: number, side: 'long' | 'short'): { image: RgbImage; ratio: number } {
  assertRgbImage(img, 'resizeToSide');
  if (!Number.isInteger(size) || size < 1) throw new Error(`resizeToSide: size must be a positive integer, got ${size}`);
  const reference = side === 'long' ? Math.max(img.width, img.height) : Math.min(img.width, img.height);
  const ratio = size / reference;
  const width = Math.max(1, pythonRound(img.width * ratio));
  const height = Math.max(1, pythonRound(img.height * ratio));
  return { image: resizeBilinear(img, width, height), ratio };
}

/**
 * The eval transform (spec §1.4): resize the long side to imsize, normalise, pad to a square. Centred with the
 * odd pixel at the bottom/right (`top = round(dh / 2 - 0.1)`), or at the given offsets.
 */
export function letterbox(img: RgbImage, imsize: number, options: LetterboxOptions = {}): Letterboxed {
  if (!Number.isInteger(imsize) || imsize < 1) throw new Error(`letterbox: imsize must be a positive integer, got ${imsize}`);
  const { image, ratio } = resizeToSide(img, imsize, 'long');
  const dh = imsize - image.height;
  const dw = imsize - image.width;
  const top = options.top ?? pythonRound(dh / 2 - 0.1);
  const left = options.left ?? pythonRound(dw / 2 - 0.1);
  if (!Number.isInteger(top) || top < 0 || top > dh) throw new Error(`letterbox: top must be an integer in 0..${dh}, got ${top}`);
  if (!Number.isInteger(left) || left < 0 || left > dw) throw new Error(`letterbox: left must be an integer in 0..${dw}, got ${left}`);
  const { pixels, mask } = normalizeAndPad(image, imsize, top, left);
  return { pixels, mask, imsize, ratio, top, left, width: image.width, height: image.height };
}
