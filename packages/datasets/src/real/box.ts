/**
 * Ground-truth box loading exactly as the official loader's `pull_item` does it:
 * `bbox = np.array(bbox, dtype=int)` (truncation towards zero), then for the COCO family
 * `x2 = x + w, y2 = y + h` on the already truncated integers.
 */
import type { BoxFormat } from './datasets';

export type Box = [number, number, number, number];

/**
 * The numbers inside a stored box: a list or tuple of ints/floats, or a numpy array / tensor from
 * `@clip-vg/torch-io` (anything with a flat `data` array). Throws with `where` when it is not 4 numbers.
 */
export function boxNumbers(value: unknown, where: string): number[] {
  const flat = flatNumbers(value);
  if (!flat || flat.length !== 4 || flat.some((v) => !Number.isFinite(v))) {
    throw new Error(`${where}: box is not 4 finite numbers (${describe(value)})`);
  }
  return flat;
}

/** `[x1, y1, x2, y2]` in pixels from a stored box, as the official loader computes it. */
export function officialBox(stored: readonly number[], format: BoxFormat): Box {
  // numpy's float→int cast truncates towards zero; Math.trunc also maps -0.5 to -0, so normalise it.
  const [a, b, c, d] = stored.map((v) => Math.trunc(v) + 0);
  return format === 'xywh' ? [a, b, a + c, b + d] : [a, b, c, d];
}

/** The inverse of the stored→pixels step, for writing records back into a split file. */
export function storedBox(box: Box, format: BoxFormat): number[] {
  const [x1, y1, x2, y2] = box;
  return format === 'xywh' ? [x1, y1, x2 - x1, y2 - y1] : [x1, y1, x2, y2];
}

function flatNumbers(value: unknown): number[] | undefined {
  if (Array.isArray(value)) {
    const out: number[] = [];
    for (const item of value) {
      const n = scalar(item);
      if (n === undefined) return undefined;
      out.push(n);
    }
    return out;
  }
  if (value && typeof value === 'object') {
    // torch-io's NumpyArray keeps a row-major typed array in `data`; its TorchTensor copies one out.
    const holder = value as { data?: unknown; toTypedArray?: () => unknown };
    const data = typeof holder.toTypedArray === 'function' ? holder.toTypedArray() : holder.data;
    if (ArrayBuffer.isView(data) || Array.isArray(data)) {
      return Array.from(data as ArrayLike<number | bigint>, (v) => Number(v));
    }
  }
  return undefined;
}

function scalar(item: unknown): number | undefined {
  if (typeof item === 'number') return item;
  if (typeof item === 'bigint') return Number(item);
  if (typeof item === 'boolean') return item ? 1 : 0;
  // A numpy scalar (np.int64 from an int array) arrives as a 0-d array.
  const flat = item && typeof item === 'object' ? flatNumbers(item) : undefined;
  return flat && flat.length === 1 ? flat[0] : undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}
