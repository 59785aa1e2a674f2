/**
 * The geometric training augmentations of `datasets/transforms.py`: multi-scale long-side resize, short-side
 * resize and RandomSizeCrop. Each takes an image and its `[x1, y1, x2, y2]` box and returns both, moved together.
 */
import { crop, resizeToSide, type RgbImage } from '@clip-vg/image';
import type { Rng } from '../synthetic/rng';

export type BoxXyxy = [number, number, number, number];

export interface ImageWithBox {
  image: RgbImage;
  box: BoxXyxy;
}

/**
 * The long-side sizes of RandomResize: 224 − 32i for i = 0..6 at imsize 224 (the official list). Other input
 * sizes keep the same proportions (imsize · (1 − i/7)), so a 64 px model sees 64, 55, …, 9 px objects.
 */
export function multiScaleSizes(imsize: number): number[] {
  if (imsize === 224) return [224, 192, 160, 128, 96, 64, 32];
  const step = (32 * imsize) / 224;
  return Array.from({ length: 7 }, (_, i) => Math.max(1, Math.round(imsize - step * i)));
}

/** `resize_according_to_long_side` / `_short_side`: Pillow bilinear, box scaled by the same ratio. */
export function resizeWithBox(input: ImageWithBox, size: number, side: 'long' | 'short'): ImageWithBox {
  const { image, ratio } = resizeToSide(input.image, size, side);
  return { image, box: input.box.map((v) => v * ratio) as BoxXyxy };
}

/** `RandomResize(sizes)`: one size, uniformly, for the chosen side. */
export function randomResize(input: ImageWithBox, sizes: readonly number[], rng: Rng, side: 'long' | 'short' = 'long'): ImageWithBox {
  return resizeWithBox(input, rng.pick(sizes), side);
}

/**
 * `RandomSizeCrop(384, 600)`: up to 20 tries of a random w×h window at random (row i, column j). The official
 * acceptance test compares the box's x centre with the row offset and its y centre with the column offset; that
 * swap is reproduced on purpose (spec §1.5, §7.10). Box shifted by (j, i), clamped to the window. If every try
 * fails, the input comes back unchanged.
 */
export function randomSizeCrop(input: ImageWithBox, minSize: number, maxSize: number, rng: Rng, maxTries = 20): ImageWithBox {
  const { image, box } = input;
  for (let t = 0; t < maxTries; t++) {
    const w = rng.int(minSize, Math.min(image.width, maxSize));
    const h = rng.int(minSize, Math.min(image.height, maxSize));
    // torchvision RandomCrop.get_params: i in [0, H - h], j in [0, W - w]
    const i = rng.int(0, image.height - h);
    const j = rng.int(0, image.width - w);
    const cx = (box[0] + box[2]) / 2;
    const cy = (box[1] + box[3]) / 2;
    if (!(cx > i && cy > j)) continue;
    const limits = [w, h, w, h];
    const shifted = box.map((v, k) => Math.max(0, Math.min(v - (k % 2 === 0 ? j : i), limits[k]))) as BoxXyxy;
    return { image: crop(image, j, i, w, h), box: shifted };
  }
  return input;
}
