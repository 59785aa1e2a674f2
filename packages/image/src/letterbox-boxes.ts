import type { Letterboxed } from './letterbox';

export type BoxXyxy = [number, number, number, number];
export type BoxCxcywh = [number, number, number, number];

/** Geometry of a letterbox; `Letterboxed` satisfies it, so boxes can be mapped without keeping the pixels. */
export type LetterboxGeometry = Pick<Letterboxed, 'imsize' | 'ratio' | 'top' | 'left'>;

/**
 * Original-image pixel box (x1, y1, x2, y2) → the training target: normalised (cx, cy, w, h) in the padded square.
 * Scales by the resize ratio, shifts by the padding, divides by imsize (the official NormalizeAndPad order).
 */
export function boxToLetterbox(boxXyxy: readonly number[], lb: LetterboxGeometry): BoxCxcywh {
  checkBox(boxXyxy, 'boxToLetterbox');
  const [x1, y1, x2, y2] = boxXyxy.map((v, i) => v * lb.ratio + (i % 2 === 0 ? lb.left : lb.top));
  return [(x1 + x2) / 2 / lb.imsize, (y1 + y2) / 2 / lb.imsize, (x2 - x1) / lb.imsize, (y2 - y1) / lb.imsize];
}

export interface ToOriginalOptions {
  /** Clamp to the padded square [0, imsize] before removing the padding, as the predict path does (default true). */
  clamp?: boolean;
}

/**
 * Predicted normalised (cx, cy, w, h) → original-image pixels (x1, y1, x2, y2). A box that reaches into the
 * padding maps outside the image (negative or past the size); it is not clipped to the image.
 */
export function letterboxToOriginal(cxcywh: readonly number[], lb: LetterboxGeometry, options: ToOriginalOptions = {}): BoxXyxy {
  checkBox(cxcywh, 'letterboxToOriginal');
  const [cx, cy, w, h] = cxcywh.map((v) => v * lb.imsize);
  const padded = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  const clamp = options.clamp ?? true;
  return padded.map((v, i) => {
    const inside = clamp ? Math.min(Math.max(v, 0), lb.imsize) : v;
    return (inside - (i % 2 === 0 ? lb.left : lb.top)) / lb.ratio;
  }) as BoxXyxy;
}

function checkBox(box: readonly number[], where: string): void {
  if (box.length !== 4 || box.some((v) => !Number.isFinite(v))) {
    throw new Error(`${where}: a box needs 4 finite numbers, got [${box.join(', ')}]`);
  }
}
