import { assertRgbImage, type RgbImage } from './rgb-image';

/**
 * PIL `ImageFilter.GaussianBlur(radius)` (libImaging/BoxBlur.c): three passes of an "extended" box blur
 * (Gwosdek et al. 2011) per axis, horizontal then vertical, with 24-bit fixed-point weights. The float32
 * arithmetic of the C code is reproduced with Math.fround so the bytes match Pillow 9.
 */
const PASSES = 3;

export function gaussianBlur(img: RgbImage, radius: number): RgbImage {
  assertRgbImage(img, 'gaussianBlur');
  if (!Number.isFinite(radius) || radius < 0) throw new Error(`gaussianBlur: radius must be a finite number ≥ 0, got ${radius}`);
  const boxRadius = extendedBoxRadius(radius);
  if (boxRadius === 0) return { width: img.width, height: img.height, data: img.data.slice() };
  let data: Uint8Array = img.data.slice();
  for (let i = 0; i < PASSES; i++) data = boxBlurRows(data, img.width, img.height, boxRadius);
  let transposed = transpose(data, img.width, img.height);
  for (let i = 0; i < PASSES; i++) transposed = boxBlurRows(transposed, img.height, img.width, boxRadius);
  return { width: img.width, height: img.height, data: transpose(transposed, img.height, img.width) };
}

/** `ImagingGaussianBlur`: the fractional box radius whose 3-pass variance equals the Gaussian's. */
function extendedBoxRadius(radius: number): number {
  const f = Math.fround;
  const sigma2 = f(f(f(radius) * f(radius)) / PASSES);
  const L = f(Math.sqrt(12.0 * sigma2 + 1.0));
  const l = f(Math.floor((L - 1.0) / 2.0));
  let a = f(f(2 * l + 1) * f(f(l * f(l + 1)) - f(3 * sigma2)));
  a = f(a / f(6 * f(sigma2 - f(f(l + 1) * f(l + 1)))));
  return f(l + a);
}

/** One horizontal box-blur pass over every row (`ImagingHorizontalBoxBlur` + `ImagingLineBoxBlur32`). */
function boxBlurRows(src: Uint8Array, width: number, height: number, floatRadius: number): Uint8Array {
  const f = Math.fround;
  const radius = Math.trunc(floatRadius);
  // Integer weight of the whole pixels and of the two fractional ends, scaled by 2^24.
  const ww = Math.trunc(f(16777216 / f(f(floatRadius * 2) + 1)));
  const fw = Math.trunc((16777216 - (radius * 2 + 1) * ww) / 2);
  const lastx = width - 1;
  const edgeA = Math.min(radius + 1, width);
  const edgeB = Math.max(width - radius - 1, 0);
  const out = new Uint8Array(src.length);
  const line = new Int32Array(width); // one channel of one row
  const bulkOf = (acc: number, left: number, right: number) => Math.floor((acc * ww + (line[left] + line[right]) * fw + 8388608) / 16777216);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < width; x++) line[x] = src[row + x * 3 + c];
      const o = row + c;
      // The window sum for the virtual pixel -1: the edge pixel repeats outside the row.
      let acc = line[0] * (radius + 1);
      for (let x = 0; x < edgeA - 1; x++) acc += line[x];
      acc += line[lastx] * (radius - edgeA + 1);
      if (edgeA <= edgeB) {
        for (let x = 0; x < edgeA; x++) {
          acc += line[x + radius] - line[0];
          out[o + x * 3] = bulkOf(acc, 0, x + radius + 1);
        }
        for (let x = edgeA; x < edgeB; x++) {
          acc += line[x + radius] - line[x - radius - 1];
          out[o + x * 3] = bulkOf(acc, x - radius - 1, x + radius + 1);
        }
        for (let x = edgeB; x <= lastx; x++) {
          acc += line[lastx] - line[x - radius - 1];
          out[o + x * 3] = bulkOf(acc, x - radius - 1, lastx);
        }
      } else {
        for (let x = 0; x < edgeB; x++) {
          acc += line[x + radius] - line[0];
          out[o + x * 3] = bulkOf(acc, 0, x + radius + 1);
        }
        for (let x = edgeB; x < edgeA; x++) {
          acc += line[lastx] - line[0];
          out[o + x * 3] = bulkOf(acc, 0, lastx);
        }
        for (let x = edgeA; x <= lastx; x++) {
          acc += line[lastx] - line[x - radius - 1];
          out[o + x * 3] = bulkOf(acc, x - radius - 1, lastx);
        }
      }
    }
  }
  return out;
}

function transpose(src: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = (x * height + y) * 3;
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
  }
  return out;
}
