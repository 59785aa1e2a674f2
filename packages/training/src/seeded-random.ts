/**
 * tfjs draws dropout masks from `Math.random()` when no seed is given (and the model's dropout takes none), so
 * a training step is only reproducible if `Math.random` is a seeded generator while the step runs. The step is
 * synchronous, so nothing else can observe the swap.
 */
import { createRng } from '@clip-vg/datasets';

export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  const rng = createRng(seed);
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** Stream numbers for `deriveSeed(seed, stream, index)`; the batch pipeline uses 1 and 2 + epoch. */
export const DROPOUT_STREAM = 1_000_003;
