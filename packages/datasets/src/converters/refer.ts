/**
 * RefCOCO / RefCOCO+ / RefCOCOg from the REFER annotations (`refs({splitBy}).p` + `instances.json`) into the
 * TransVG split files: one row per sentence, `(COCO_train2014_%012d.jpg, '{ann_id}.pth', [x, y, w, h], sent, [])`,
 * refs of a split sorted by `file_name` as the DMS/TransVG preprocessing does.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPickle, pyTuple, type PyValue } from '@clip-vg/torch-io';
import { DATASETS, type DatasetName } from '../real/datasets';
import { readJsonObject } from './referit';
import { writeSplitFile, type ConvertedSplit } from './write';

export type CocoDatasetName = Extract<DatasetName, 'unc' | 'unc+' | 'gref' | 'gref_umd'>;

/** One REFER ref, reduced to what the split files need. */
export interface ReferRef {
  annId: number;
  imageId: number;
  split: string;
  fileName: string;
  sentences: string[];
}

/** The COCO train2014 image a ref points at (REFER's own `file_name` has an extra suffix and is not an image). */
export function cocoImageName(imageId: number): string {
  return `COCO_train2014_${String(imageId).padStart(12, '0')}.jpg`;
}

/** Refs from a decoded `refs(X).p` (a list of dicts, Python 2 pickle). */
export function parseRefs(value: unknown, file = 'refs'): ReferRef[] {
  if (!Array.isArray(value)) throw new Error(`${file}: expected a pickled list of refs`);
  return value.map((ref, index) => {
    const get = (key: string): unknown => (ref instanceof Map ? ref.get(key) : (ref as Record<string, unknown> | null)?.[key]);
    const where = `${file}: ref ${index}`;
    const int = (key: string): number => {
      const v = get(key);
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new Error(`${where}: ${key} is not an integer`);
      return Number(v);
    };
    const str = (key: string): string => {
      const v = get(key);
      if (typeof v !== 'string') throw new Error(`${where}: ${key} is not a string`);
      return v;
    };
    const sentences = get('sentences');
    if (!Array.isArray(sentences)) throw new Error(`${where}: sentences is not a list`);
    return {
      annId: int('ann_id'),
      imageId: int('image_id'),
      split: str('split'),
      fileName: str('file_name'),
      sentences: sentences.map((s) => {
        const sent = s instanceof Map ? s.get('sent') : (s as Record<string, unknown> | null)?.sent;
        if (typeof sent !== 'string') throw new Error(`${where}: a sentence has no 'sent' string`);
        return sent;
      }),
    };
  });
}

/** `annotations[].bbox` of instances.json by annotation id. */
export function annotationBoxes(instances: Record<string, unknown>, file = 'instances.json'): Map<number, number[]> {
  const annotations = instances.annotations;
  if (!Array.isArray(annotations)) throw new Error(`${file}: no annotations list`);
  const boxes = new Map<number, number[]>();
  for (const ann of annotations as { id?: unknown; bbox?: unknown }[]) {
    if (typeof ann?.id === 'number' && Array.isArray(ann.bbox)) boxes.set(ann.id, ann.bbox as number[]);
  }
  return boxes;
}

/** Rows of `split`: refs with that split, sorted by file_name (stable), one row per sentence. */
export function referRows(
  refs: readonly ReferRef[],
  boxes: ReadonlyMap<number, number[]>,
  split: string,
  imageExists?: (image: string) => boolean,
): { rows: unknown[]; skippedImages: string[] } {
  const selected = refs.filter((ref) => ref.split === split).sort((a, b) => compareCodePoints(a.fileName, b.fileName));
  const rows: unknown[] = [];
  const skipped = new Set<string>();
  for (const ref of selected) {
    const image = cocoImageName(ref.imageId);
    if (imageExists && !imageExists(image)) {
      skipped.add(image);
      continue;
    }
    const bbox = boxes.get(ref.annId);
    if (!bbox || bbox.length !== 4) throw new Error(`instances.json: no bbox for annotation ${ref.annId} (ref on ${image})`);
    for (const sent of ref.sentences) rows.push(pyTuple(...([image, `${ref.annId}.pth`, [...bbox], sent, []] as PyValue[])));
  }
  return { rows, skippedImages: [...skipped] };
}

export interface ConvertReferOptions {
  dataset: CocoDatasetName;
  /** `refs({splitBy}).p`; default `{referRoot}/{refcoco|refcoco+|refcocog}/refs({splitBy}).p`. */
  refsFile?: string;
  /** COCO-style `instances.json`; default beside the refs file. */
  instancesFile?: string;
  /** REFER data folder (`data_root/other`), used for the defaults above. */
  referRoot?: string;
  /** Split root: writes `{outDir}/{dataset}/{dataset}_{split}.pth`. */
  outDir: string;
  /** COCO train2014 folder: when given, refs whose image is missing there are skipped, as the original does. */
  imageDir?: string;
}

/** Converts REFER annotations into every split file the dataset has (train, val, testA/testB or test). */
export function convertRefer(options: ConvertReferOptions): ConvertedSplit[] {
  const { dataset, outDir, imageDir } = options;
  const refer = DATASETS[dataset]?.refer;
  if (!refer) throw new Error(`convertRefer: ${dataset} is not a REFER dataset (expected unc, unc+, gref or gref_umd)`);
  const refsFile = options.refsFile ?? path.join(options.referRoot ?? '.', refer.dataset, `refs(${refer.splitBy}).p`);
  const instancesFile = options.instancesFile ?? path.join(path.dirname(refsFile), 'instances.json');
  if (!existsSync(refsFile)) throw new Error(`${refsFile}: not found`);
  let decoded: unknown;
  try {
    decoded = loadPickle(new Uint8Array(readFileSync(refsFile)));
  } catch (error) {
    throw new Error(`${refsFile}: cannot read the pickle: ${(error as Error).message.split('\n')[0]}`);
  }
  const refs = parseRefs(decoded, refsFile);
  const boxes = annotationBoxes(readJsonObject(instancesFile), instancesFile);
  const imageExists = imageDir === undefined ? undefined : (image: string) => existsSync(path.join(imageDir, image));
  const splits = DATASETS[dataset].splits.filter((s) => s !== 'trainval' && s !== 'train_pseudo' && refs.some((r) => r.split === s));
  if (splits.length === 0) throw new Error(`${refsFile}: no ref belongs to a ${dataset} split (${DATASETS[dataset].splits.join(', ')})`);
  return splits.map((split) => {
    const { rows, skippedImages } = referRows(refs, boxes, split, imageExists);
    const file = path.join(outDir, dataset, `${dataset}_${split}.pth`);
    writeSplitFile(file, rows);
    const images = new Set(rows.map((row) => (row as unknown[])[0])).size;
    return { split, file, rows: rows.length, images, skippedImages };
  });
}

/** Python's default string order (code units equal code points for the ASCII file names), unlike `localeCompare`. */
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
