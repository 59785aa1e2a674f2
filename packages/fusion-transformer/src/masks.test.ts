import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { fusionKeyPaddingMask, visualPatchMask } from './masks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A [1, size, size] pixel mask padding rows outside [top, top + height). */
function rowPadding(size: number, top: number, height: number): tf.Tensor3D {
  const data = new Int32Array(size * size).fill(1);
  for (let r = top; r < top + height; r += 1) data.fill(0, r * size, (r + 1) * size);
  return tf.tensor3d(data, [1, size, size], 'int32');
}

function maskedRows(mask: tf.Tensor2D, grid: number): number[] {
  const data = mask.dataSync();
  const rows: number[] = [];
  for (let r = 0; r < grid; r += 1) {
    const row = Array.from(data.slice(r * grid, (r + 1) * grid));
    if (row.every((v) => v === 1)) rows.push(r);
    else expect(row.every((v) => v === 0)).toBe(true);
  }
  return rows;
}

describe('visualPatchMask (torchvision 0.10: bilinear then round half to even)', () => {
  test('spec §8: 500×333 letterboxed to 224×149, top 37 → patch rows 0, 1, 12, 13 masked', () => {
    const pixels = rowPadding(224, 37, 149);
    const mask = visualPatchMask(pixels, 14);
    expect(mask.shape).toEqual([1, 196]);
    expect(mask.dtype).toBe('bool');
    expect(maskedRows(mask, 14)).toEqual([0, 1, 12, 13]);
    tf.dispose([pixels, mask]);
  });

  test('spec §8: top = 8 gives a 0.5 cell in patch row 0, which rounds to 0 (not masked)', () => {
    const pixels = rowPadding(224, 8, 224 - 16);
    const mask = visualPatchMask(pixels, 14);
    expect(maskedRows(mask, 14)).toEqual([]);
    tf.dispose([pixels, mask]);
  });

  test('3 of the 4 centre pixels padded (0.75) masks the patch; 1 of 4 does not', () => {
    const data = new Int32Array(32 * 32);
    // patch (0,0) samples pixels {7,8}×{7,8}; pad three of them
    data[7 * 32 + 7] = 1;
    data[7 * 32 + 8] = 1;
    data[8 * 32 + 7] = 1;
    // patch (1,1) samples {23,24}×{23,24}; pad one
    data[23 * 32 + 23] = 1;
    const pixels = tf.tensor3d(data, [1, 32, 32], 'int32');
    const mask = visualPatchMask(pixels, 2);
    expect(Array.from(mask.dataSync())).toEqual([1, 0, 0, 0]);
    tf.dispose([pixels, mask]);
  });

  test('ViT-L/14 geometry samples pixels 14i+6 and 14i+7', () => {
    // padding rows 0..6 → patch row 0 samples rows 6 (pad) and 7 (image): 0.5 → not masked
    const pixels = rowPadding(224, 7, 224 - 7);
    expect(maskedRows(visualPatchMask(pixels, 16), 16)).toEqual([]);
    const pixels2 = rowPadding(224, 8, 224 - 8);
    expect(maskedRows(visualPatchMask(pixels2, 16), 16)).toEqual([0]);
    tf.dispose([pixels, pixels2]);
  });
});

test('fusionKeyPaddingMask: [REG] | text (id 0 masked) | CLS | patches', () => {
  const ids = tf.tensor2d([[49406, 320, 49407, 0, 0]], undefined, 'int32');
  const pixels = rowPadding(32, 0, 16); // bottom half padded → patch row 1 masked
  const mask = fusionKeyPaddingMask(ids, pixels, 2);
  expect(Array.from(mask.dataSync())).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
  tf.dispose([ids, pixels, mask]);
});
