import { assertRgbImage, type RgbImage } from './rgb-image';

/**
 * PIL `ImageEnhance` on RGB, bit-exact with Pillow 9: each op blends the image with a "degenerate" image,
 * `Image.blend(degenerate, img, factor)`; factor 1 is the identity, 0 the degenerate image, > 1 extrapolates.
 * Training's ColorJitter(0.4, 0.4, 0.4) applies these with factors in [0.6, 1.4].
 */

/** `ImageEnhance.Brightness`: blend with black. */
export function adjustBrightness(img: RgbImage, factor: number): RgbImage {
  assertRgbImage(img, 'adjustBrightness');
  return blend(new Uint8Array(img.data.length), img, factor, 'adjustBrightness');
}

/** `ImageEnhance.Contrast`: blend with a uniform grey at the rounded mean luma. */
export function adjustContrast(img: RgbImage, factor: number): RgbImage {
  assertRgbImage(img, 'adjustContrast');
  const luma = toLuma(img);
  let sum = 0;
  for (const v of luma) sum += v;
  // ImageStat's mean, then int(mean + 0.5)
  const mean = Math.floor(sum / luma.length + 0.5);
  return blend(new Uint8Array(img.data.length).fill(mean), img, factor, 'adjustContrast');
}

/** `ImageEnhance.Color` (saturation): blend with the image's own greyscale, L → RGB. */
export function adjustSaturation(img: RgbImage, factor: number): RgbImage {
  assertRgbImage(img, 'adjustSaturation');
  const luma = toLuma(img);
  const grey = new Uint8Array(img.data.length);
  for (let i = 0; i < luma.length; i++) grey[i * 3] = grey[i * 3 + 1] = grey[i * 3 + 2] = luma[i];
  return blend(grey, img, factor, 'adjustSaturation');
}

/** PIL's `convert('L')` from RGB: ITU-R 601-2 luma in 16-bit fixed point, rounded. */
export function toLuma(img: RgbImage): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    out[i] = (d[i * 3] * 19595 + d[i * 3 + 1] * 38470 + d[i * 3 + 2] * 7471 + 0x8000) >> 16;
  }
  return out;
}

/**
 * `Image.blend(degenerate, img, alpha)` (libImaging/Blend.c): alpha is a C float, the sum is computed in float
 * and truncated to uint8; outside [0, 1] the result is clipped first.
 */
function blend(degenerate: Uint8Array, img: RgbImage, factor: number, where: string): RgbImage {
  if (!Number.isFinite(factor)) throw new Error(`${where}: factor must be a finite number, got ${factor}`);
  const f = Math.fround;
  const alpha = f(factor);
  const interpolate = alpha >= 0 && alpha <= 1;
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const a = degenerate[i];
    const value = f(a + f(alpha * (img.data[i] - a)));
    out[i] = interpolate ? value : value <= 0 ? 0 : value >= 255 ? 255 : value;
  }
  return { width: img.width, height: img.height, data: out };
}
