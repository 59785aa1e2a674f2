import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';
import { isTensor, loadPth, type TorchTensor } from '@clip-vg/torch-io';
import { writeReliabilityOutputs } from './reliability-outputs';
import { sourceSubsetName, writeSourceSubset } from './split-files';

const R = [0, 0.05, 0.3, 0.39, 0.4, 0.5, 0.5001, 0.75, 0.9, 0.95, 1, 0];
// shaped like datasets' GroundingRecord, which curriculum cannot import (datasets depends on curriculum)
const records = R.map((_, i) => ({
  id: `train_pseudo:${i}`,
  image: `COCO_train2014_${String(i).padStart(12, '0')}.jpg`,
  box: [10, 20, 110, 220],
  boxOriginal: [10 + i, 20.5, 100, 200],
  text: `Man Left ${i}`,
  source: 'template',
}));
const gt = R.map((_, i) => [0.5, 0.5, 0.25 + i / 100, 0.5]);
const pred = R.map((_, i) => [0.5 + i / 100, 0.45, 0.3, 1.2]); // unclamped, as the model emits them

const python = (() => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  return probe.status === 0;
})();

describe('writeReliabilityOutputs', () => {
  const dir = tempDir('reliability-');
  let written: Awaited<ReturnType<typeof writeReliabilityOutputs>>;

  beforeAll(async () => {
    written = await writeReliabilityOutputs({
      dataset: 'unc',
      records,
      predictions: pred,
      gtBoxes: gt,
      reliabilities: R,
      outDir: dir,
      log: { model: 'best_checkpoint' },
    });
  });

  test('writes the official file names', () => {
    const names = written.files.map((f) => path.basename(f));
    expect(names.slice(0, -1)).toEqual([
      'unc_train_pseudo_iou_result.pth',
      ...['0_0', '0_1', '0_2', '0_3', '0_4', '0_5', '0_6', '0_7', '0_8', '0_9', '1_0'].map((t) => `unc_train_pseudo_refine_${t}.pth`),
      'unc_train_pseudo_bad_label_0_0.pth',
      'unc_train_pseudo_bad_label_0_4.pth',
      'unc_train_pseudo_reliability_histogram.json',
      'unc_train_pseudo_reliability_histogram.png',
    ]);
    expect(names[names.length - 1]).toBe('eval_unc_test_best_checkpoint_log.txt');
    expect(readFileSync(written.files[written.files.length - 1], 'utf8')).toMatch(/Accuracy of r >= 0.5: 0.500000 \(12 samples\)/);
    expect(written.kept).toMatchObject({ '0_0': 10, '0_4': 6, '0_5': 5, '0_9': 2, '1_0': 1 });
    expect(written.accuracy).toBeCloseTo(6 / 12); // r >= 0.5, inclusive like Acc@0.5;
  });

  test('iou_result rows are 7-lists with gt/pred float32 views into two N×4 storages', () => {
    const rows = loadPth(path.join(dir, 'unc_train_pseudo_iou_result.pth')) as unknown[][];
    expect(rows).toHaveLength(R.length);
    const [img, placeholder, bbox, phrase, g, p, iou] = rows[3];
    expect([img, placeholder, bbox, phrase, iou]).toEqual([records[3].image, 'useless placeholder', [13, 20.5, 100, 200], 'man left 3', 0.39]);
    const gT = g as TorchTensor;
    const pT = p as TorchTensor;
    expect(isTensor(gT) && isTensor(pT)).toBe(true);
    expect([gT.dtype, gT.shape, gT.storageOffset, gT.storage.numel]).toEqual(['float32', [4], 12, 48]);
    expect(Array.from(pT.toFloat32Array())).toEqual(Array.from(Float32Array.from(pred[3])));
    expect((rows[0][4] as TorchTensor).storage).toBe(gT.storage); // one shared storage, as torch.cat + indexing gives
  });

  test('refine files hold r > t (strict) and r == 1 in the 5-list layout; bad labels are 6-lists', () => {
    const refine = loadPth(path.join(dir, 'unc_train_pseudo_refine_0_5.pth')) as unknown[][];
    expect(refine.map((r) => r[3])).toEqual(['man left 6', 'man left 7', 'man left 8', 'man left 9', 'man left 10']);
    expect(refine[0]).toEqual([records[6].image, 'useless placeholder', [16, 20.5, 100, 200], 'man left 6', 'useless placeholder']);
    expect((loadPth(path.join(dir, 'unc_train_pseudo_refine_1_0.pth')) as unknown[][]).map((r) => r[3])).toEqual(['man left 10']);
    const bad0 = loadPth(path.join(dir, 'unc_train_pseudo_bad_label_0_0.pth')) as unknown[][];
    expect(bad0.map((r) => [r[3], r[5]])).toEqual([
      ['man left 0', 0],
      ['man left 11', 0],
    ]);
    expect((loadPth(path.join(dir, 'unc_train_pseudo_bad_label_0_4.pth')) as unknown[]).length).toBe(5);
    const hist = JSON.parse(readFileSync(path.join(dir, 'unc_train_pseudo_reliability_histogram.json'), 'utf8'));
    expect([hist.bins, hist.zeros, hist.total, hist.counts[999]]).toEqual([1000, 2, 12, 1]);
  });

  (python ? test : test.skip)('torch.load reads every file as the official code would (python3 + torch)', () => {
    const files = written.files.filter((f) => f.endsWith('.pth'));
    const out = JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, '..', 'scripts', 'check_outputs.py'), ...files], { encoding: 'utf8' }));
    const iou = out[files[0]].list[3].list;
    expect(iou[2]).toEqual({ list: [{ float: 13 }, { float: 20.5 }, { float: 100 }, { float: 200 }] });
    expect(iou[4]).toMatchObject({ dtype: 'torch.float32', offset: 12, storage_size: 48 });
    expect(iou[5].tensor).toEqual(Array.from(Float32Array.from(pred[3])));
    expect(iou[6]).toEqual({ float: 0.39 });
    const refine = out[path.join(dir, 'unc_train_pseudo_refine_0_5.pth')].list;
    expect(refine).toHaveLength(5);
    expect(refine[0].list[3]).toBe('man left 6');
    expect(out[path.join(dir, 'unc_train_pseudo_bad_label_0_0.pth')].list[0].list[5]).toEqual({ float: 0 });
  });
});

test('flickr rows are 3-lists; MSA per-source subsets use the README names', () => {
  const dir = tempDir('subset-');
  expect(sourceSubsetName(2, 'unc+', 'relation', 0.5)).toBe('2_unc+_train_pseudo_relation_0_5.pth');
  const file = writeSourceSubset({ outDir: dir, order: 1, dataset: 'flickr', source: 'template', threshold: 0, records: records.slice(0, 2) });
  expect(path.basename(file)).toBe('1_flickr_train_pseudo_template_0_0.pth');
  expect(existsSync(file)).toBe(true);
  expect(loadPth(file)).toEqual([
    [records[0].image, [10, 20.5, 100, 200], 'man left 0'],
    [records[1].image, [11, 20.5, 100, 200], 'man left 1'],
  ]);
});

test('mismatched lengths fail with one line', async () => {
  await expect(
    writeReliabilityOutputs({ dataset: 'unc', records, predictions: pred.slice(1), gtBoxes: gt, reliabilities: R, outDir: tmpdir(), plot: false }),
  ).rejects.toThrow('writeReliabilityOutputs(unc): predictions hold 44 numbers, expected 4 × 12 records');
});
