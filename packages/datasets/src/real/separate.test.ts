import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { loadSeparateSources, parseSeparateFileName } from './separate';

describe('parseSeparateFileName', () => {
  it('reads order, source and threshold, and rejects other datasets and names', () => {
    expect(parseSeparateFileName('1_unc+_train_pseudo_template_0_5.pth', 'unc+')).toEqual({
      order: 1,
      source: 'template',
      threshold: '0_5',
      thresholdValue: 0.5,
    });
    expect(parseSeparateFileName('3_unc+_train_pseudo_caption_1_0.pth', 'unc+')).toMatchObject({ order: 3, source: 'caption', thresholdValue: 1 });
    expect(parseSeparateFileName('1_unc+_train_pseudo_template_0_5.pth', 'unc')).toBeUndefined();
    expect(parseSeparateFileName('unc_train_pseudo.pth', 'unc')).toBeUndefined();
    // raw sources, before any selection, have no threshold suffix
    expect(parseSeparateFileName('2_synthetic_train_pseudo_relation.pth', 'synthetic')).toEqual({
      order: 2,
      source: 'relation',
      threshold: '',
      thresholdValue: 0,
    });
  });
});

describeShared('loadSeparateSources', () => {
  it('loads the per-source files of a train_separate folder in k order', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'clip-vg-separate-'));
    try {
      const dir = path.join(root, 'unc', 'train_separate');
      mkdirSync(dir, { recursive: true });
      copyFileSync(sharedPath('fixtures', 'torch-save', 'unc_train_pseudo_raw.pth'), path.join(dir, '2_unc_train_pseudo_relation_0_45.pth'));
      copyFileSync(sharedPath('fixtures', 'torch-save', 'unc_val.legacy.pth'), path.join(dir, '1_unc_train_pseudo_template_0_5.pth'));
      writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
      const sources = loadSeparateSources(root, 'unc');
      expect(sources.map(({ order, source, threshold, thresholdValue }) => ({ order, source, threshold, thresholdValue }))).toEqual([
        { order: 1, source: 'template', threshold: '0_5', thresholdValue: 0.5 },
        { order: 2, source: 'relation', threshold: '0_45', thresholdValue: 0.45 },
      ]);
      expect(sources[1].records[1]).toMatchObject({ id: '2_relation:1', source: 'relation', text: 'blue shirt', box: [5, 6, 55, 66] });
      expect(() => loadSeparateSources(root, 'gref')).toThrow('no train_separate folder');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
