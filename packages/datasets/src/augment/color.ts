/** Photometric training augmentations: ColorJitter (PIL ImageEnhance, random order) and optional blur. */
import { adjustBrightness, adjustContrast, adjustSaturation, gaussianBlur, type RgbImage } from '@clip-vg/image';
import type { Rng } from '../synthetic/rng';

export interface ColorJitterOptions {
  /** Factor range half-width: each factor ~ U(1 − s, 1 + s). The official value is 0.4 for all three. */
  brightness: number;
  contrast: number;
  saturation: number;
  /** Probability of jittering at all (0.8 upstream). */
  probability: number;
}

export const DEFAULT_COLOR_JITTER: ColorJitterOptions = { brightness: 0.4, contrast: 0.4, saturation: 0.4, probability: 0.8 };

/** With probability p, brightness, contrast and saturation in a random permutation, each with its own factor. */
export function colorJitter(image: RgbImage, options: ColorJitterOptions, rng: Rng): RgbImage {
  if (!rng.chance(options.probability)) return image;
  const ops = [
    (img: RgbImage) => adjustBrightness(img, rng.uniform(1 - options.brightness, 1 + options.brightness)),
    (img: RgbImage) => adjustContrast(img, rng.uniform(1 - options.contrast, 1 + options.contrast)),
    (img: RgbImage) => adjustSaturation(img, rng.uniform(1 - options.saturation, 1 + options.saturation)),
  ];
  return rng.shuffle(ops).reduce((img, op) => op(img), image);
}

/** `GaussianBlur(p=0.5)`: PIL blur with radius ~ U(0.1, 2.0). Off in the official scripts (no `--aug_blur`). */
export function randomBlur(image: RgbImage, probability: number, rng: Rng): RgbImage {
  return rng.chance(probability) ? gaussianBlur(image, rng.uniform(0.1, 2.0)) : image;
}
