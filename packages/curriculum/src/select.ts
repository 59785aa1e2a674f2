/** The code's selection grid: 0.0, 0.1, ..., 0.9 (computed as i/10 so that 0.3 prints as 0.3). */
export const DEFAULT_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => i / 10);

/**
 * `{s : r(s) > h}` (strict, as `evaluate_for_filtering` does). h = 1 means `r == 1`, the code's `refine_1_0` file.
 * IoU-0 samples are therefore never selected by any threshold.
 */
export function selectByReliability<S>(samples: readonly S[], reliabilities: readonly number[], h: number): S[] {
  if (samples.length !== reliabilities.length) {
    throw new Error(`selectByReliability: ${samples.length} samples but ${reliabilities.length} reliabilities`);
  }
  return samples.filter((_, i) => passes(reliabilities[i], h));
}

/** Whether reliability `r` is kept at threshold `h`. */
export function passes(r: number, h: number): boolean {
  return h >= 1 ? r === 1 : r > h;
}

/** Threshold as the official file names write it: Python `str(h).replace('.', '_')`, e.g. 0.5 → `0_5`, 1 → `1_0`. */
export function thresholdTag(h: number): string {
  const text = Number.isInteger(h) ? `${h}.0` : String(h);
  return text.replace('.', '_');
}
