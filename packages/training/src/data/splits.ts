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
  DATASET_NAMES,
  isDatasetName,
  parseSeparateFileName,
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
  /** The dataset whose row layout the records follow. */
  layout: DatasetName;
}

export function loadGroundingSplit(options: SplitSource): LoadedSplit {
  const { dataset, split, splitRoot, dataRoot } = options;
  const layout = checkDataset(dataset);
  const folder = path.join(splitRoot, dataset);
  if (!existsSync(folder)) throw new Error(`${folder}: dataset folder not found under the split root`);
  let records: GroundingRecord[];
  if (options.source !== undefined) {
    if (split !== 'train_pseudo') throw new Error(`--source selects pseudo-label sources: the split must be train_pseudo, got ${split}`);
    records = sourceRecords(folder, layout, options.source);
  } else {
    assertSplit(layout, split);
    records = splitFiles(layout, split).flatMap((name) => {
      const file = path.join(folder, name);
      if (!existsSync(file)) throw new Error(`${file}: split file not found`);
      return loadSplitFile(file, layout, { split });
    });
  }
  if (options.prompt) for (const r of records) r.text = applyPrompt(r.text, options.prompt);
  const imageRoot = dataset === SYNTHETIC ? syntheticImageDir(dataRoot) : resolveImageDir(dataRoot, layout);
  return { records, imageRoot, layout };
}

function checkDataset(name: string): DatasetName {
  if (!isDatasetName(name)) throw new Error(`unknown dataset "${name}" (expected ${DATASET_NAMES.join(', ')})`);
  return name;
}

/**
 * The pseudo-labels of one source in `train_separate/{k}_{ds}_train_pseudo_{source}[_{t}].pth` (the synthetic
 * world writes them without a threshold, MSA outputs with one).
 */
function sourceRecords(folder: string, dataset: DatasetName, source: string): GroundingRecord[] {
  const dir = path.join(folder, 'train_separate');
  if (!existsSync(dir)) throw new Error(`${dir}: no train_separate folder for --source ${source}`);
  const files = readdirSync(dir)
    .map((name) => ({ name, parsed: parseSeparateFileName(name, dataset) }))
    .filter((f) => f.parsed !== undefined);
  const match = files.find((f) => f.parsed!.source === source);
  if (!match) {
    const known = files.map((f) => f.parsed!.source);
    throw new Error(`${dir}: no pseudo-label file for source "${source}" (found: ${known.join(', ') || 'none'})`);
  }
  return loadSplitFile(path.join(dir, match.name), dataset, { split: 'train_pseudo', source });
}

/** The world root (`images/` inside) or its image folder itself. */
function syntheticImageDir(dataRoot: string): string {
  const inner = path.resolve(dataRoot, 'images');
  return existsSync(inner) && statSync(inner).isDirectory() ? inner : path.resolve(dataRoot);
}
