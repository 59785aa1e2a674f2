/**
 * ReferItGame (TransVG's `referit`) from the text_objseg split JSONs: `referit_query_{split}.json`
 * (`"IMGID_K" → [query, …]`) and `referit_bbox.json` (`"IMGID_K" → [x1, y1, x2, y2]`, inclusive ints).
 * One row per query: `(IMGID.jpg, IMGID_K.pth, box, query, [])`, in the query file's order.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pyTuple, type PyValue } from '@clip-vg/torch-io';
import { writeSplitFile, type ConvertedSplit } from './write';

/** Images the original preprocessing drops (broken files in the ReferIt download). */
export const REFERIT_EXCLUDED_IMAGES: readonly string[] = ['19579.jpg', '17975.jpg', '19575.jpg'];

export interface ReferitRowsOptions {
  /** When given, images for which it returns false are skipped, as the original skips files missing on disk. */
  imageExists?: (image: string) => boolean;
  /** Names the query file in errors. */
  file?: string;
}

/** Rows of one split from its parsed query and box JSONs; `skippedImages` lists what was left out. */
export function referitRows(
  queries: Record<string, unknown>,
  boxes: Record<string, unknown>,
  options: ReferitRowsOptions = {},
): { rows: unknown[]; skippedImages: string[] } {
  const { imageExists, file = 'referit queries' } = options;
  const rows: unknown[] = [];
  const skipped = new Set<string>();
  for (const [name, list] of Object.entries(queries)) {
    const image = `${name.split('_')[0]}.jpg`;
    if (REFERIT_EXCLUDED_IMAGES.includes(image) || (imageExists && !imageExists(image))) {
      skipped.add(image);
      continue;
    }
    const box = boxes[name];
    if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number')) {
      throw new Error(`${file}: annotation ${name} has no [x1, y1, x2, y2] box in referit_bbox.json`);
    }
    if (!Array.isArray(list) || !list.every((q) => typeof q === 'string')) throw new Error(`${file}: ${name} is not a list of queries`);
    for (const query of list as string[]) rows.push(pyTuple(...([image, `${name}.pth`, [...box], query, []] as PyValue[])));
  }
  return { rows, skippedImages: [...skipped] };
}

export interface ConvertReferitOptions {
  /** Folder with `referit_query_{split}.json` and `referit_bbox.json` (`data_root/referit/splits/referit`). */
  splitsDir: string;
  /** Split root: writes `{outDir}/referit/referit_{split}.pth`. */
  outDir: string;
  /** Splits to write; by default each of train, val, trainval, test whose query file exists. */
  splits?: string[];
  /** `data_root/referit/images`: when given, queries on images missing there are skipped. */
  imageDir?: string;
}

/** Converts the ReferIt JSONs into `referit_{split}.pth` files the official loader reads. */
export function convertReferit(options: ConvertReferitOptions): ConvertedSplit[] {
  const { splitsDir, outDir, imageDir } = options;
  const boxFile = path.join(splitsDir, 'referit_bbox.json');
  const boxes = readJsonObject(boxFile);
  const queryFile = (split: string) => path.join(splitsDir, `referit_query_${split}.json`);
  const splits = options.splits ?? ['train', 'val', 'trainval', 'test'].filter((s) => existsSync(queryFile(s)));
  if (splits.length === 0) throw new Error(`${splitsDir}: no referit_query_{split}.json file`);
  const imageExists = imageDir === undefined ? undefined : (image: string) => existsSync(path.join(imageDir, image));
  return splits.map((split) => {
    const file = queryFile(split);
    const { rows, skippedImages } = referitRows(readJsonObject(file), boxes, { imageExists, file });
    const out = path.join(outDir, 'referit', `referit_${split}.pth`);
    writeSplitFile(out, rows);
    const images = new Set(rows.map((row) => (row as unknown[])[0])).size;
    return { split, file: out, rows: rows.length, images, skippedImages };
  });
}

export function readJsonObject(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new Error(`${file}: not found`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: invalid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: expected a JSON object`);
  return value as Record<string, unknown>;
}
