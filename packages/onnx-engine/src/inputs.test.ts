import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { clipVGConfig } from '@clip-vg/fusion-transformer';
import { TINY_CLIP } from './benchmark';
import { batchInputArrays, graphInputs, graphInputsForRows, MASKED_LOGIT, usedTextLength } from './inputs';

beforeAll(async () => {
  await initBackend('wasm', { log: null });
});

test('usedTextLength: one past the last non-zero id of any row, at least 1', () => {
  expect(usedTextLength(new Int32Array([5, 6, 0, 0, 7, 0, 0, 0]), 2, 4)).toBe(2);
  expect(usedTextLength(new Int32Array([5, 0, 0, 9]), 1, 4)).toBe(4);
  expect(usedTextLength(new Int32Array([0, 0, 0]), 1, 3)).toBe(1);
});

test('graphInputs: trimmed int64 ids and, per row, the fusion positions that are not padding ([REG] | text | CLS | patches)', () => {
  const config = clipVGConfig(TINY_CLIP, [0, 3, 7, 11], { vlFfnDim: 256 }); // 64 px, 4×4 patches
  const ids = tf.tensor2d(
    [
      [49406, 320, 49407, ...new Array(74).fill(0)],
      [49406, 49407, ...new Array(75).fill(0)],
    ],
    undefined,
    'int32',
  );
  const mask = tf.buffer([2, 64, 64], 'int32');
  for (let y = 48; y < 64; y++) for (let x = 0; x < 64; x++) mask.set(1, 1, y, x); // image 1: bottom patch row is padding
  const pixelMask = mask.toTensor() as tf.Tensor3D;
  const inputs = graphInputs(ids as tf.Tensor2D, pixelMask, config);
  expect(inputs.length).toBe(3);
  expect(Array.from(inputs.ids, Number)).toEqual([49406, 320, 49407, 49406, 49407, 0]);
  const full = 1 + 3 + 1 + 16;
  expect(inputs.sequence).toBe(full); // row 0 keeps everything
  const row = <T>(data: ArrayLike<T>, b: number): T[] => Array.from(data).slice(b * full, (b + 1) * full);
  const all = Array.from({ length: full }, (_, i) => i);
  expect(row(inputs.positions, 0).map(Number)).toEqual(all);
  expect(row(inputs.keyBias, 0).every((v) => v === 0)).toBe(true);
  // Row 1 drops its padded third token (position 3) and its last 4 patches (positions 17-20), then fills with 0.
  const kept = all.filter((p) => p !== 3 && p < 17);
  expect(row(inputs.positions, 1).map(Number)).toEqual([...kept, ...new Array(full - kept.length).fill(0)]);
  expect(row(inputs.keyBias, 1)).toEqual([...new Array(kept.length).fill(0), ...new Array(full - kept.length).fill(MASKED_LOGIT)]);
  tf.dispose([ids, pixelMask]);
});

test('graphInputsForRows: a chunk of rows gives what graphInputs gives on those rows alone (text trimmed per chunk)', () => {
  const config = clipVGConfig(TINY_CLIP, [0, 3, 7, 11], { vlFfnDim: 256 });
  const texts = [
    [49406, 320, 321, 49407],
    [49406, 49407],
    [49406, 322, 49407],
  ];
  const ids = tf.tensor2d(
    texts.map((t) => [...t, ...new Array(77 - t.length).fill(0)]),
    undefined,
    'int32',
  ) as tf.Tensor2D;
  const mask = tf.buffer([3, 64, 64], 'int32');
  for (let y = 32; y < 64; y++) for (let x = 0; x < 64; x++) mask.set(1, 2, y, x);
  const pixelMask = mask.toTensor() as tf.Tensor3D;
  const arrays = batchInputArrays(ids, pixelMask, config);
  for (const [start, end] of [
    [0, 3],
    [1, 3],
    [1, 2],
    [2, 3],
  ] as const) {
    const rowIds = tf.slice(ids, [start, 0], [end - start, -1]) as tf.Tensor2D;
    const rowMask = tf.slice(pixelMask, [start, 0, 0], [end - start, -1, -1]) as tf.Tensor3D;
    expect(graphInputsForRows(arrays, start, end)).toEqual(graphInputs(rowIds, rowMask, config));
    tf.dispose([rowIds, rowMask]);
  }
  expect(graphInputsForRows(arrays, 1, 2).length).toBe(2); // row 1's own text length, not the batch's 4
  tf.dispose([ids, pixelMask]);
});
