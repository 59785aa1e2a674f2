/**
 * Python 3's `round(x)`: round half to even on the exact double value. The CLIP-VG transforms use it for the
 * resized size and the padding offsets, so `Math.round` (half up) would shift odd cases by a pixel.
 */
export function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for doubles
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
