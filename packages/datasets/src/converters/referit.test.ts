import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { loadSplitFile } from '../real/load';
import { convertReferit, referitRows } from './referit';

describe('referitRows', () => {
  it('writes one (IMG.jpg, IMG_K.pth, box, query, []) row per query and drops the excluded images', () => {
    const queries = { '9739_7': ['right black bag', 'bag'], '19579_1': ['sky'], '8_2': ['tree'] };
    const boxes = { '9739_7': [10, 20, 110, 220], '19579_1': [0, 0, 1, 1], '8_2': [1, 2, 3, 4] };
    const { rows, skippedImages } = referitRows(queries, boxes, { imageExists: (image) => image !== '8.jpg' });
    expect(rows).toEqual([
      ['9739.jpg', '9739_7.pth', [10, 20, 110, 220], 'right black bag', []],
      ['9739.jpg', '9739_7.pth', [10, 20, 110, 220], 'bag', []],
    ]);
    expect(skippedImages).toEqual(['19579.jpg', '8.jpg']);
    expect(() => referitRows({ '1_1': ['x'] }, {}, { file: 'q.json' })).toThrow('q.json: annotation 1_1 has no [x1, y1, x2, y2] box in referit_bbox.json');
  });
});

describeShared('convertReferit on the real text_objseg ReferIt files', () => {
  const real = (name: string) => sharedPath('fixtures', 'real', 'text_objseg-referit', name);
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'clip-vg-referit-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('gives the referit_bbox.json boxes unchanged, inside referit_imsize.json, for every val image', () => {
    // The val query file is withheld from the fixtures, so build one query per annotation of the val images.
    const boxes = JSON.parse(readFileSync(real('referit_bbox.json'), 'utf8')) as Record<string, number[]>;
    const sizes = JSON.parse(readFileSync(real('referit_imsize.json'), 'utf8')) as Record<string, [number, number]>;
    const val = new Set(readFileSync(real('referit_val_imlist.txt'), 'utf8').split('\n').filter(Boolean));
    const names = Object.keys(boxes).filter((name) => val.has(name.split('_')[0]));
    const splitsDir = path.join(work, 'splits-json');
    mkdirSync(splitsDir, { recursive: true });
    writeFileSync(path.join(splitsDir, 'referit_bbox.json'), JSON.stringify(boxes));
    writeFileSync(path.join(splitsDir, 'referit_query_val.json'), JSON.stringify(Object.fromEntries(names.map((n) => [n, [`object ${n}`]]))));

    const [written] = convertReferit({ splitsDir, outDir: path.join(work, 'out') });
    expect(written).toMatchObject({ split: 'val', rows: names.length, images: val.size, skippedImages: [] });
    const records = loadSplitFile(written.file, 'referit');
    expect(records).toHaveLength(names.length);
    for (const [i, record] of records.entries()) {
      const name = names[i];
      expect(record.image).toBe(`${name.split('_')[0]}.jpg`);
      expect(record.box).toEqual(boxes[name]);
      const [width, height] = sizes[record.image];
      expect(record.box[2] < width && record.box[3] < height && record.box[0] >= 0 && record.box[1] >= 0).toBe(true);
    }
  });

  // the val query file is withheld from the shared fixtures: the test runs where it is present, and says so where not
  const queryVal = real('referit_query_val.json');
  const withQueryFile = existsSync(queryVal) ? it : it.skip;
  withQueryFile('converts the real val queries into 5,842 rows over 1,000 images (needs referit_query_val.json)', () => {
    const [written] = convertReferit({ splitsDir: path.dirname(queryVal), outDir: path.join(work, 'real'), splits: ['val'] });
    expect(written).toMatchObject({ rows: 5842, images: 1000 });
    const records = loadSplitFile(written.file, 'referit');
    expect(records.filter((r) => /™/.test(r.text))).toHaveLength(3);
  });
});
