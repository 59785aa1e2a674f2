import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadImage } from '@clip-vg/image';
import { loadSplitFile } from '../real';
import { generateSyntheticWorld, loadSyntheticWorld, renderScene, resolveExpression } from './index';

describe('generateSyntheticWorld', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'clipvg-synth-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('writes a dataset that the real loader reads back like unc (RefCOCO layout)', async () => {
    const { world, files, summary } = await generateSyntheticWorld({ out, seed: 4, train: 12, val: 4, test: 3, imageSize: 64 });
    for (const split of ['train', 'val', 'test'] as const) {
      const records = loadSplitFile(files.splits[split], 'unc', { split });
      expect(records.map((r) => [r.image, r.box, r.text])).toEqual(world.splits[split].map((r) => [r.image, r.box, r.text]));
    }
    const pseudo = loadSplitFile(files.splits.train_pseudo, 'unc', { split: 'train_pseudo' });
    expect(pseudo.map((r) => r.box)).toEqual(world.pseudo.template.map((l) => l.record.box));
    for (const source of ['template', 'relation', 'caption'] as const) {
      expect(existsSync(files.separate[source])).toBe(true);
      const truth = JSON.parse(readFileSync(files.truth[source], 'utf8'));
      expect(truth.labels.map((l: { correct: boolean }) => l.correct)).toEqual(world.pseudo[source].map((l) => l.correct));
    }
    expect(path.basename(files.separate.relation)).toBe('2_synthetic_train_pseudo_relation.pth');
    expect(summary.images).toEqual({ train: 12, val: 4, test: 3 });
    const captions = JSON.parse(readFileSync(files.captions, 'utf8'));
    expect(captions).toHaveLength(12);

    // the PNG holds exactly the rendered scene, and its expression still resolves to the stored box
    const first = world.images[0];
    const decoded = await loadImage(path.join(files.imageDir, first.file));
    expect(decoded.width).toBe(64);
    expect(Buffer.from(decoded.data).equals(Buffer.from(renderScene(first.scene).data))).toBe(true);
    const record = world.splits.train[0];
    const scene = world.images.find((i) => i.file === record.image)!.scene;
    expect(scene.objects[resolveExpression(record.text, scene)[0]].box).toEqual(record.box);

    const loaded = loadSyntheticWorld(out);
    expect(loaded.val.map((r) => r.text)).toEqual(world.splits.val.map((r) => r.text));
    expect(loaded.sources.caption.map((r) => r.source)).toEqual(world.pseudo.caption.map(() => 'caption'));
    expect(loaded.truth.relation.map((t) => t.correct)).toEqual(world.pseudo.relation.map((l) => l.correct));
    expect(loaded.imageRoot).toBe(files.imageDir);
    expect(() => loadSyntheticWorld(path.join(out, 'nowhere'))).toThrow(/world\.json: not found/);
  });
});
