/**
 * Reliability histogram over (0, 1]: bin k counts r in (k/bins, (k+1)/bins]. IoU-0 samples fall outside the
 * interval (they are never selected) and are counted in `zeros`. Fig. 5 of the paper uses 1000 bins.
 */
export interface ReliabilityHistogram {
  bins: number;
  counts: number[];
  /** Samples with r = 0, outside (0, 1]. */
  zeros: number;
  total: number;
}

export function reliabilityHistogram(reliabilities: readonly number[], bins = 1000): ReliabilityHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`reliabilityHistogram: bins must be a positive integer, got ${bins}`);
  const counts = new Array<number>(bins).fill(0);
  let zeros = 0;
  for (const r of reliabilities) {
    if (!(r >= 0 && r <= 1)) throw new Error(`reliabilityHistogram: reliability ${r} is outside [0, 1]`);
    if (r === 0) {
      zeros++;
      continue;
    }
    counts[Math.min(bins, Math.ceil(r * bins)) - 1]++;
  }
  return { bins, counts, zeros, total: reliabilities.length };
}

/** Merge adjacent bins (1000 → 100 for a readable plot); `factor` must divide `bins`. */
export function coarsen(h: ReliabilityHistogram, factor: number): ReliabilityHistogram {
  if (h.bins % factor !== 0) throw new Error(`coarsen: ${factor} does not divide ${h.bins} bins`);
  const counts = Array.from({ length: h.bins / factor }, (_, k) => h.counts.slice(k * factor, (k + 1) * factor).reduce((a, b) => a + b, 0));
  return { ...h, bins: h.bins / factor, counts };
}

/** `percent(H, h)` of the paper: the fraction of all samples with r > h. */
export function fractionAbove(reliabilities: readonly number[], h: number): number {
  if (reliabilities.length === 0) return 0;
  return reliabilities.filter((r) => (h >= 1 ? r === 1 : r > h)).length / reliabilities.length;
}
