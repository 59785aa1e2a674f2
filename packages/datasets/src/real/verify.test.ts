import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { boxProblem, formatVerifyReport, verifyDataset } from './verify';

async function png(file: string, width: number, height: number): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: 9, g: 9, b: 9 } } })
    .png()
    .toFile(file);
}

describe('boxProblem', () => {
  it('accepts boxes inside [0, W] x [0, H], flags corners outside and inverted boxes', () => {
    expect(boxProblem([0, 0, 480, 360], 480, 360)).toBeUndefined();
    expect(boxProblem([5, 5, 5, 5], 480, 360)).toBeUndefined();
    expect(boxProblem([0, 0, 481, 10], 480, 360)).toBe('outside');
    expect(boxProblem([-1, 0, 10, 10], 480, 360)).toBe('outside');
    expect(boxProblem([10, 0, 9, 10], 480, 360)).toBe('inverted');
  });
});

describeShared('verifyDataset', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'clip-vg-verify-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports a missing image and a box outside its image', async () => {
    // referit_val.pth: 9739.jpg with boxes [10,20,110,220] and [0,0,479,132]; in a 300x240 image the second
    // sticks out at the right. The test split's image is absent.
    const splitRoot = path.join(root, 'a', 'splits');
    const dataRoot = path.join(root, 'a', 'data');
    mkdirSync(path.join(splitRoot, 'referit'), { recursive: true });
    copyFileSync(sharedPath('fixtures', 'torch-save', 'referit_val.pth'), path.join(splitRoot, 'referit', 'referit_val.pth'));
    copyFileSync(sharedPath('fixtures', 'torch-save', 'unc_val.pth'), path.join(splitRoot, 'referit', 'referit_test.pth'));
    await png(path.join(dataRoot, 'referit', 'images', '9739.jpg'), 300, 240);

    const report = await verifyDataset({ dataset: 'referit', splitRoot, dataRoot });
    expect(report.splits.filter((s) => s.present).map(({ split, rows, images }) => ({ split, rows, images }))).toEqual([
      { split: 'val', rows: 2, images: 1 },
      { split: 'test', rows: 2, images: 1 },
    ]);
    expect(report.missingImages).toEqual([{ image: 'COCO_train2014_000000000839.jpg', firstId: 'test:0', rows: 2 }]);
    expect(report.boxesOutside).toEqual([{ id: 'val:1', image: '9739.jpg', box: [0, 0, 479, 132], width: 300, height: 240, reason: 'outside' }]);
    expect(report.emptyTexts).toEqual([]);
    expect(report.problems).toBe(2);
    const text = formatVerifyReport(report).join('\n');
    expect(text).toContain('missing images: 1');
    expect(text).toContain('val:1 9739.jpg: box [0, 0, 479, 132] outside of 300x240');
    expect(text).toContain('FAILED: 2 problems');
  });

  it('passes a clean folder, and reports unreadable files and absent folders instead of throwing', async () => {
    const splitRoot = path.join(root, 'b', 'splits');
    const dataRoot = path.join(root, 'b', 'data');
    mkdirSync(path.join(splitRoot, 'flickr'), { recursive: true });
    copyFileSync(sharedPath('fixtures', 'torch-save', 'flickr_val_np.legacy.pth'), path.join(splitRoot, 'flickr', 'flickr_val.pth'));
    // TransVG's underscore spelling of the image folder is found too.
    await png(path.join(dataRoot, 'Flickr30k', 'flickr30k_images', '1000092795.jpg'), 500, 375);
    const clean = await verifyDataset({ dataset: 'flickr', splitRoot, dataRoot });
    expect(clean.problems).toBe(0);
    expect(formatVerifyReport(clean).at(-1)).toBe('OK: no problems');

    writeFileSync(path.join(splitRoot, 'flickr', 'flickr_test.pth'), 'not a torch file');
    writeFileSync(path.join(dataRoot, 'Flickr30k', 'flickr30k_images', '1000092795.jpg'), 'not an image');
    const broken = await verifyDataset({ dataset: 'flickr', splitRoot, dataRoot });
    expect(broken.splits.find((s) => s.split === 'test')!.error).toMatch(/flickr_test\.pth: cannot read as a torch\.save file/);
    expect(broken.unreadableImages.map((u) => u.image)).toEqual(['1000092795.jpg']);
    expect(broken.problems).toBe(2);

    const absent = await verifyDataset({ dataset: 'unc', splitRoot, dataRoot });
    expect(absent.errors).toEqual([`${path.join(splitRoot, 'unc')}: dataset folder not found`]);
    expect(absent.problems).toBe(1);
  });
});
