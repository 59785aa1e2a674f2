import { createRng, deriveSeed } from '@clip-vg/datasets';

/** Stream of the data order for training: epoch e is a seeded shuffle of 0..n−1; batches run on across epochs. */
const ORDER_STREAM = 41;

export function shuffledStream(n: number, seed: number): (count: number) => Int32Array {
  let epoch = 0;
  let order: number[] = [];
  let position = 0;
  return (count) => {
    const out = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      if (position === order.length) {
        order = createRng(deriveSeed(seed, ORDER_STREAM, epoch++)).shuffle(Array.from({ length: n }, (_, i) => i));
        position = 0;
      }
      out[k] = order[position++]!;
    }
    return out;
  };
}
