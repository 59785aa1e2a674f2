import { assertRgbImage, assertSize, type RgbImage } from './rgb-image';

/**
 * PIL `img.crop((x, y, x + w, y + h))` with integer coordinates: the w×h window at (x, y). Like PIL, parts of
 * the window outside the image are black rather than an error (training's RandomSizeCrop stays inside).
 */
export function crop(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  assertRgbImage(img, 'crop');
  if (!Number.isInteger(x) || !Number.isInteger(y)) throw new Error(`crop: offsets must be integers, got (${x}, ${y})`);
  assertSize(w, h, 'crop');
  const out = new Uint8Array(w * h * 3);
  const x0 = Math.max(x, 0);
  const x1 = Math.min(x + w, img.width);
  if (x1 > x0) {
    for (let row = Math.max(y, 0); row < Math.min(y + h, img.height); row++) {
      const src = (row * img.width + x0) * 3;
      out.set(img.data.subarray(src, src + (x1 - x0) * 3), ((row - y) * w + (x0 - x)) * 3);
    }
  }
  return { width: w, height: h, data: out };
}
