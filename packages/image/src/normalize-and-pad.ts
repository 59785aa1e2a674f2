import { assertRgbImage, type RgbImage } from './rgb-image';

/**
 * ImageNet statistics, as the official `datasets/transforms.py: NormalizeAndPad` uses, even though the images
 * feed CLIP (whose own statistics differ). The released checkpoints were trained with these.
 */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

export interface NormalizedCanvas {
  /** [imsize, imsize, 3] float32, HWC, ImageNet-normalised; 0 on padding (padding is added after normalising). */
  pixels: Float32Array;
  /** [imsize, imsize], 1 = padding, 0 = image. */
  mask: Uint8Array;
}

/**
 * `to_tensor` + `Normalize(ImageNet)` + paste at (top, left) on an imsize² zero canvas. Arithmetic follows
 * torch's float32 path (`x / 255`, then `(x - mean) / std`) so values match the PyTorch goldens.
 */
export function normalizeAndPad(img: RgbImage, imsize: number, top: number, left: number): NormalizedCanvas {
  assertRgbImage(img, 'normalizeAndPad');
  if (!Number.isInteger(top) || !Number.isInteger(left) || top < 0 || left < 0 || top + img.height > imsize || left + img.width > imsize) {
    throw new Error(`normalizeAndPad: a ${img.width}×${img.height} image at top ${top}, left ${left} does not fit in ${imsize}×${imsize}`);
  }
  const table = normalisationTable();
  const pixels = new Float32Array(imsize * imsize * 3);
  const mask = new Uint8Array(imsize * imsize).fill(1);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const src = (y * img.width + x) * 3;
      const dst = (y + top) * imsize + (x + left);
      pixels[dst * 3] = table[img.data[src]];
      pixels[dst * 3 + 1] = table[256 + img.data[src + 1]];
      pixels[dst * 3 + 2] = table[512 + img.data[src + 2]];
      mask[dst] = 0;
    }
  }
  return { pixels, mask };
}

let cachedTable: Float32Array | undefined;

/** The normalised float32 value of every byte per channel: [3 × 256]. */
function normalisationTable(): Float32Array {
  if (cachedTable) return cachedTable;
  const f = Math.fround;
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      table[c * 256 + v] = f(f(f(v / 255) - f(IMAGENET_MEAN[c])) / f(IMAGENET_STD[c]));
    }
  }
  cachedTable = table;
  return table;
}
