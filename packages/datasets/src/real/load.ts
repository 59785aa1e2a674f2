/**
 * Reading split files from disk: `{split_root}/{dataset}/{dataset}_{split}.pth`, zip or legacy torch.save,
 * with image paths resolved against the image folder the official code uses.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadPth } from '@clip-vg/torch-io';
import type { GroundingRecord } from '../record';
import { DATASETS, assertSplit, datasetInfo, splitFiles, type DatasetName } from './datasets';
import { applyPrompt } from './prompt';
import { recordsFromSplit } from './rows';

export interface LoadSplitFileOptions {
  /** Split name used in record ids; by default taken from the file name (`unc_val.pth` → `val`). */
  split?: string;
  /** Pseudo-label source stored in each record. */
  source?: string;
}

/** Records of one split file, images as stored (file names relative to the dataset's image folder). */
export function loadSplitFile(file: string, dataset: DatasetName, options: LoadSplitFileOptions = {}): GroundingRecord[] {
  datasetInfo(dataset);
  if (!existsSync(file)) throw new Error(`${file}: split file not found`);
  let rows: unknown;
  try {
    rows = loadPth(file);
  } catch (error) {
    throw new Error(`${file}: cannot read as a torch.save file: ${firstLine(error)}`);
  }
  const split = options.split ?? splitNameOf(file, dataset);
  if (!Array.isArray(rows)) throw new Error(`${file}: not a split file (the pickled object is ${describe(rows)}, not a list of rows)`);
  return recordsFromSplit(rows, dataset, { split, source: options.source, file });
}

export interface LoadSplitOptions {
  dataset: DatasetName;
  /** `train`, `val`, `trainval`, `testA`, `testB`, `test` or `train_pseudo`, as the dataset allows. */
  split: string;
  /** Folder holding `{dataset}/{dataset}_{split}.pth` (CLIP-VG's `--split_root`). */
  splitRoot: string;
  /** Folder holding the images (CLIP-VG's `--data_root`); when given, `image` becomes an absolute path. */
  dataRoot?: string;
  /** CLIP-VG `--prompt` template such as `'find the region that corresponds to {pseudo_query}'`. */
  prompt?: string;
}

/** The records of a split as `TransVGDataset` loads them (`trainval` = train + val outside ReferIt). */
export function loadSplit(options: LoadSplitOptions): GroundingRecord[] {
  const { dataset, split, splitRoot, dataRoot, prompt } = options;
  datasetInfo(dataset);
  assertSplit(dataset, split);
  const folder = path.join(splitRoot, dataset);
  if (!existsSync(folder)) throw new Error(`${folder}: dataset folder not found under the split root`);
  const records = splitFiles(dataset, split).flatMap((name) => loadSplitFile(path.join(folder, name), dataset));
  const imageDir = dataRoot === undefined ? undefined : resolveImageDir(dataRoot, dataset);
  for (const record of records) {
    if (imageDir !== undefined) record.image = path.resolve(imageDir, record.image);
    if (prompt) record.text = applyPrompt(record.text, prompt);
  }
  return records;
}

/** The dataset's image folder under `dataRoot`: the first spelling that exists, else the preferred one. */
export function resolveImageDir(dataRoot: string, dataset: DatasetName): string {
  const candidates = DATASETS[dataset].imageDir.map((dir) => path.join(dataRoot, dir));
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}

/** `unc_val.pth` → `val`; `unc_train_pseudo.legacy.pth` → `train_pseudo`; otherwise the bare file name. */
export function splitNameOf(file: string, dataset: DatasetName): string {
  const base = path
    .basename(file)
    .replace(/\.pth$/, '')
    .replace(/\.legacy$/, '');
  return base.startsWith(`${dataset}_`) ? base.slice(dataset.length + 1) : base;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  const cls = (value as { __class__?: unknown }).__class__;
  if (typeof cls === 'string') return `a ${cls}`;
  if (value instanceof Map) return 'a dict';
  return `a ${value.constructor?.name === 'Object' ? 'dict' : (value.constructor?.name ?? 'object')}`;
}
