import { mkdtempSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import type { DatasetName } from './datasets';
import { loadSplit, loadSplitFile, splitNameOf } from './load';

type Expected = { image: string; box: number[]; text: string; boxOriginal: number[] };

// What the official TransVG/CLIP-VG `pull_item` returns for each synthetic fixture (values checked with torch 1.13).
const CASES: [string, DatasetName, Expected[]][] = [
  [
    'unc_val',
    'unc',
    [
      {
        image: 'COCO_train2014_000000000839.jpg',
        box: [303, 69, 596, 494],
        text: 'guy flopping around on the right',
        boxOriginal: [303.58, 69.03, 293.29, 425.79],
      },
      { image: 'COCO_train2014_000000000839.jpg', box: [303, 69, 596, 494], text: 'man right', boxOriginal: [303.58, 69.03, 293.29, 425.79] },
    ],
  ],
  [
    'referit_val',
    'referit',
    [
      { image: '9739.jpg', box: [10, 20, 110, 220], text: 'right black bag', boxOriginal: [10, 20, 110, 220] },
      { image: '9739.jpg', box: [0, 0, 479, 132], text: 'sky', boxOriginal: [0, 0, 479, 132] },
    ],
  ],
  ['flickr_val_list', 'flickr', [{ image: '1000092795.jpg', box: [158, 124, 218, 334], text: 'Two young guys', boxOriginal: [158, 124, 218, 334] }]],
  ['flickr_val_np', 'flickr', [{ image: '1000092795.jpg', box: [158, 124, 218, 334], text: 'Two young guys', boxOriginal: [158, 124, 218, 334] }]],
  ['flickr_train_pseudo', 'flickr', [{ image: '1000092795.jpg', box: [1, 2, 100, 200], text: 'left man', boxOriginal: [1.0, 2.5, 100.25, 200.0] }]],
  // The official loader reads every `unc` file as xywh, whatever produced it.
  [
    'unc_train_pseudo_raw',
    'unc',
    [
      { image: 'COCO_train2014_000000000072.jpg', box: [1, 2, 101, 202], text: 'left man', boxOriginal: [1.0, 2.5, 100.25, 200.0] },
      { image: 'COCO_train2014_000000000072.jpg', box: [5, 6, 55, 66], text: 'blue shirt', boxOriginal: [5, 6, 50, 60] },
    ],
  ],
  [
    'unc_train_pseudo_iou_result',
    'unc',
    [
      { image: 'COCO_train2014_000000000072.jpg', box: [1, 2, 100, 199], text: 'left man', boxOriginal: [1.0, 2.5, 99.25, 197.5] },
      { image: 'COCO_train2014_000000000072.jpg', box: [1, 2, 100, 199], text: 'left man', boxOriginal: [1.0, 2.5, 99.25, 197.5] },
    ],
  ],
];

describeShared('loadSplitFile on the torch.save fixtures', () => {
  for (const [name, dataset, expected] of CASES) {
    for (const variant of ['', '.legacy']) {
      it(`${name}${variant}.pth`, () => {
        const records = loadSplitFile(sharedPath('fixtures', 'torch-save', `${name}${variant}.pth`), dataset);
        expect(records.map(({ image, box, text, boxOriginal }) => ({ image, box, text, boxOriginal }))).toEqual(expected);
        expect(records[0].id).toBe(`${splitNameOf(`${name}.pth`, dataset)}:0`);
      });
    }
  }

  it('says a corpus.pth is not a split file', () => {
    const file = sharedPath('fixtures', 'torch-save', 'corpus.pth');
    expect(() => loadSplitFile(file, 'unc')).toThrow(`${file}: not a split file (the pickled object is a utils.word_utils.Corpus, not a list of rows)`);
  });

  it('loadSplit resolves images, concatenates trainval and applies a prompt', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'clip-vg-split-'));
    try {
      mkdirSync(path.join(root, 'splits', 'unc'), { recursive: true });
      const unc = sharedPath('fixtures', 'torch-save', 'unc_val.pth');
      copyFileSync(unc, path.join(root, 'splits', 'unc', 'unc_val.pth'));
      copyFileSync(sharedPath('fixtures', 'torch-save', 'unc_train_pseudo_raw.legacy.pth'), path.join(root, 'splits', 'unc', 'unc_train.pth'));
      const records = loadSplit({
        dataset: 'unc',
        split: 'trainval',
        splitRoot: path.join(root, 'splits'),
        dataRoot: path.join(root, 'images'),
        prompt: 'find {pseudo_query}',
      });
      expect(records.map((r) => r.id)).toEqual(['train:0', 'train:1', 'val:0', 'val:1']);
      expect(records[2].image).toBe(path.join(root, 'images', 'other/images/mscoco/images/train2014', 'COCO_train2014_000000000839.jpg'));
      expect(records[3].text).toBe('find man right');
      expect(() => loadSplit({ dataset: 'unc', split: 'testA', splitRoot: path.join(root, 'splits') })).toThrow(
        `${path.join(root, 'splits', 'unc', 'unc_testA.pth')}: split file not found`,
      );
      expect(() => loadSplit({ dataset: 'unc', split: 'test', splitRoot: path.join(root, 'splits') })).toThrow('dataset unc does not have split test');
      expect(() => loadSplit({ dataset: 'flickr', split: 'val', splitRoot: path.join(root, 'splits') })).toThrow('dataset folder not found');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
