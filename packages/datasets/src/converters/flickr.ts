/**
 * Flickr30k Entities (`Sentences/{id}.txt` + `Annotations/{id}.xml`) into TransVG-style `flickr_{split}.pth`:
 * one `({id}.jpg, [x1, y1, x2, y2], phrase)` row per annotated phrase that has a box.
 *
 * The released TransVG files came from a pre-processed HDF5, not from these files, so two choices follow the
 * official Flickr30k Entities parser rather than an observed file: coordinates are 0-based (xml minus 1), and a
 * phrase whose chain owns several boxes gets their union (the reported convention; `boxes: 'each'` instead
 * writes one row per box).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pyTuple, type PyValue } from '@clip-vg/torch-io';
import { writeSplitFile, type ConvertedSplit } from './write';

export interface FlickrPhrase {
  /** The phrase words joined by single spaces, brackets and the `/EN#id/type` tag removed. */
  phrase: string;
  /** Coreference chain id (`0` for `notvisual`). */
  chainId: string;
  types: string[];
  /** Index of the phrase's first word in the sentence. */
  firstWord: number;
}

export interface FlickrSentence {
  sentence: string;
  phrases: FlickrPhrase[];
}

/** Parses a `Sentences/{id}.txt` file: one caption per line, phrases as `[/EN#12/people two young guys]`. */
export function parseFlickrSentences(text: string): FlickrSentence[] {
  const sentences: FlickrSentence[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const words: string[] = [];
    const phrases: FlickrPhrase[] = [];
    let open: FlickrPhrase | undefined;
    let openWords: string[] = [];
    for (const token of line.split(/\s+/).filter(Boolean)) {
      if (open) {
        const closes = token.endsWith(']');
        const word = closes ? token.slice(0, -1) : token;
        openWords.push(word);
        words.push(word);
        if (closes) {
          open.phrase = openWords.join(' ');
          phrases.push(open);
          open = undefined;
        }
      } else if (token.startsWith('[')) {
        // `[/EN#12/people/other`: the tag token itself is not a word.
        const parts = token.split('/');
        open = { phrase: '', chainId: (parts[1] ?? '').slice(3), types: parts.slice(2), firstWord: words.length };
        openWords = [];
      } else {
        words.push(token);
      }
    }
    sentences.push({ sentence: words.join(' '), phrases });
  }
  return sentences;
}

export interface FlickrAnnotation {
  width: number;
  height: number;
  /** 0-based `[x1, y1, x2, y2]` boxes by chain id (one chain may own several). */
  boxes: Map<string, number[][]>;
}

/** Parses an `Annotations/{id}.xml` file (PASCAL-VOC-like; objects list their chain ids in `<name>`). */
export function parseFlickrAnnotation(xml: string, file = 'annotation'): FlickrAnnotation {
  const size = firstTag(xml, 'size') ?? '';
  const width = Number(firstTag(size, 'width'));
  const height = Number(firstTag(size, 'height'));
  const boxes = new Map<string, number[][]>();
  for (const object of allTags(xml, 'object')) {
    const bndbox = firstTag(object, 'bndbox');
    if (bndbox === undefined) continue; // scene / nobndbox objects carry no box
    const box = ['xmin', 'ymin', 'xmax', 'ymax'].map((tag) => Number.parseInt(firstTag(bndbox, tag) ?? '', 10) - 1);
    if (box.some((v) => !Number.isFinite(v))) throw new Error(`${file}: an object's bndbox lacks xmin/ymin/xmax/ymax`);
    for (const name of allTags(object, 'name')) {
      const id = name.trim();
      boxes.set(id, [...(boxes.get(id) ?? []), box]);
    }
  }
  return { width, height, boxes };
}

/** Rows for one image: every phrase of every sentence whose chain has at least one box. */
export function flickrImageRows(
  imageId: string,
  sentences: readonly FlickrSentence[],
  annotation: FlickrAnnotation,
  boxes: 'union' | 'each' = 'union',
): unknown[] {
  const image = `${imageId}.jpg`;
  const rows: unknown[] = [];
  for (const { phrases } of sentences) {
    for (const { phrase, chainId } of phrases) {
      const owned = annotation.boxes.get(chainId);
      if (!owned || owned.length === 0 || chainId === '0') continue;
      const chosen = boxes === 'union' ? [unionBox(owned)] : owned;
      for (const box of chosen) rows.push(pyTuple(...([image, [...box], phrase] as PyValue[])));
    }
  }
  return rows;
}

function unionBox(boxes: readonly number[][]): number[] {
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

export interface ConvertFlickrOptions {
  /** Folder with `Sentences/` and `Annotations/` (the unzipped annotations.zip). */
  entitiesRoot: string;
  /** Folder with `train.txt`, `val.txt`, `test.txt`; default `entitiesRoot`. */
  splitListDir?: string;
  /** Split root: writes `{outDir}/flickr/flickr_{split}.pth`. */
  outDir: string;
  /** Default: each of train, val, test whose list exists. */
  splits?: string[];
  boxes?: 'union' | 'each';
  /** When given, images missing from this folder are skipped. */
  imageDir?: string;
}

/** Converts Flickr30k Entities into `flickr_{split}.pth` files. Images without both files are skipped. */
export function convertFlickr30kEntities(options: ConvertFlickrOptions): ConvertedSplit[] {
  const { entitiesRoot, outDir, imageDir, boxes = 'union' } = options;
  const listDir = options.splitListDir ?? entitiesRoot;
  const listFile = (split: string) => path.join(listDir, `${split}.txt`);
  const splits = options.splits ?? ['train', 'val', 'test'].filter((s) => existsSync(listFile(s)));
  if (splits.length === 0) throw new Error(`${listDir}: no train.txt, val.txt or test.txt split list`);
  return splits.map((split) => {
    const list = listFile(split);
    if (!existsSync(list)) throw new Error(`${list}: split list not found`);
    const ids = readFileSync(list, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const rows: unknown[] = [];
    const skippedImages: string[] = [];
    for (const id of ids) {
      const sentenceFile = path.join(entitiesRoot, 'Sentences', `${id}.txt`);
      const annotationFile = path.join(entitiesRoot, 'Annotations', `${id}.xml`);
      const missingImage = imageDir !== undefined && !existsSync(path.join(imageDir, `${id}.jpg`));
      if (missingImage || !existsSync(sentenceFile) || !existsSync(annotationFile)) {
        skippedImages.push(`${id}.jpg`);
        continue;
      }
      const sentences = parseFlickrSentences(readFileSync(sentenceFile, 'utf8'));
      const annotation = parseFlickrAnnotation(readFileSync(annotationFile, 'utf8'), annotationFile);
      rows.push(...flickrImageRows(id, sentences, annotation, boxes));
    }
    const file = path.join(outDir, 'flickr', `flickr_${split}.pth`);
    writeSplitFile(file, rows);
    const images = new Set(rows.map((row) => (row as unknown[])[0])).size;
    return { split, file, rows: rows.length, images, skippedImages };
  });
}

function allTags(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1]);
  return out;
}

function firstTag(xml: string, tag: string): string | undefined {
  return allTags(xml, tag)[0];
}
