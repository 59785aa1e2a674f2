/**
 * Split-file rows ⇄ GroundingRecords. A split file is one pickled list; each row is a tuple (ground truth)
 * or a list (pseudo labels, CLIP-VG outputs), unpacked positionally as the official loader does.
 */
import { refineRow } from '@clip-vg/curriculum';
import type { GroundingRecord } from '../record';
import { boxNumbers, officialBox, storedBox } from './box';
import { DATASETS, type DatasetName } from './datasets';

export interface RecordsFromSplitOptions {
  /** Used in ids (`${split}:${index}`); defaults to `row`. */
  split?: string;
  /** Pseudo-label source stored in each record. */
  source?: string;
  /** Names the file in error messages. */
  file?: string;
}

/**
 * Records from the decoded rows of a split file. Element positions follow the official loader:
 * `(img, _, bbox, phrase, attri)` for every dataset but Flickr, `(img, bbox, phrase)` for Flickr.
 * CLIP-VG's bad-label (6) and iou-result (7) lists keep the 5-element positions, even for Flickr.
 */
export function recordsFromSplit(rows: readonly unknown[], dataset: DatasetName, options: RecordsFromSplitOptions = {}): GroundingRecord[] {
  const { split = 'row', source, file = `${dataset} split` } = options;
  if (!Array.isArray(rows)) throw new Error(`${file}: not a split file (expected a list of rows, got ${kind(rows)})`);
  const { boxFormat } = DATASETS[dataset];
  return rows.map((row, index) => {
    const where = `${file}: row ${index}`;
    const [imageAt, boxAt, textAt] = positions(row, dataset, where);
    const fields = row as unknown[];
    const image = fields[imageAt];
    const text = fields[textAt];
    if (typeof image !== 'string') throw new Error(`${where}: image name is ${kind(image)}, not a string`);
    if (typeof text !== 'string') throw new Error(`${where}: phrase is ${kind(text)}, not a string`);
    const boxOriginal = boxNumbers(fields[boxAt], where);
    const record: GroundingRecord = { id: `${split}:${index}`, image, box: officialBox(boxOriginal, boxFormat), boxOriginal, text };
    if (source !== undefined) record.source = source;
    return record;
  });
}

/** Indices of image, box and phrase in `row`, or a one-line error naming the row. */
function positions(row: unknown, dataset: DatasetName, where: string): [number, number, number] {
  if (!Array.isArray(row)) throw new Error(`${where}: expected a tuple or list, got ${kind(row)}`);
  const n = row.length;
  if (dataset === 'flickr' && n === 3) return [0, 1, 2];
  if (n >= 5 && n <= 7) return [0, 2, 3];
  const expected = dataset === 'flickr' ? '3 (or CLIP-VG 6/7)' : '5 (or CLIP-VG 6/7)';
  throw new Error(`${where}: has ${n} elements, expected ${expected} for ${dataset}`);
}

export interface RecordsToRowsOptions {
  /** Wraps each row; pass torch-io's `pyTuple` to write ground-truth style tuples instead of lists. */
  wrap?: (items: unknown[]) => unknown;
}

/**
 * Rows in the official layout for `dataset`, the inverse of `recordsFromSplit`, for writing subsets that the
 * official code reads: `[img, 'useless placeholder', bbox, phrase, 'useless placeholder']` or Flickr's
 * `[img, bbox, phrase]`. The stored box is `boxOriginal` when it still gives `box` (so float boxes survive a
 * round trip), otherwise `box` converted back to the dataset's format.
 */
export function recordsToRows(records: readonly GroundingRecord[], dataset: DatasetName, options: RecordsToRowsOptions = {}): unknown[] {
  const { boxFormat } = DATASETS[dataset];
  const wrap = options.wrap ?? ((items: unknown[]) => items);
  return records.map((record) => {
    const keep = record.boxOriginal.length === 4 && sameBox(officialBox(record.boxOriginal, boxFormat), record.box);
    const boxOriginal = keep ? record.boxOriginal : storedBox(record.box, boxFormat);
    return wrap(refineRow(dataset, { image: record.image, boxOriginal, text: record.text }, { lowercase: false, boxNumbers: 'auto' }));
  });
}

function sameBox(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}
