import { officialBox } from './box';
import { assertSplit, datasetFromFileName, splitFiles } from './datasets';
import { applyPrompt } from './prompt';
import { PLACEHOLDER } from '@clip-vg/curriculum';
import { recordsFromSplit, recordsToRows } from './rows';

const attributes = [
  ['r1', ['guy']],
  ['r8', ['right']],
];

describe('officialBox', () => {
  it('truncates COCO xywh floats to int before adding width and height', () => {
    // The CLIP-VG data_loader comment's row: an exact conversion would give 596.87 and 494.82.
    expect(officialBox([303.58, 69.03, 293.29, 425.79], 'xywh')).toEqual([303, 69, 596, 494]);
  });
  it('keeps x1y1x2y2 boxes, truncating floats towards zero', () => {
    expect(officialBox([1.0, 2.5, 100.25, 200.0], 'xyxy')).toEqual([1, 2, 100, 200]);
    expect(officialBox([-0.5, -1.7, 3.9, 4], 'xyxy')).toEqual([0, -1, 3, 4]);
    expect(Object.is(officialBox([-0.5, 0, 1, 1], 'xyxy')[0], 0)).toBe(true);
  });
});

describe('recordsFromSplit', () => {
  it('reads ground-truth COCO 5-tuples', () => {
    const rows = [['COCO_train2014_000000000839.jpg', '482127.pth', [303.58, 69.03, 293.29, 425.79], 'guy flopping around on the right', attributes]];
    expect(recordsFromSplit(rows, 'unc', { split: 'val' })).toEqual([
      {
        id: 'val:0',
        image: 'COCO_train2014_000000000839.jpg',
        box: [303, 69, 596, 494],
        boxOriginal: [303.58, 69.03, 293.29, 425.79],
        text: 'guy flopping around on the right',
      },
    ]);
  });

  it('reads Flickr 3-tuples with bigint or typed-array boxes', () => {
    const rows = [
      ['1.jpg', [158n, 124n, 218n, 334n], 'Two young guys'],
      ['2.jpg', { data: new BigInt64Array([1n, 2n, 3n, 4n]), shape: [4] }, 'a dog'],
    ];
    const records = recordsFromSplit(rows, 'flickr', { split: 'test', source: 'gt' });
    expect(records.map((r) => r.box)).toEqual([
      [158, 124, 218, 334],
      [1, 2, 3, 4],
    ]);
    expect(records[1]).toMatchObject({ id: 'test:1', source: 'gt', text: 'a dog' });
  });

  it('keeps the 5-element positions for CLIP-VG iou-result rows, even for Flickr', () => {
    const row = ['a.jpg', PLACEHOLDER, [1, 2, 30, 40], 'left man', [0.1], [0.2], 0.5];
    expect(recordsFromSplit([row], 'flickr')[0].box).toEqual([1, 2, 30, 40]);
    expect(recordsFromSplit([row], 'unc')[0].box).toEqual([1, 2, 31, 42]);
  });

  it('names the file and row of a malformed row', () => {
    expect(() => recordsFromSplit([['a.jpg', [1, 2, 3, 4], 'x']], 'unc', { file: 'f.pth' })).toThrow(
      'f.pth: row 0: has 3 elements, expected 5 (or CLIP-VG 6/7) for unc',
    );
    expect(() => recordsFromSplit([['a.jpg', 'm', [1, 2, 3], 'x', []]], 'referit', { file: 'f.pth' })).toThrow(
      'f.pth: row 0: box is not 4 finite numbers (a list of 3)',
    );
    expect(() => recordsFromSplit([['a.jpg', [1, 2, 3, 4], 7]], 'flickr', { file: 'f.pth' })).toThrow('f.pth: row 0: phrase is a number');
  });
});

describe('recordsToRows', () => {
  it('round-trips float boxes and writes the official pseudo-label layout', () => {
    const rows = [['a.jpg', 'm.pth', [10.7, 20.2, 5.5, 6.6], 'cat', []]];
    const records = recordsFromSplit(rows, 'unc');
    expect(recordsToRows(records, 'unc')).toEqual([['a.jpg', PLACEHOLDER, [10.7, 20.2, 5.5, 6.6], 'cat', PLACEHOLDER]]);
    expect(recordsFromSplit(recordsToRows(records, 'unc'), 'unc')).toEqual(records);
  });
  it('converts an edited box back to the stored format', () => {
    const [record] = recordsFromSplit([['a.jpg', 'm', [10, 20, 5, 6], 'cat', []]], 'unc');
    record.box = [1, 2, 11, 22];
    expect(recordsToRows([record], 'unc')[0]).toEqual(['a.jpg', PLACEHOLDER, [1, 2, 10, 20], 'cat', PLACEHOLDER]);
    expect(recordsToRows([record], 'flickr')[0]).toEqual(['a.jpg', [1, 2, 11, 22], 'cat']);
  });
});

describe('datasets', () => {
  it('names the splits a dataset has when asked for one it lacks', () => {
    expect(() => assertSplit('unc', 'test')).toThrow('dataset unc does not have split test: it has train, val, trainval, testA, testB, train_pseudo');
    expect(() => assertSplit('gref', 'test')).toThrow('it has train, val, train_pseudo');
  });
  it('reads trainval as train + val except for ReferIt', () => {
    expect(splitFiles('unc+', 'trainval')).toEqual(['unc+_train.pth', 'unc+_val.pth']);
    expect(splitFiles('referit', 'trainval')).toEqual(['referit_trainval.pth']);
  });
  it('guesses the dataset from a file name', () => {
    expect(datasetFromFileName('/x/gref_umd_val.pth')).toBe('gref_umd');
    expect(datasetFromFileName('gref_val.pth')).toBe('gref');
    expect(datasetFromFileName('1_unc+_train_pseudo_template_0_5.pth')).toBe('unc+');
    expect(datasetFromFileName('corpus.pth')).toBeUndefined();
  });
});

describe('applyPrompt', () => {
  it('replaces every {pseudo_query}; an empty template means no prompt', () => {
    expect(applyPrompt('red car')).toBe('red car');
    expect(applyPrompt('red car', 'find the {pseudo_query}')).toBe('find the red car');
    expect(applyPrompt('a $& b', '{pseudo_query} / {pseudo_query}')).toBe('a $& b / a $& b');
    expect(applyPrompt('red car', '')).toBe('red car');
  });
});
