import { groupRowsByImage } from './image-groups';

/** Rows of 4 pixels and 2 mask values; `images[b]` picks row b's picture, `masks[b]` its mask. */
function batchOf(images: number[], masks: number[] = images.map(() => 0)) {
  const pixels = new Float32Array(images.flatMap((k) => [k, k + 0.5, -k, 1]));
  const mask = new Int32Array(masks.flatMap((m) => [m, 0]));
  return groupRowsByImage(pixels, mask, images.length, 2);
}

test('distinct images: chunks of at most maxImages rows, each row its own image', () => {
  const chunks = batchOf([1, 2, 3, 4, 5]);
  expect(chunks.map((c) => [c.start, c.end, c.imageRows])).toEqual([
    [0, 2, [0, 1]],
    [2, 4, [2, 3]],
    [4, 5, [4]],
  ]);
  expect(chunks.map((c) => Array.from(c.imageIndex, Number))).toEqual([[0, 1], [0, 1], [0]]);
});

test('rows with the same pixels and mask share an image, also across the chunk; another mask is another image', () => {
  // rows: a a b a c c | a with another mask
  const chunks = batchOf([7, 7, 8, 7, 9, 9, 7], [0, 0, 0, 0, 0, 0, 1]);
  expect(chunks.map((c) => [c.start, c.end, c.imageRows])).toEqual([
    [0, 4, [0, 2]],
    [4, 7, [4, 6]],
  ]);
  expect(chunks.map((c) => Array.from(c.imageIndex, Number))).toEqual([
    [0, 0, 1, 0],
    [0, 0, 1],
  ]);
});
