/** The middle value of timed runs (the upper middle of an even count), as every bench reports it. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
