import { readFileSync } from 'node:fs';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { createImage } from './rgb-image';
import { letterbox, resizeToSide } from './letterbox';
import { boxToLetterbox, letterboxToOriginal } from './letterbox-boxes';
import { loadImage } from './load-image';
import { IMAGENET_MEAN, IMAGENET_STD } from './normalize-and-pad';
import { pythonRound } from './python-round';

function filled(width: number, height: number, value: number) {
  const img = createImage(width, height);
  img.data.fill(value);
  return img;
}

function paddedRows(mask: Uint8Array, imsize: number): number[] {
  const rows: number[] = [];
  for (let y = 0; y < imsize; y++) if (mask[y * imsize] === 1 && mask[y * imsize + imsize - 1] === 1) rows.push(y);
  return rows;
}

test('pythonRound rounds half to even', () => {
  expect([0.5, 1.5, 2.5, -0.5, 2.4999, 2.5001, 149.184].map(pythonRound)).toEqual([0, 2, 2, 0, 2, 3, 149]);
});

describe('spec §8: a 500×333 image at 224', () => {
  const lb = letterbox(filled(500, 333, 128), 224);

  test('resizes to 224×149 with ratio 0.448 and pads 37 rows on top', () => {
    expect([lb.width, lb.height, lb.ratio, lb.top, lb.left]).toEqual([224, 149, 0.448, 37, 0]);
  });

  test('masks rows 0–36 and 186–223 only', () => {
    const expected = [...Array.from({ length: 37 }, (_, i) => i), ...Array.from({ length: 38 }, (_, i) => 186 + i)];
    expect(paddedRows(lb.mask, 224)).toEqual(expected);
    expect(lb.mask.reduce((a, b) => a + b, 0)).toBe(75 * 224);
  });

  test('padding is 0 after normalisation, image pixels are ImageNet-normalised', () => {
    expect(Array.from(lb.pixels.subarray(0, 3))).toEqual([0, 0, 0]);
    const inside = (100 * 224 + 50) * 3;
    for (let c = 0; c < 3; c++) expect(lb.pixels[inside + c]).toBeCloseTo((128 / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c], 5);
  });
});

test('the odd padding pixel goes to the bottom/right; explicit offsets translate', () => {
  const lb = letterbox(filled(10, 7, 9), 10); // 10×7 → dh = 3
  expect([lb.top, lb.left]).toEqual([1, 0]);
  expect(paddedRows(lb.mask, 10)).toEqual([0, 8, 9]);
  const moved = letterbox(filled(10, 7, 9), 10, { top: 3 });
  expect(paddedRows(moved.mask, 10)).toEqual([0, 1, 2]);
  expect(() => letterbox(filled(10, 7, 9), 10, { top: 4 })).toThrow('letterbox: top must be an integer in 0..3, got 4');
});

test('resizeToSide short side (training crop branch)', () => {
  const { image, ratio } = resizeToSide(filled(640, 427, 1), 400, 'short');
  expect([image.width, image.height, ratio]).toEqual([pythonRound(640 * (400 / 427)), 400, 400 / 427]);
});

test('boxes map into the letterbox and back', () => {
  const lb = letterbox(filled(500, 333, 0), 224);
  const box = [100, 50, 300, 250];
  const target = boxToLetterbox(box, lb);
  // x: 100·0.448 = 44.8 … 134.4; y: 50·0.448 + 37 = 59.4 … 149
  expect(target[0]).toBeCloseTo((44.8 + 134.4) / 2 / 224, 12);
  expect(target[1]).toBeCloseTo((59.4 + 149) / 2 / 224, 12);
  expect(target[2]).toBeCloseTo(89.6 / 224, 12);
  expect(target[3]).toBeCloseTo(89.6 / 224, 12);
  letterboxToOriginal(target, lb).forEach((v, i) => expect(v).toBeCloseTo(box[i], 9));
  expect(letterboxToOriginal([0.5, 0.1, 0.2, 0.4], lb)[1]).toBeCloseTo(-37 / 0.448, 9); // clamped at the square's top edge
});

describeShared('clipvg-tiny golden cases (imsize 64)', () => {
  const cases = JSON.parse(readFileSync(sharedPath('golden', 'clipvg-tiny', 'cases.json'), 'utf8')).cases as {
    image: string;
    width: number;
    height: number;
    resized: [number, number];
    pad_left: number;
    pad_top: number;
    pred_cxcywh_normalized: number[];
    pred_xyxy_pixels: number[];
  }[];

  test.each(cases.map((c) => [c.image, c] as const))('%s: size, resize and padding match', async (_name, c) => {
    const img = await loadImage(sharedPath('golden', 'clipvg-tiny', c.image));
    expect([img.width, img.height]).toEqual([c.width, c.height]);
    const lb = letterbox(img, 64);
    expect([lb.width, lb.height, lb.left, lb.top]).toEqual([...c.resized, c.pad_left, c.pad_top]);
    letterboxToOriginal(c.pred_cxcywh_normalized, lb).forEach((v, i) => expect(v).toBeCloseTo(c.pred_xyxy_pixels[i], 4));
  });
});
