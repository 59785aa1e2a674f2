/**
 * `clip-vg data verify`: everything that would make training or evaluation on a dataset silently wrong or crash
 * halfway: unreadable split files, missing images, boxes outside their image, empty expressions.
 * It collects problems into a report and never throws for bad data.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { GroundingRecord } from '../record';
import { DATASETS, datasetInfo, type DatasetName } from './datasets';
import { loadSplitFile, resolveImageDir } from './load';
import { parseSeparateFileName } from './separate';

export interface VerifyOptions {
  dataset: DatasetName;
  splitRoot: string;
  dataRoot: string;
  /** Image headers read at once (sharp is asynchronous; a few dozen keeps disks busy without many open files). */
  concurrency?: number;
}

export interface SplitCount {
  /** Split name, or `train_separate/{file}` for a multi-source file. */
  split: string;
  file: string;
  /** False when the file is not there (downloads hold only some splits; that alone is not a problem). */
  present: boolean;
  rows: number;
  images: number;
  /** Why the file could not be read as a split file. */
  error?: string;
}

export interface BadBox {
  id: string;
  image: string;
  box: [number, number, number, number];
  width: number;
  height: number;
  reason: 'outside' | 'inverted';
}

export interface VerifyReport {
  dataset: DatasetName;
  splitRoot: string;
  dataRoot: string;
  imageDir: string;
  splits: SplitCount[];
  /** Problems with the dataset as a whole (no dataset folder, no split file at all). */
  errors: string[];
  /** Image files that do not exist, with the first record that needs each. */
  missingImages: { image: string; firstId: string; rows: number }[];
  /** Image files that exist but whose header sharp cannot read. */
  unreadableImages: { image: string; error: string }[];
  boxesOutside: BadBox[];
  emptyTexts: { id: string; image: string }[];
  /** Total number of problems; 0 means the dataset is usable. */
  problems: number;
}

/** Checks every split file of `dataset` under `splitRoot` against the images under `dataRoot`. */
export async function verifyDataset(options: VerifyOptions): Promise<VerifyReport> {
  const { dataset, splitRoot, dataRoot, concurrency = 16 } = options;
  datasetInfo(dataset);
  const imageDir = resolveImageDir(dataRoot, dataset);
  const report: VerifyReport = {
    dataset,
    splitRoot,
    dataRoot,
    imageDir,
    splits: [],
    errors: [],
    missingImages: [],
    unreadableImages: [],
    boxesOutside: [],
    emptyTexts: [],
    problems: 0,
  };
  const folder = path.join(splitRoot, dataset);
  if (!existsSync(folder)) {
    report.errors.push(`${folder}: dataset folder not found`);
    return finish(report);
  }
  if (!existsSync(imageDir)) report.errors.push(`${imageDir}: image folder not found`);

  const records: GroundingRecord[] = [];
  for (const { split, file } of splitFilesToCheck(folder, splitRoot, dataset)) {
    const count: SplitCount = { split, file, present: existsSync(file), rows: 0, images: 0 };
    report.splits.push(count);
    if (!count.present) continue;
    try {
      const loaded = loadSplitFile(file, dataset, { split });
      count.rows = loaded.length;
      count.images = new Set(loaded.map((r) => r.image)).size;
      records.push(...loaded);
    } catch (error) {
      count.error = error instanceof Error ? error.message : String(error);
    }
  }
  if (!report.splits.some((s) => s.present)) report.errors.push(`${folder}: no ${dataset}_{split}.pth file`);

  for (const record of records) {
    if (record.text.trim() === '') report.emptyTexts.push({ id: record.id, image: record.image });
  }
  const sizes = await readImageSizes(imageDir, records, concurrency, report);
  for (const record of records) {
    const size = sizes.get(record.image);
    if (!size) continue;
    const reason = boxProblem(record.box, size.width, size.height);
    if (reason) report.boxesOutside.push({ id: record.id, image: record.image, box: record.box, ...size, reason });
  }
  return finish(report);
}

