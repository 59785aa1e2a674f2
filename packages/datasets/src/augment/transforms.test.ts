import { IMAGENET_MEAN, IMAGENET_STD, letterbox, type RgbImage } from '@clip-vg/image';
import { createRng, type Rng } from '../synthetic/rng';
import { evalTransform, multiScaleSizes, randomSizeCrop, trainTransform } from './index';

/** A grey image with one red square at [x1, y1, x2, y2]. */
function redSquare(width: number, height: number, box: number[]): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(128);
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) data.set([230, 20, 20], (y * width + x) * 3);
  }
  return { width, height, data };
}

/** Un-normalised RGB at the centre of a normalised (cx, cy, w, h) box. */
function colourAtBoxCentre(pixels: Float32Array, imsize: number, box: number[]): number[] {
  const x = Math.floor(box[0] * imsize);
  const y = Math.floor(box[1] * imsize);
  return [0, 1, 2].map((c) => (pixels[(y * imsize + x) * 3 + c] * IMAGENET_STD[c] + IMAGENET_MEAN[c]) * 255);
}

/** An rng whose int() answers come from a script (for the RandomSizeCrop acceptance test). */
function scriptedRng(ints: number[]): Rng {
  const base = createRng(0);
  return { ...base, int: () => ints.shift()! };
}

describe('eval transform', () => {
  test('is the letterbox of @clip-vg/image with the box mapped into the padded square', () => {
    const img = redSquare(100, 50, [10, 10, 30, 40]);
    const out = evalTransform(img, [10, 10, 30, 40], 64);
    const lb = letterbox(img, 64);
    expect(out.pixels).toEqual(lb.pixels);
    expect(out.mask).toEqual(lb.mask);
    // ratio 0.64, top = floor((64 - 32) / 2) = 16
    expect(out.box.map((v) => Number(v.toFixed(6)))).toEqual([0.2, 0.5, 0.2, 0.3].map((v) => Number(v.toFixed(6))));
  });
});

describe('training augmentation', () => {
  const img = redSquare(120, 90, [40, 30, 70, 60]);

  test('is reproducible from the seed and varies across seeds', () => {
    const a = trainTransform(img, [40, 30, 70, 60], 'a red square', createRng(5), { imsize: 64 });
    const b = trainTransform(img, [40, 30, 70, 60], 'a red square', createRng(5), { imsize: 64 });
    const c = trainTransform(img, [40, 30, 70, 60], 'a red square', createRng(6), { imsize: 64 });
    expect(a.pixels).toEqual(b.pixels);
    expect(a.box).toEqual(b.box);
    expect(a.pixels).not.toEqual(c.pixels);
  });

  test('the box follows the object through crop, scale, jitter and translation; no flip', () => {
    for (let seed = 0; seed < 40; seed++) {
      const out = trainTransform(img, [40, 30, 70, 60], 'a red square', createRng(seed), { imsize: 96 });
      const [r, g, b] = colourAtBoxCentre(out.pixels, 96, out.box);
      expect(r).toBeGreaterThan(g + 60);
      expect(r).toBeGreaterThan(b + 60);
      expect(out.mask[Math.floor(out.box[1] * 96) * 96 + Math.floor(out.box[0] * 96)]).toBe(0);
    }
  });

  test('multi-scale sizes: the official list at 224, proportional elsewhere', () => {
    expect(multiScaleSizes(224)).toEqual([224, 192, 160, 128, 96, 64, 32]);
    expect(multiScaleSizes(64)).toEqual([64, 55, 46, 37, 27, 18, 9]);
  });

  test('explicit scales replace the multi-scale list', () => {
    for (let seed = 0; seed < 10; seed++) {
      const out = trainTransform(img, [40, 30, 70, 60], 'left', createRng(seed), { imsize: 64, scales: [60], translate: false });
      expect(out.box[2] * 64).toBeCloseTo(15, 5); // 30 px × 60 / 120
    }
    expect(() => trainTransform(img, [40, 30, 70, 60], 'x', createRng(0), { imsize: 64, scales: [80] })).toThrow(/scales must be integers in 1\.\.64/);
  });

  test('texts with direction words never take the crop branch', () => {
    // without crop, the object's size in the output is the long-side scale times its original size
    for (let seed = 0; seed < 30; seed++) {
      const out = trainTransform(img, [40, 30, 70, 60], 'the square on the left', createRng(seed), { imsize: 224, translate: false });
      const scale = (out.box[2] * 224) / 30; // box width / original width = resize ratio
      const longSide = Math.round(scale * 120);
      expect(multiScaleSizes(224)).toContain(longSide);
    }
  });

  test('no augmentation at all reduces to the centred letterbox', () => {
    const out = trainTransform(img, [40, 30, 70, 60], 'left', createRng(1), {
      imsize: 64,
      scale: false,
      translate: false,
      crop: false,
      colorJitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, probability: 0 },
    });
    const ref = evalTransform(img, [40, 30, 70, 60], 64);
    expect(out.pixels).toEqual(ref.pixels);
    expect(out.box).toEqual(ref.box);
  });
});

describe('RandomSizeCrop', () => {
  const img = redSquare(600, 500, [100, 300, 140, 340]);

  test('reproduces the upstream axis swap: x centre vs row offset, y centre vs column offset', () => {
    // box centre (120, 320). Try 1: w=400, h=400, i (row)=100, j (col)=150 → 120 > 100 and 320 > 150: accepted,
    // although the column offset 150 is right of the box's left edge.
    const out = randomSizeCrop({ image: img, box: [100, 300, 140, 340] }, 384, 600, scriptedRng([400, 400, 100, 150]));
    expect(out.image.width).toBe(400);
    expect(out.image.height).toBe(400);
    expect(out.box).toEqual([0, 200, 0, 240]);
  });

  test('rejects when the x centre is not below the row offset, and gives up after 20 tries', () => {
    const script = Array.from({ length: 20 }, () => [400, 400, 130, 0]).flat(); // 120 > 130 fails every time
    const input = { image: img, box: [100, 300, 140, 340] as [number, number, number, number] };
    expect(randomSizeCrop(input, 384, 600, scriptedRng(script))).toBe(input);
  });
});
