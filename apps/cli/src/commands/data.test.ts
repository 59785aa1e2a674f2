import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { runCli } from '../testing/run-cli';

/** Runs the CLI in-process and returns its exit code and what it printed. */

const jsonLines = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
const fixture = (name: string) => sharedPath('fixtures', 'torch-save', name);

// The records the official loader's pull_item gives (image, box after int truncation / xywh→xyxy, phrase).
const EXPECTED: Record<string, [string, object[]]> = {
  unc_val: [
    'unc',
    [
      { image: 'COCO_train2014_000000000839.jpg', box: [303, 69, 596, 494], text: 'guy flopping around on the right' },
      { image: 'COCO_train2014_000000000839.jpg', box: [303, 69, 596, 494], text: 'man right' },
    ],
  ],
  referit_val: [
    'referit',
    [
      { image: '9739.jpg', box: [10, 20, 110, 220], text: 'right black bag' },
      { image: '9739.jpg', box: [0, 0, 479, 132], text: 'sky' },
    ],
  ],
  flickr_val_list: ['flickr', [{ image: '1000092795.jpg', box: [158, 124, 218, 334], text: 'Two young guys' }]],
  flickr_val_np: ['flickr', [{ image: '1000092795.jpg', box: [158, 124, 218, 334], text: 'Two young guys' }]],
  flickr_train_pseudo: ['flickr', [{ image: '1000092795.jpg', box: [1, 2, 100, 200], text: 'left man' }]],
  unc_train_pseudo_raw: [
    'unc',
    [
      { image: 'COCO_train2014_000000000072.jpg', box: [1, 2, 101, 202], text: 'left man' },
      { image: 'COCO_train2014_000000000072.jpg', box: [5, 6, 55, 66], text: 'blue shirt' },
    ],
  ],
  unc_train_pseudo_iou_result: [
    'unc',
    [
      { image: 'COCO_train2014_000000000072.jpg', box: [1, 2, 100, 199], text: 'left man' },
      { image: 'COCO_train2014_000000000072.jpg', box: [1, 2, 100, 199], text: 'left man' },
    ],
  ],
};

describeShared('clip-vg data inspect', () => {
  for (const [name, [dataset, records]] of Object.entries(EXPECTED)) {
    for (const variant of ['', '.legacy']) {
      it(`${name}${variant}.pth --dataset ${dataset}`, async () => {
        const { code, out } = await runCli(['data', 'inspect', fixture(`${name}${variant}.pth`), '--dataset', dataset]);
        expect(code).toBe(0);
        expect(jsonLines(out)).toEqual(records);
      });
    }
  }

  it('guesses the dataset from the file name, honours --limit, --prompt and --full', async () => {
    const { code, out } = await runCli(['data', 'inspect', fixture('unc_val.legacy.pth'), '--limit', '1', '--prompt', 'find {pseudo_query}', '--full']);
    expect(code).toBe(0);
    expect(jsonLines(out)).toEqual([
      {
        id: 'val:0',
        image: 'COCO_train2014_000000000839.jpg',
        box: [303, 69, 596, 494],
        text: 'find guy flopping around on the right',
        boxOriginal: [303.58, 69.03, 293.29, 425.79],
      },
    ]);
  });

  it('fails with one line on a file that is not a split, or an unknown dataset', async () => {
    const corpus = await runCli(['data', 'inspect', fixture('corpus.pth'), '--dataset', 'unc']);
    expect(corpus.code).toBe(1);
    expect(corpus.err).toBe(`clip-vg: ${fixture('corpus.pth')}: not a split file (the pickled object is a utils.word_utils.Corpus, not a list of rows)\n`);
    const unknown = await runCli(['data', 'inspect', fixture('unc_val.pth'), '--dataset', 'coco']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe('clip-vg: unknown dataset "coco": expected one of unc, unc+, gref, gref_umd, referit, flickr, synthetic\n');
  });
});

describeShared('clip-vg data verify', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'clip-vg-data-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports a missing image and an out-of-bounds box, exit code 1', async () => {
    const splitRoot = path.join(root, 'splits');
    const dataRoot = path.join(root, 'data');
    mkdirSync(path.join(splitRoot, 'unc'), { recursive: true });
    copyFileSync(fixture('unc_val.pth'), path.join(splitRoot, 'unc', 'unc_val.pth'));
    copyFileSync(fixture('unc_train_pseudo_raw.pth'), path.join(splitRoot, 'unc', 'unc_train_pseudo.pth'));
    // unc_val's box is [303, 69, 596, 494]: a 640x480 image is 14 pixels too short. unc_train_pseudo's image is absent.
    const images = path.join(dataRoot, 'other', 'images', 'mscoco', 'images', 'train2014');
    mkdirSync(images, { recursive: true });
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
      .png()
      .toFile(path.join(images, 'COCO_train2014_000000000839.jpg'));

    const { code, out, err } = await runCli(['data', 'verify', '--dataset', 'unc', '--split-root', splitRoot, '--data-root', dataRoot]);
    expect(code).toBe(1);
    expect(out).toMatch(/val +2 rows, 1 images/);
    expect(out).toMatch(/train_pseudo +2 rows, 1 images/);
    expect(out).toContain('missing images: 1\n  COCO_train2014_000000000072.jpg (2 rows, first train_pseudo:0)');
    expect(out).toContain('boxes outside the image: 2\n  val:0 COCO_train2014_000000000839.jpg: box [303, 69, 596, 494] outside of 640x480');
    expect(out).toContain('empty texts: 0');
    expect(err).toBe('clip-vg: data verify: 3 problems in unc (see the report above)\n');

    const json = await runCli(['data', 'verify', '--dataset', 'unc', '--split-root', splitRoot, '--data-root', dataRoot, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ dataset: 'unc', problems: 3, missingImages: [{ image: 'COCO_train2014_000000000072.jpg' }] });
  });

  it('does not crash on a missing split root', async () => {
    const { code, out } = await runCli(['data', 'verify', '--dataset', 'gref', '--split-root', path.join(root, 'nowhere'), '--data-root', root]);
    expect(code).toBe(1);
    expect(out).toContain(`error: ${path.join(root, 'nowhere', 'gref')}: dataset folder not found`);
  });
});