/** The official splits that are files (not the derived trainval), then any multi-source files. */
function splitFilesToCheck(folder: string, splitRoot: string, dataset: DatasetName): { split: string; file: string }[] {
  const splits = DATASETS[dataset].splits.filter((s) => s !== 'trainval' || dataset === 'referit');
  const files = splits.map((split) => ({ split, file: path.join(folder, `${dataset}_${split}.pth`) }));
  for (const dir of [path.join(folder, 'train_separate'), path.join(splitRoot, 'train_separate')]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (parseSeparateFileName(name, dataset)) files.push({ split: `train_separate/${name}`, file: path.join(dir, name) });
    }
  }
  return files;
}

/**
 * Boxes as the official loader computes them are used as pixel corners: outside when a corner leaves
 * `[0, width] × [0, height]`, inverted when x2 < x1 or y2 < y1 (a zero-size box after truncation is allowed).
 */
export function boxProblem(box: readonly number[], width: number, height: number): 'outside' | 'inverted' | undefined {
  const [x1, y1, x2, y2] = box as [number, number, number, number];
  if (x2 < x1 || y2 < y1) return 'inverted';
  if (x1 < 0 || y1 < 0 || x2 > width || y2 > height) return 'outside';
  return undefined;
}

async function readImageSizes(
  imageDir: string,
  records: readonly GroundingRecord[],
  concurrency: number,
  report: VerifyReport,
): Promise<Map<string, { width: number; height: number }>> {
  const uses = new Map<string, { firstId: string; rows: number }>();
  for (const record of records) {
    const use = uses.get(record.image);
    if (use) use.rows++;
    else uses.set(record.image, { firstId: record.id, rows: 1 });
  }
  const sizes = new Map<string, { width: number; height: number }>();
  const queue = [...uses.keys()];
  const worker = async (): Promise<void> => {
    for (let image = queue.shift(); image !== undefined; image = queue.shift()) {
      const file = path.resolve(imageDir, image);
      if (!existsSync(file)) {
        report.missingImages.push({ image, ...uses.get(image)! });
        continue;
      }
      try {
        // PIL.Image.open ignores EXIF orientation, so the official boxes refer to the stored width/height.
        const { width, height } = await sharp(file).metadata();
        if (!width || !height) throw new Error('no width/height in the header');
        sizes.set(image, { width, height });
      } catch (error) {
        report.unreadableImages.push({ image, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  report.missingImages.sort((a, b) => a.image.localeCompare(b.image));
  report.unreadableImages.sort((a, b) => a.image.localeCompare(b.image));
  return sizes;
}

function finish(report: VerifyReport): VerifyReport {
  report.problems =
    report.errors.length +
    report.splits.filter((s) => s.error !== undefined).length +
    report.missingImages.length +
    report.unreadableImages.length +
    report.boxesOutside.length +
    report.emptyTexts.length;
  return report;
}

/** The report as text lines for a terminal, listing at most `examples` items per kind of problem. */
export function formatVerifyReport(report: VerifyReport, examples = 10): string[] {
  const lines = [`dataset ${report.dataset}: split root ${report.splitRoot}, images ${report.imageDir}`];
  for (const s of report.splits) {
    const state = !s.present ? 'absent' : s.error ? `ERROR ${s.error}` : `${s.rows} rows, ${s.images} images`;
    lines.push(`  ${s.split.padEnd(14)} ${state}`);
  }
  for (const error of report.errors) lines.push(`error: ${error}`);
  const section = <T>(title: string, items: readonly T[], show: (item: T) => string): void => {
    lines.push(`${title}: ${items.length}`);
    for (const item of items.slice(0, examples)) lines.push(`  ${show(item)}`);
    if (items.length > examples) lines.push(`  ... and ${items.length - examples} more`);
  };
  section('missing images', report.missingImages, (m) => `${m.image} (${m.rows} rows, first ${m.firstId})`);
  section('unreadable images', report.unreadableImages, (u) => `${u.image}: ${u.error}`);
  section('boxes outside the image', report.boxesOutside, (b) => `${b.id} ${b.image}: box [${b.box.join(', ')}] ${b.reason} of ${b.width}x${b.height}`);
  section('empty texts', report.emptyTexts, (e) => `${e.id} ${e.image}`);
  lines.push(report.problems === 0 ? 'OK: no problems' : `FAILED: ${report.problems} problems`);
  return lines;
}
