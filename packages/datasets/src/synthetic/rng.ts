/**
 * A small seeded random number generator (mulberry32). Every random choice in the synthetic world, the
 * augmentation and the batch pipeline draws from one of these, so a seed reproduces a run exactly.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi], both inclusive (Python's `random.randint`). */
  int(lo: number, hi: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** The raw 32-bit state, to derive independent child generators. */
  state(): number;
}

/** mulberry32 started from a raw 32-bit state: the one generator behind every seeded draw of the project. */
export function mulberry32(initialState: number): { next(): number; state(): number } {
  let a = initialState >>> 0;
  return {
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    state: () => a,
  };
}

export function createRng(seed: number): Rng {
  const source = mulberry32((Math.floor(seed) >>> 0) ^ 0x9e3779b9);
  const next = source.next;
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('rng.pick: empty list');
      return items[Math.floor(next() * items.length)];
    },
    shuffle: (items) => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
    state: source.state,
  };
  return rng;
}

/** A seed for item `index` of stream `stream` under `seed`: independent of how many items came before. */
export function deriveSeed(seed: number, stream: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x85ebca6b, 0xc2b2ae35);
  h = Math.imul(h ^ (stream + 0x27d4eb2f), 0x165667b1);
  h = Math.imul(h ^ (index + 0x61c88647), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
