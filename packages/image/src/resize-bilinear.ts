import { assertRgbImage, assertSize, type RgbImage } from './rgb-image';

/**
 * Pillow 9 `Image.resize(size, Image.BILINEAR)` on RGB, bit for bit (libImaging/Resample.c).
 *
 * Separable: a horizontal pass into an 8-bit intermediate, then a vertical pass. When shrinking, the
 * triangle filter's support grows with the scale factor (area-aware, unlike tf.image.resizeBilinear), and the
 * weights are quantised to fixed point with PRECISION_BITS = 22 exactly as Pillow does, so results match.
 */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** Source index range and fixed-point weights of every output pixel along one axis. */
interface AxisCoefficients {
  /** Weights per output pixel (`ksize` slots each, unused slots 0). */
  weights: Int32Array;
  ksize: number;
  /** First source index per output pixel. */
  start: Int32Array;
  /** Number of source pixels used per output pixel. */
  count: Int32Array;
}

function triangle(x: number): number {
  const ax = Math.abs(x);
  return ax < 1 ? 1 - ax : 0;
}

/** `precompute_coeffs` + `normalize_coeffs_8bpc` for the box [0, inSize). */
function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // the bilinear filter's support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const weights = new Int32Array(outSize * ksize);
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const raw = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      raw[x] = triangle((x + xmin - center + 0.5) / filterScale);
      sum += raw[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? raw[x] / sum : raw[x];
      // C's (int)(±0.5 + w * ONE): truncation towards zero after the half offset
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { weights, ksize, start, count };
}

/** Pillow's clip8: the accumulator's integer part, clamped to 0..255. */
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resize along x for source rows [rowOffset, rowOffset + rows). */
function resampleHorizontal(img: RgbImage, outWidth: number, rowOffset: number, rows: number, c: AxisCoefficients): RgbImage {
  const out = new Uint8Array(outWidth * rows * 3);
  const src = img.data;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + rowOffset) * img.width * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const k = xx * c.ksize;
      const first = rowBase + c.start[xx] * 3;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let x = 0; x < c.count[xx]; x++) {
        const w = c.weights[k + x];
        const p = first + x * 3;
        r += src[p] * w;
        g += src[p + 1] * w;
        b += src[p + 2] * w;
      }
      const o = (y * outWidth + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width: outWidth, height: rows, data: out };
}

/** Resize along y; `c.start` is relative to the first row of `img`. */
function resampleVertical(img: RgbImage, outHeight: number, c: AxisCoefficients, rowShift: number): RgbImage {
  const width = img.width;
  const out = new Uint8Array(width * outHeight * 3);
  const src = img.data;
  for (let yy = 0; yy < outHeight; yy++) {
    const k = yy * c.ksize;
    const first = (c.start[yy] - rowShift) * width * 3;
    for (let x = 0; x < width; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let y = 0; y < c.count[yy]; y++) {
        const w = c.weights[k + y];
        const p = first + (y * width + x) * 3;
        r += src[p] * w;
        g += src[p + 1] * w;
        b += src[p + 2] * w;
      }
      const o = (yy * width + x) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width, height: outHeight, data: out };
}

/** Pillow 9 `img.resize((width, height), Image.BILINEAR)`, bit-exact on RGB uint8. */
export function resizeBilinear(img: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(img, 'resizeBilinear');
  assertSize(width, height, 'resizeBilinear');
  if (width === img.width && height === img.height) {
    return { width, height, data: img.data.slice() };
  }
  const horizontal = axisCoefficients(img.width, width);
  const vertical = axisCoefficients(img.height, height);
  let current = img;
  let rowShift = 0;
  if (width !== img.width) {
    // Only the source rows the vertical pass reads go through the horizontal pass, as in Pillow.
    const firstRow = vertical.start[0];
    const lastRow = vertical.start[height - 1] + vertical.count[height - 1];
    current = resampleHorizontal(img, width, firstRow, lastRow - firstRow, horizontal);
    rowShift = firstRow;
  }
  if (height !== img.height) {
    current = resampleVertical(current, height, vertical, rowShift);
  }
  return current === img ? { width, height, data: img.data.slice() } : current;
}
