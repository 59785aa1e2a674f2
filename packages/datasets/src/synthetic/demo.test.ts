import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  boxIou,
  generateSyntheticWorld,
  loadSyntheticWorld,
  createSyntheticWorld,
  demoCaption,
  demoExpressions,
  demoPretrainScenes,
  demoWorldOptions,
  DEMO_SIZE_RADIUS,
  DEMO_WORDS,
  DEMO_WRONG_RATE,
  PSEUDO_SOURCES,
  renderScene,
  resolveExpression,
  resolveWorldOptions,
} from './index';

describe('the demo world preset', () => {
  const world = createSyntheticWorld(demoWorldOptions({ seed: 3, train: 1500, val: 60, test: 80 }));
  const byFile = new Map(world.images.map((i) => [i.file, i]));
  const words = new Set(DEMO_WORDS);
  const wordsOf = (text: string) => text.split(' ');

  test('defaults are the recipe world', () => {
    const o = resolveWorldOptions({ world: 'demo' });
    expect([o.train, o.val, o.test, o.imageSize, o.minObjects, o.maxObjects]).toEqual([5000, 300, 500, 48, 2, 3]);
    expect(PSEUDO_SOURCES.map((s) => o.pseudo[s].wrongBox)).toEqual([0.25, 0.4, 0.55]);
    expect(() => resolveWorldOptions({ world: 'demo', pseudo: { template: { ambiguous: 0.1 } } })).toThrow(/only by a wrong box/);
    expect(() => resolveWorldOptions({ world: 'demo', maxObjects: 5 })).toThrow(/maxObjects/);
    expect(DEMO_WORDS.length + 4).toBe(18); // + pad, unknown, SOT, EOT
  });

  test('scenes: 2–3 objects of distinct colours and the two sizes, inside the image, boxes apart', () => {
    expect(world.images).toHaveLength(1640);
    const counts = new Set<number>();
    for (const { scene } of world.images) {
      expect(scene.width).toBe(48);
      counts.add(scene.objects.length);
      expect(new Set(scene.objects.map((o) => o.colour)).size).toBe(scene.objects.length);
      for (const o of scene.objects) {
        expect(o.radius).toBeCloseTo(DEMO_SIZE_RADIUS[o.size] * 48, 10);
        expect(o.box[0]).toBeGreaterThanOrEqual(0);
        expect(o.box[2]).toBeLessThanOrEqual(48);
      }
      scene.objects.forEach((a, i) => scene.objects.forEach((b, j) => i < j && expect(boxIou(a.box, b.box)).toBe(0)));
    }
    expect([...counts].sort()).toEqual([2, 3]);
  });

  test('one clean sample per object, each the shortest description that singles it out', () => {
    const images = (split: string) => world.images.filter((i) => i.split === split);
    for (const split of ['train', 'val', 'test'] as const) {
      expect(world.splits[split]).toHaveLength(images(split).reduce((s, i) => s + i.scene.objects.length, 0));
      for (const r of world.splits[split]) {
        const scene = byFile.get(r.image)!.scene;
        const matches = resolveExpression(r.text, scene);
        expect(matches).toHaveLength(1);
        const [x1, y1, x2, y2] = scene.objects[matches[0]].box;
        expect(r.box).toEqual([x1, y1, x2, y2]);
        const valid = demoExpressions(scene, matches[0]);
        expect(valid).toContain(r.text);
        expect(wordsOf(r.text).length).toBe(Math.min(...valid.map((t) => wordsOf(t).length)));
        for (const w of wordsOf(r.text)) expect(words.has(w)).toBe(true);
      }
    }
    expect(world.splits.train.length / 1500).toBeGreaterThan(2.3);
    // every form occurs
    const forms = new Set(
      world.splits.train.map((r) =>
        wordsOf(r.text).length === 2 ? 'shape' : /shape$/.test(r.text) ? 'colour' : /(small|large)/.test(r.text) ? 'size' : 'colour+shape',
      ),
    );
    expect([...forms].sort()).toEqual(['colour', 'colour+shape', 'shape', 'size']);
  });

  test.each(PSEUDO_SOURCES)('%s: the train samples with their text, the configured share of wrong boxes, jittered', (source) => {
    const labels = world.pseudo[source];
    expect(labels).toHaveLength(world.splits.train.length);
    expect(new Set(labels.map((l) => l.record.id)).size).toBe(labels.length);
    const wrong = labels.filter((l) => !l.correct).length / labels.length;
    expect(Math.abs(wrong - DEMO_WRONG_RATE[source])).toBeLessThan(0.001);
    let jittered = 0;
    let overlapping = 0;
    const offsets: number[] = [];
    const logSizes: number[] = [];
    labels.forEach((l, i) => {
      const gt = world.splits.train[i];
      expect(l.record.text).toBe(gt.text);
      expect(l.record.image).toBe(gt.image);
      expect(l.record.source).toBe(source);
      expect(l.correct).toBe(l.failure === null);
      const scene = world.images[l.imageIndex].scene;
      const ious = scene.objects.map((o) => boxIou(l.record.box, o.box));
      const best = ious.indexOf(Math.max(...ious));
      expect(ious[best]).toBeGreaterThan(0.3);
      if (ious[best] >= 0.5) overlapping++;
      // right labels: the target's box; wrong ones: another object's
      expect(best === l.target).toBe(l.correct);
      if (l.record.boxOriginal.some((v, k) => v !== gt.boxOriginal[k])) jittered++;
      // jitter around the (float) box of the object it came from, away from the image border
      const [x, , w] = l.record.boxOriginal as [number, number, number, number];
      const [x1, , x2] = scene.objects[best].box;
      if (x > 0 && x + w < 48 && x1 > 0 && x2 < 48) {
        offsets.push((x + w / 2 - (x1 + x2) / 2) / (x2 - x1));
        logSizes.push(Math.log(w / (x2 - x1)));
      }
    });
    expect(jittered / labels.length).toBeGreaterThan(0.95);
    expect(overlapping / labels.length).toBeGreaterThan(0.995);
    const rms = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    expect(rms(offsets)).toBeCloseTo(0.05, 2);
    expect(rms(logSizes)).toBeCloseTo(0.05, 2);
  });

  test('deterministic by seed; val and test do not depend on the train size', () => {
    const again = createSyntheticWorld(demoWorldOptions({ seed: 3, train: 1500, val: 60, test: 80 }));
    expect(again.splits).toEqual(world.splits);
    expect(again.pseudo.caption.map((l) => l.record)).toEqual(world.pseudo.caption.map((l) => l.record));
    const smaller = createSyntheticWorld(demoWorldOptions({ seed: 3, train: 10, val: 60, test: 80 }));
    expect(smaller.splits.test).toEqual(world.splits.test);
    const other = createSyntheticWorld(demoWorldOptions({ seed: 4, train: 10, val: 0, test: 0 }));
    expect(other.splits.train).not.toEqual(smaller.splits.train);
  });

  test('pretraining scenes: their own stream, captions name every object left to right', () => {
    const scenes = demoPretrainScenes(0, 40);
    expect(demoPretrainScenes(0, 5, { start: 35 })).toEqual(scenes.slice(35));
    const trainScene = createSyntheticWorld(demoWorldOptions({ seed: 0, train: 1, val: 0, test: 0 })).images[0].scene;
    expect(scenes[0]).not.toEqual(trainScene);
    for (const scene of scenes) {
      const caption = demoCaption(scene);
      const parts = caption.split(' and ');
      expect(parts).toHaveLength(scene.objects.length);
      const sorted = scene.objects.slice().sort((a, b) => a.cx - b.cx);
      parts.forEach((p, k) => expect(p).toBe(`a ${sorted[k].size} ${sorted[k].colour} ${sorted[k].kind}`));
      for (const w of wordsOf(caption)) expect(words.has(w)).toBe(true);
    }
    expect(demoCaption(scenes[0])).toMatch(/^a (small|large) (red|green|blue|yellow) (circle|square|triangle|diamond)( and a .*)?$/);
  });

  test('renders dark, noisy backgrounds with the objects in their colours', () => {
    const scene = world.images[0].scene;
    const image = renderScene(scene);
    const inObject = (x: number, y: number) => scene.objects.some((o) => x >= o.box[0] - 1 && x < o.box[2] + 1 && y >= o.box[1] - 1 && y < o.box[3] + 1);
    const background: number[] = [];
    for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) if (!inObject(x, y)) background.push(image.data[(y * 48 + x) * 3]);
    const mean = background.reduce((a, b) => a + b, 0) / background.length;
    const std = Math.sqrt(background.reduce((a, b) => a + (b - mean) ** 2, 0) / background.length);
    expect(mean).toBeLessThan(60);
    expect(std).toBeGreaterThan(5);
    const o = scene.objects[0];
    const centre = (Math.round(o.cy) * 48 + Math.round(o.cx)) * 3;
    const rgb = [...image.data.subarray(centre, centre + 3)];
    expect(Math.max(...rgb)).toBeGreaterThan(120);
  });

  test('writes and reads back like any synthetic world, with demo captions', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clipvg-demo-world-'));
    try {
      const { world: written, files, summary } = await generateSyntheticWorld({ ...demoWorldOptions({ seed: 1, train: 6, val: 2, test: 2 }), out });
      expect(summary.options.world).toBe('demo');
      expect(summary.pseudo.caption.configuredErrorRate).toBe(0.55);
      const loaded = loadSyntheticWorld(out);
      expect(loaded.sources.relation.map((r) => [r.image, r.text, r.box])).toEqual(
        written.pseudo.relation.map((l) => [l.record.image, l.record.text, l.record.box]),
      );
      expect(loaded.test.map((r) => r.box)).toEqual(written.splits.test.map((r) => r.box));
      const captions = JSON.parse(readFileSync(files.captions, 'utf8')) as { caption: string }[];
      expect(captions.map((c) => c.caption)).toEqual(written.images.filter((i) => i.split === 'train').map((i) => demoCaption(i.scene)));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
