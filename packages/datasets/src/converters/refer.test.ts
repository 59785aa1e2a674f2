import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPickle } from '@clip-vg/torch-io';
import { loadSplitFile } from '../real/load';
import { cocoImageName, convertRefer, parseRefs, referRows } from './refer';

/**
 * A protocol-0 pickle as Python 2's `cPickle.dump` writes by default (text opcodes, byte strings as `S'…'`),
 * enough for the REFER refs: dicts, lists, ASCII strings without quotes, ints and floats.
 */
function py2Pickle(value: unknown): string {
  const emit = (v: unknown): string => {
    if (typeof v === 'string') return `S'${v}'\n`;
    if (typeof v === 'number') return Number.isInteger(v) ? `I${v}\n` : `F${v}\n`;
    if (Array.isArray(v)) return `(l${v.map((item) => `${emit(item)}a`).join('')}`;
    return `(d${Object.entries(v as object)
      .map(([k, item]) => `${emit(k)}${emit(item)}s`)
      .join('')}`;
  };
  return `${emit(value)}.`;
}

const ref = (refId: number, annId: number, imageId: number, split: string, sents: string[]) => ({
  sent_ids: sents.map((_, i) => refId * 10 + i),
  file_name: `COCO_train2014_${String(imageId).padStart(12, '0')}_${refId}.jpg`,
  ann_id: annId,
  ref_id: refId,
  image_id: imageId,
  split,
  sentences: sents.map((sent, i) => ({ tokens: sent.split(' '), raw: sent.toUpperCase(), sent_id: refId * 10 + i, sent })),
  category_id: 1,
});

const REFS = [
  ref(3, 30, 581857, 'train', ['woman in red', 'red lady']),
  ref(1, 10, 839, 'train', ['guy flopping around on the right']),
  ref(2, 20, 839, 'testA', ['left guy']),
  ref(4, 40, 72, 'val', ['a dog']),
  ref(5, 50, 9999, 'testB', ['blue car']),
];
const INSTANCES = {
  images: [{ id: 839, file_name: 'COCO_train2014_000000000839.jpg', width: 640, height: 480 }],
  annotations: [
    { id: 10, image_id: 839, bbox: [303.58, 69.03, 293.29, 425.79], category_id: 1 },
    { id: 20, image_id: 839, bbox: [0.5, 1.5, 100, 200], category_id: 1 },
    { id: 30, image_id: 581857, bbox: [10, 20, 30.9, 40.9], category_id: 1 },
    { id: 40, image_id: 72, bbox: [1, 2, 3, 4], category_id: 18 },
    { id: 50, image_id: 9999, bbox: [5, 5, 5, 5], category_id: 3 },
  ],
  categories: [{ id: 1, name: 'person', supercategory: 'person' }],
};

describe('REFER refs', () => {
  it('reads a Python 2 protocol-0 refs pickle', () => {
    const refs = parseRefs(loadPickle(Buffer.from(py2Pickle(REFS), 'latin1')));
    expect(refs[0]).toEqual({
      annId: 30,
      imageId: 581857,
      split: 'train',
      fileName: 'COCO_train2014_000000581857_3.jpg',
      sentences: ['woman in red', 'red lady'],
    });
  });

  it('sorts a split by file_name and writes one row per sentence', () => {
    const refs = parseRefs(REFS);
    const boxes = new Map(INSTANCES.annotations.map((a) => [a.id, a.bbox]));
    const { rows } = referRows(refs, boxes, 'train');
    expect(rows).toEqual([
      [cocoImageName(839), '10.pth', [303.58, 69.03, 293.29, 425.79], 'guy flopping around on the right', []],
      [cocoImageName(581857), '30.pth', [10, 20, 30.9, 40.9], 'woman in red', []],
      [cocoImageName(581857), '30.pth', [10, 20, 30.9, 40.9], 'red lady', []],
    ]);
    const skipped = referRows(refs, boxes, 'train', (image) => image !== cocoImageName(839));
    expect(skipped.skippedImages).toEqual([cocoImageName(839)]);
    expect(() => referRows(refs, new Map(), 'val')).toThrow('instances.json: no bbox for annotation 40');
  });
});

describe('convertRefer', () => {
  it('writes the unc split files that the loader reads back with the official boxes', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'clip-vg-refer-'));
    try {
      const referRoot = path.join(root, 'other');
      mkdirSync(path.join(referRoot, 'refcoco'), { recursive: true });
      writeFileSync(path.join(referRoot, 'refcoco', 'refs(unc).p'), Buffer.from(py2Pickle(REFS), 'latin1'));
      writeFileSync(path.join(referRoot, 'refcoco', 'instances.json'), JSON.stringify(INSTANCES));
      const out = path.join(root, 'splits');
      const written = convertRefer({ dataset: 'unc', referRoot, outDir: out });
      expect(written.map(({ split, rows, images }) => ({ split, rows, images }))).toEqual([
        { split: 'train', rows: 3, images: 2 },
        { split: 'val', rows: 1, images: 1 },
        { split: 'testA', rows: 1, images: 1 },
        { split: 'testB', rows: 1, images: 1 },
      ]);
      const train = loadSplitFile(path.join(out, 'unc', 'unc_train.pth'), 'unc');
      expect(train.map((r) => r.box)).toEqual([
        [303, 69, 596, 494],
        [10, 20, 40, 60],
        [10, 20, 40, 60],
      ]);
      expect(train[0].boxOriginal).toEqual([303.58, 69.03, 293.29, 425.79]);
      expect(existsSync(path.join(out, 'unc', 'unc_trainval.pth'))).toBe(false);
      expect(() => convertRefer({ dataset: 'gref', referRoot, outDir: out })).toThrow(`${path.join(referRoot, 'refcocog', 'refs(google).p')}: not found`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
