/**
 * Split loading for the commands: the six real datasets through `@clip-vg/datasets`, plus the synthetic world,
 * which is written like `unc` (`{splitRoot}/synthetic/synthetic_{split}.pth`, images in `dataRoot/images/` or in
 * `dataRoot` itself).
 * Records keep their image names as stored (the reliability files write them back unchanged); `imageRoot` is
 * the folder they are relative to.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  applyPrompt,
  isDatasetName,
  loadSplitFile,
  resolveImageDir,
  splitFiles,
  assertSplit,
  type DatasetName,
  type GroundingRecord,
} from '@clip-vg/datasets';

export const SYNTHETIC = 'synthetic';

export interface SplitSource {
  /** `unc`, `unc+`, `gref`, `gref_umd`, `referit`, `flickr` or `synthetic`. */
  dataset: string;
  split: string;
  splitRoot: string;
  /** Image folder root (CLIP-VG's `--data_root`; for `synthetic`, the world's `images/` folder). */
  dataRoot: string;
  /** Only the pseudo-labels of this source (`train_separate/{k}_{ds}_train_pseudo_{source}.pth`). */
  source?: string;
  prompt?: string;
}

export interface LoadedSplit {
  records: GroundingRecord[];
  imageRoot: string;
  /** The dataset whose row layout the records follow (`unc` for the synthetic world). */
  layout: DatasetName;
}

export function loadGroundingSplit(options: SplitSource): LoadedSplit {
  const { dataset, split, splitRoot, dataRoot } = options;
  const layout: DatasetName = dataset === SYNTHETIC ? 'unc' : checkDataset(dataset);
  const folder = path.join(splitRoot, dataset);
  if (!existsSync(folder)) throw new Error(`${folder}: dataset folder not found under the split root`);
  let records: GroundingRecord[];
  if (options.source !== undefined) {
    if (split !== 'train_pseudo') throw new Error(`--source selects pseudo-label sources: the split must be train_pseudo, got ${split}`);
    const file = findSourceFile(folder, dataset, options.source);
    records = loadSplitFile(file, layout, { split, source: options.source });
  } else if (dataset === SYNTHETIC) {
    const file = path.join(folder, `${SYNTHETIC}_${split}.pth`);
    if (!existsSync(file)) throw new Error(`${file}: split file not found`);
    records = loadSplitFile(file, 'unc', { split });
  } else {
    assertSplit(layout, split);
    records = splitFiles(layout, split).flatMap((name) => loadSplitFile(path.join(folder, name), layout));
  }
  if (options.prompt) for (const r of records) r.text = applyPrompt(r.text, options.prompt);
  const imageRoot = dataset === SYNTHETIC ? syntheticImageDir(dataRoot) : resolveImageDir(dataRoot, layout);
  return { records, imageRoot, layout };
}

function checkDataset(name: string): DatasetName {
  if (!isDatasetName(name)) throw new Error(`unknown dataset "${name}" (expected unc, unc+, gref, gref_umd, referit, flickr or ${SYNTHETIC})`);
  return name;
}

/**
 * `train_separate/{k}_{ds}_train_pseudo_{source}[_{t}].pth`: the synthetic world writes them without a
 * threshold, MSA outputs with one; either is accepted.
 */
function findSourceFile(folder: string, dataset: string, source: string): string {
  const dir = path.join(folder, 'train_separate');
  if (!existsSync(dir)) throw new Error(`${dir}: no train_separate folder for --source ${source}`);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\d+_${escape(dataset)}_train_pseudo_${escape(source)}(_\\d+(_\\d+)?)?\\.pth$`);
  const names = readdirSync(dir).sort();
  const match = names.find((name) => pattern.test(name));
  if (!match) {
    const known = names.map((n) => /_train_pseudo_([A-Za-z][A-Za-z0-9-]*)/.exec(n)?.[1]).filter(Boolean);
    throw new Error(`${dir}: no pseudo-label file for source "${source}" (found: ${known.join(', ') || 'none'})`);
  }
  return path.join(dir, match);
}

/** The world root (`images/` inside) or its image folder itself. */
function syntheticImageDir(dataRoot: string): string {
  const inner = path.resolve(dataRoot, 'images');
  return existsSync(inner) && statSync(inner).isDirectory() ? inner : path.resolve(dataRoot);
}
