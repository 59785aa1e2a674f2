import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { pyFloat, savePth, type PyWritable } from '@clip-vg/torch-io';
import { thresholdTag } from './select';

/**
 * The fields of a split-file row that the official outputs copy. `GroundingRecord` from `@clip-vg/datasets` fits:
 * `boxOriginal` is element [2] exactly as the split file stores it (`bbox_ori`).
 */
export interface SplitRecord {
  image: string;
  boxOriginal: number[];
  text: string;
}

export const PLACEHOLDER = 'useless placeholder';

/**
 * How box numbers are pickled: `float` (default: pseudo-label files store Python floats, even for integral
 * values), `int`, or `auto` (integral numbers as int, like ReferIt's ground truth).
 */
export type BoxNumbers = 'float' | 'int' | 'auto';

export function boxValue(box: readonly number[], numbers: BoxNumbers = 'float'): PyWritable[] {
  if (numbers === 'float') return box.map((v) => pyFloat(v));
  if (numbers === 'int') return box.map((v) => Math.trunc(v));
  return [...box];
}

/** Flickr rows are `[img, bbox, phrase]`; every other dataset's are `[img, placeholder, bbox, phrase, placeholder]`. */
export function isFlickr(dataset: string): boolean {
  return dataset === 'flickr';
}

/**
 * One row in the refine layout of `evaluate_for_filtering` (a Python list, phrase lower-cased as `__getitem__`
 * returns it): drop-in for `{ds}_train_pseudo.pth`.
 */
export function refineRow(dataset: string, r: SplitRecord, options: RowOptions = {}): PyWritable[] {
  const phrase = (options.lowercase ?? true) ? r.text.toLowerCase() : r.text;
  const box = boxValue(r.boxOriginal, options.boxNumbers);
  return isFlickr(dataset) ? [r.image, box, phrase] : [r.image, PLACEHOLDER, box, phrase, PLACEHOLDER];
}

export interface RowOptions {
  /** Lower-case phrases as the official dataset's `__getitem__` does before writing (default true). */
  lowercase?: boolean;
  boxNumbers?: BoxNumbers;
}

/** `{k}_{ds}_train_pseudo_{source}_{t}.pth`, the MSA per-source file name of the README's `train_separate/`. */
export function sourceSubsetName(order: number, dataset: string, source: string, threshold: number | null): string {
  return `${order}_${dataset}_train_pseudo_${source}_${threshold === null ? 'all' : thresholdTag(threshold)}.pth`;
}

/** Write one MSA per-source subset in the refine layout; returns the file path. */
export function writeSourceSubset(input: {
  outDir: string;
  order: number;
  dataset: string;
  source: string;
  threshold: number | null;
  records: SplitRecord[];
  row?: RowOptions;
}): string {
  const file = path.join(input.outDir, sourceSubsetName(input.order, input.dataset, input.source, input.threshold));
  saveRows(
    file,
    input.records.map((r) => refineRow(input.dataset, r, input.row)),
  );
  return file;
}

/** Write a whole training split (e.g. MSA's concatenation in k order) as `{ds}_{split}.pth`. */
export function writeSplitFile(file: string, dataset: string, records: SplitRecord[], row: RowOptions = {}): string {
  saveRows(
    file,
    records.map((r) => refineRow(dataset, r, row)),
  );
  return file;
}

/** `torch.save(rows, file)`, creating the folder first. */
export function saveRows(file: string, rows: PyWritable[]): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  savePth(file, rows);
}

export function isSplitRecord(s: unknown): s is SplitRecord {
  const r = s as Partial<SplitRecord> | undefined;
  return typeof r?.image === 'string' && typeof r.text === 'string' && Array.isArray(r.boxOriginal);
}

/** Throws one line unless every sample carries the split-record fields (image, boxOriginal, text). */
export function asSplitRecords(samples: readonly unknown[], where: string): SplitRecord[] {
  const bad = samples.findIndex((s) => !isSplitRecord(s));
  if (bad >= 0) throw new Error(`${where}: sample ${bad} lacks image/boxOriginal/text, so it cannot be written as a split row`);
  return samples as SplitRecord[];
}
