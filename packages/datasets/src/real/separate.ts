/**
 * Multi-source curriculum outputs: `train_separate/{k}_{dataset}_train_pseudo_{source}_{t}.pth`, one file per
 * pseudo-label source, k = the order MSA added it, t = its reliability threshold with '.' written as '_'.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { GroundingRecord } from '../record';
import type { DatasetName } from './datasets';
import { loadSplitFile } from './load';

export interface SeparateSource {
  /** `template`, `relation`, `caption`, ... */
  source: string;
  /** k: the position in which MSA added this source (the training split is their concatenation in k order). */
  order: number;
  /** The threshold as written in the file name, e.g. `0_5`. */
  threshold: string;
  /** The same threshold as a number, e.g. 0.5. */
  thresholdValue: number;
  file: string;
  records: GroundingRecord[];
}

/** Parses `1_unc+_train_pseudo_template_0_5.pth` for `dataset`; undefined for any other name. */
export function parseSeparateFileName(
  fileName: string,
  dataset: DatasetName,
): { order: number; source: string; threshold: string; thresholdValue: number } | undefined {
  const prefix = /^(\d+)_/.exec(fileName);
  if (!prefix) return undefined;
  const rest = fileName.slice(prefix[0].length);
  const head = `${dataset}_train_pseudo_`;
  if (!rest.startsWith(head)) return undefined;
  const tail = /^([A-Za-z][A-Za-z0-9-]*)(?:_(\d+(?:_\d+)?))?\.pth$/.exec(rest.slice(head.length));
  if (!tail) return undefined;
  // Raw (not yet selected) sources carry no threshold: everything with r > 0 would be 0_0, so report 0.
  const threshold = tail[2] ?? '';
  const thresholdValue = threshold ? Number(threshold.replace('_', '.')) : 0;
  return { order: Number(prefix[1]), source: tail[1], threshold, thresholdValue };
}

/**
 * Every per-source file of `dataset` in `dir`, sorted by k. `dir` is the `train_separate` folder itself or a
 * folder that contains one (the README leaves its parent open: the split root or the dataset folder).
 */
export function loadSeparateSources(dir: string, dataset: DatasetName): SeparateSource[] {
  const folder = findSeparateDir(dir, dataset);
  if (!folder) throw new Error(`${dir}: no train_separate folder and no {k}_${dataset}_train_pseudo_{source}_{t}.pth files`);
  return readdirSync(folder)
    .map((name) => ({ name, parsed: parseSeparateFileName(name, dataset) }))
    .filter((entry) => entry.parsed !== undefined)
    .sort((a, b) => a.parsed!.order - b.parsed!.order)
    .map(({ name, parsed }) => {
      const file = path.join(folder, name);
      const split = `${parsed!.order}_${parsed!.source}`;
      return { ...parsed!, file, records: loadSplitFile(file, dataset, { split, source: parsed!.source }) };
    });
}

function findSeparateDir(dir: string, dataset: DatasetName): string | undefined {
  const candidates = [dir, path.join(dir, 'train_separate'), path.join(dir, dataset, 'train_separate')];
  return candidates.find(
    (candidate) =>
      existsSync(candidate) && statSync(candidate).isDirectory() && readdirSync(candidate).some((name) => parseSeparateFileName(name, dataset) !== undefined),
  );
}
