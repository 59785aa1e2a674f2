import { createSyntheticWorld, DEFAULT_PSEUDO_NOISE, PSEUDO_SOURCES, resolveExpression, parseExpression, renderScene } from './index';
import { boxIou } from './scene';

describe('synthetic grounding world', () => {
  // ~2,000+ labels per source: 1,100 train images give ≥ 2,000 template, relation and caption labels together
  const world = createSyntheticWorld({ seed: 7, train: 2200, val: 150, test: 150 });

  test('every ground-truth expression identifies exactly its object', () => {
    let checked = 0;
    const forms = new Set<string>();
    const byFile = new Map(world.images.map((i) => [i.file, i]));
    for (const split of ['train', 'val', 'test'] as const) {
      for (const record of world.splits[split]) {
        const image = byFile.get(record.image);
        expect(image?.split).toBe(split);
        const matches = resolveExpression(record.text, image!.scene);
        expect(matches).toHaveLength(1);
        const [x1, y1, x2, y2] = image!.scene.objects[matches[0]].box;
        expect(record.box).toEqual([x1, y1, x2, y2]);
        expect(record.boxOriginal).toEqual([x1, y1, x2 - x1, y2 - y1]);
        const parsed = parseExpression(record.text)!;
        forms.add(parsed.spatial ? 'spatial' : parsed.relation ? 'relation' : 'attribute');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
    expect([...forms].sort()).toEqual(['attribute', 'relation', 'spatial']);
  });

  test.each(PSEUDO_SOURCES)('%s: measured error rate matches the configured rate within 2 points', (source) => {
    const labels = world.pseudo[source].slice(0, 2000);
    expect(labels).toHaveLength(2000);
    const noise = DEFAULT_PSEUDO_NOISE[source];
    const configured = noise.wrongBox + noise.ambiguous + noise.wrongAttribute;
    // measured from the scene geometry, independently of the failure bookkeeping
    const measured =
      labels.filter((l) => {
        const scene = world.images[l.imageIndex].scene;
        const matches = resolveExpression(l.record.text, scene);
        return !(matches.length === 1 && boxIou(l.record.box, scene.objects[matches[0]].box) >= 0.5);
      }).length / labels.length;
    expect(Math.abs(measured - configured)).toBeLessThanOrEqual(0.02);
    for (const l of labels) expect(l.correct).toBe(l.failure === null);
    // every failure mode occurs, each near its own rate
    for (const mode of ['wrongBox', 'ambiguous', 'wrongAttribute'] as const) {
      const share = labels.filter((l) => l.failure === mode).length / labels.length;
      expect(Math.abs(share - noise[mode])).toBeLessThanOrEqual(0.03);
    }
  });

  test('a wrong box is always another real object, and pseudo records keep the truth out', () => {
    for (const l of world.pseudo.template.filter((x) => x.failure === 'wrongBox').slice(0, 200)) {
      const scene = world.images[l.imageIndex].scene;
      const best = Math.max(...scene.objects.map((o) => boxIou(l.record.box, o.box)));
      expect(best).toBeGreaterThan(0.5);
      expect(boxIou(l.record.box, scene.objects[l.target].box)).toBe(0);
      expect(Object.keys(l.record).sort()).toEqual(['box', 'boxOriginal', 'id', 'image', 'source', 'text']);
    }
  });

  test('configured rates are honoured', () => {
    const noisy = createSyntheticWorld({
      seed: 3,
      train: 1200,
      val: 0,
      test: 0,
      pseudo: { template: { wrongBox: 0.05, ambiguous: 0.05, wrongAttribute: 0.05 } },
    });
    const t = noisy.pseudo.template;
    expect(Math.abs(t.filter((l) => !l.correct).length / t.length - 0.15)).toBeLessThanOrEqual(0.02);
  });

  test('deterministic from the seed; other splits do not depend on the train size', () => {
    const a = createSyntheticWorld({ seed: 11, train: 30, val: 10, test: 5 });
    const b = createSyntheticWorld({ seed: 11, train: 30, val: 10, test: 5 });
    const c = createSyntheticWorld({ seed: 11, train: 5, val: 10, test: 5 });
    const d = createSyntheticWorld({ seed: 12, train: 30, val: 10, test: 5 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(c.splits.val).toEqual(a.splits.val);
    expect(d.splits.val).not.toEqual(a.splits.val);
    expect(renderScene(a.images[0].scene).data).toEqual(renderScene(b.images[0].scene).data);
  });

  test('scenes hold 2–5 non-overlapping objects and render inside their boxes', () => {
    const small = createSyntheticWorld({ seed: 5, train: 40, val: 0, test: 0, imageSize: 96 });
    for (const { scene } of small.images) {
      expect(scene.objects.length).toBeGreaterThanOrEqual(2);
      expect(scene.objects.length).toBeLessThanOrEqual(5);
      scene.objects.forEach((o, i) => scene.objects.forEach((p, j) => i < j && expect(boxIou(o.box, p.box)).toBe(0)));
    }
    const image = renderScene(small.images[0].scene);
    expect(image.data).toHaveLength(96 * 96 * 3);
    const o = small.images[0].scene.objects[0];
    const centre = (Math.round(o.cy) * 96 + Math.round(o.cx)) * 3;
    const rgb = Array.from(image.data.slice(centre, centre + 3));
    // the centre of a shape is strongly coloured, unlike the grey background
    expect(Math.max(...rgb) - Math.min(...rgb)).toBeGreaterThan(80);
  });

  test('bad options fail with one line', () => {
    expect(() => createSyntheticWorld({ train: -1 })).toThrow(/train must be a non-negative integer/);
    expect(() => createSyntheticWorld({ pseudo: { caption: { wrongBox: 0.9, ambiguous: 0.2 } } })).toThrow(/sum to at most 1/);
  });
});

describe('synthetic world layout options', () => {
  test('grid: objects are centred in distinct cells and every expression still resolves', () => {
    const world = createSyntheticWorld({ seed: 3, train: 60, val: 0, test: 0, imageSize: 64, grid: 4, minObjects: 2, maxObjects: 4 });
    for (const image of world.images) {
      const cells = image.scene.objects.map((o) => {
        expect((o.cx - 8) % 16).toBe(0);
        expect((o.cy - 8) % 16).toBe(0);
        expect(o.radius).toBeLessThanOrEqual(8);
        return `${o.cx},${o.cy}`;
      });
      expect(new Set(cells).size).toBe(cells.length);
    }
    for (const record of world.splits.train) {
      const image = world.images.find((i) => i.file === record.image)!;
      expect(resolveExpression(record.text, image.scene)).toHaveLength(1);
    }
  });

  test('objectScale, distractors and textures shape the scenes', () => {
    const base = createSyntheticWorld({ seed: 5, train: 40, val: 0, test: 0 });
    const big = createSyntheticWorld({ seed: 5, train: 40, val: 0, test: 0, objectScale: 1.5, textures: ['plain'], distractors: 0 });
    const meanRadius = (w: typeof base) => {
      const radii = w.images.flatMap((i) => i.scene.objects.map((o) => o.radius));
      return radii.reduce((a, b) => a + b, 0) / radii.length;
    };
    expect(meanRadius(big) / meanRadius(base)).toBeGreaterThan(1.3);
    expect(new Set(big.images.map((i) => i.scene.background.texture))).toEqual(new Set(['plain']));
  });

  test('bad layout options are one-line errors', () => {
    expect(() => createSyntheticWorld({ grid: 2, maxObjects: 5 })).toThrow(/2×2 grid holds at most 4 objects/);
    expect(() => createSyntheticWorld({ objectScale: 0 })).toThrow(/objectScale must be in/);
    expect(() => createSyntheticWorld({ textures: ['marble' as never] })).toThrow(/textures must be a non-empty list/);
    expect(() => createSyntheticWorld({ distractors: -1 })).toThrow(/distractors must be in/);
  });
});
