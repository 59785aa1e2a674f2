import { mulberry32 } from '@clip-vg/datasets';

/**
 * Weight initialisation draws (the project's mulberry32 + Box–Muller), so that `ClipVG.create(config, { seed })`
 * is reproducible across runs and backends. Seeded with the raw seed, not `createRng`'s mixed one, so models
 * initialised before the generators were shared keep their weights.
 */
export class SeededRandom {
  private readonly source: { next(): number };
  private spare: number | undefined;

  constructor(seed: number) {
    this.source = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.source.next();
  }

  /** `n` values uniform in [-bound, bound). */
  uniform(n: number, bound: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 1) out[i] = (this.next() * 2 - 1) * bound;
    return out;
  }

  /** `n` values from N(0, std²). */
  normal(n: number, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 1) out[i] = this.gaussian() * std;
    return out;
  }

  private gaussian(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}
