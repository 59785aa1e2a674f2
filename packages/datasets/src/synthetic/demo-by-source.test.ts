import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  createRng,
  createSyntheticWorld,
  demoCaptionExpressions,
  demoExpressionKind,
  demoExpressionsOfKind,
  demoMixedCaption,
  demoPretrainScenes,
  demoRelationExpressions,
  demoWorldOptions,
  DEMO_CAPTION_STYLES,
  DEMO_EXPRESSION_KINDS,
  DEMO_MIXED_WORDS,
  DEMO_WORDS,
  DEMO_WRONG_RATE,
  generateSyntheticWorld,
  loadSyntheticWorld,
  PSEUDO_SOURCES,
  resolveDemoExpression,
  resolveWorldOptions,
  type Scene,
  type SceneObject,
  type ShapeKind,
  type ColourName,
} from './index';

/** A 48 px scene with objects at the given centres (radius 6, small). */
function scene(objects: [ShapeKind, ColourName, number, number][]): Scene {
  return {
    width: 48,
    height: 48,
    background: { texture: 'plain', base: [30, 30, 30], accent: [30, 30, 30], period: 8, angle: 0 },
    noiseSeed: 0,
    objects: objects.map(([kind, colour, cx, cy]): SceneObject => ({
      kind,
      colour,
      size: 'small',
      cx,
      cy,
      radius: 6,
      box: [Math.floor(cx - 6), Math.floor(cy - 6), Math.ceil(cx + 6), Math.ceil(cy + 6)],
    })),
  };
}

describe('demo world: the default (shared expressions) is unchanged', () => {
  test('the same world, bit for bit, as before the by-source variant', () => {
    const w = createSyntheticWorld({ world: 'demo', seed: 3, train: 300, val: 40, test: 40 });
    const data = JSON.stringify({ splits: w.splits, pseudo: w.pseudo, images: w.images, options: w.options });
    // fingerprint of the world the preset generated before `expressions` existed
    expect(createHash('sha256').update(data).digest('hex')).toBe('3e781a41c9dd123c4bb78cc2c19f1b6b82b9a8bfcbe39423b785932e9a94d261');
    expect('expressions' in w.options).toBe(false);
    expect(w.splits.test.some((r) => 'kind' in r)).toBe(false);
    const shared = createSyntheticWorld({ world: 'demo', seed: 3, train: 300, val: 40, test: 40, expressions: 'shared' });
    expect(shared.splits).toEqual(w.splits);
    expect(shared.pseudo).toEqual(w.pseudo);
  });

  test('DEMO_WORDS stays the shipped CLIP vocabulary; DEMO_MIXED_WORDS is a sorted superset', () => {
    expect(DEMO_WORDS).toEqual(['a', 'and', 'blue', 'circle', 'diamond', 'green', 'large', 'red', 'shape', 'small', 'square', 'the', 'triangle', 'yellow']);
    expect(DEMO_MIXED_WORDS).toEqual([...DEMO_MIXED_WORDS].sort());
    expect(new Set(DEMO_MIXED_WORDS).size).toBe(DEMO_MIXED_WORDS.length);
    for (const w of DEMO_WORDS) expect(DEMO_MIXED_WORDS).toContain(w);
    expect(DEMO_MIXED_WORDS.filter((w) => !DEMO_WORDS.includes(w))).toEqual([
      'above',
      'below',
      'first',
      'fourth',
      'from',
      'left',
      'of',
      'right',
      'second',
      'third',
      'top',
    ]);
  });

  test('options: by-source only in the demo world, and only the two modes', () => {
    expect(resolveWorldOptions({ world: 'demo', expressions: 'by-source' }).expressions).toBe('by-source');
    expect(() => resolveWorldOptions({ expressions: 'by-source' })).toThrow(/demo world/);
    expect(() => resolveWorldOptions({ world: 'demo', expressions: 'mixed' as never })).toThrow(/shared or by-source/);
  });
});

describe('demo world with expressions by source', () => {
  const options = demoWorldOptions({ seed: 5, train: 1500, val: 120, test: 150, expressions: 'by-source' });
  const world = createSyntheticWorld(options);
  const shared = createSyntheticWorld({ ...options, expressions: 'shared' });
  const byFile = new Map(world.images.map((i) => [i.file, i]));
  const words = new Set(DEMO_MIXED_WORDS);

  test('deterministic by seed; the scenes and the template source are the shared world’s', () => {
    const again = createSyntheticWorld(options);
    expect(again.splits).toEqual(world.splits);
    for (const s of PSEUDO_SOURCES) expect(again.pseudo[s]).toEqual(world.pseudo[s]);
    const other = createSyntheticWorld({ ...options, seed: 6, train: 20, val: 0, test: 0 });
    expect(other.pseudo.relation.map((l) => l.record.text)).not.toEqual(world.pseudo.relation.slice(0, other.pseudo.relation.length).map((l) => l.record.text));
    expect(world.images).toEqual(shared.images);
    expect(world.pseudo.template).toEqual(shared.pseudo.template);
    // val and test do not depend on the train size
    expect(createSyntheticWorld({ ...options, train: 7 }).splits.test).toEqual(world.splits.test);
  });

  test.each(PSEUDO_SOURCES)('%s: texts of its own kind only, each describing its target uniquely, in the words of DEMO_MIXED_WORDS', (source) => {
    const labels = world.pseudo[source];
    expect(new Set(labels.map((l) => l.record.id)).size).toBe(labels.length);
    for (const l of labels) {
      const scene = world.images[l.imageIndex].scene;
      expect(l.record.source).toBe(source);
      expect(demoExpressionKind(l.record.text)).toBe(source);
      expect(resolveDemoExpression(l.record.text, scene)).toEqual([l.target]);
      expect(demoExpressionsOfKind(scene, l.target, source)).toContain(l.record.text);
      for (const w of l.record.text.split(' ')) expect(words.has(w)).toBe(true);
    }
    // template labels every object; relation and caption skip the objects they cannot describe (few)
    const objects = world.splits.train.length;
    if (source === 'template') expect(labels).toHaveLength(objects);
    else expect(labels.length / objects).toBeGreaterThan(0.85);
    // one label per (image, object) at most, in train order
    const keys = labels.map((l) => l.imageIndex * 10 + l.target);
    expect(keys).toEqual([...new Set(keys)].sort((a, b) => a - b));
  });

  test.each(PSEUDO_SOURCES)('%s: the configured share of wrong boxes, jittered as in the shared world', (source) => {
    const labels = world.pseudo[source];
    const wrong = labels.filter((l) => !l.correct).length / labels.length;
    expect(Math.abs(wrong - DEMO_WRONG_RATE[source])).toBeLessThan(0.001);
    const offsets: number[] = [];
    for (const l of labels) {
      expect(l.failure).toBe(l.correct ? null : 'wrongBox');
      const scene = world.images[l.imageIndex].scene;
      const centres = scene.objects.map((o) =>
        Math.hypot(l.record.boxOriginal[0] + l.record.boxOriginal[2] / 2 - o.cx, l.record.boxOriginal[1] + l.record.boxOriginal[3] / 2 - o.cy),
      );
      const nearest = centres.indexOf(Math.min(...centres));
      expect(nearest === l.target).toBe(l.correct);
      const o = scene.objects[nearest];
      const [x, , w] = l.record.boxOriginal as [number, number, number, number];
      if (x > 0 && x + w < 48 && o.box[0] > 0 && o.box[2] < 48) offsets.push((x + w / 2 - (o.box[0] + o.box[2]) / 2) / (o.box[2] - o.box[0]));
    }
    const rms = Math.sqrt(offsets.reduce((a, b) => a + b * b, 0) / offsets.length);
    expect(rms).toBeCloseTo(0.05, 2);
  });

  test('clean splits: one sample per object, its kind recorded, uniquely resolving to its object', () => {
    for (const split of ['train', 'val', 'test'] as const) {
      expect(world.splits[split].map((r) => [r.image, r.box])).toEqual(shared.splits[split].map((r) => [r.image, r.box]));
      for (const r of world.splits[split]) {
        const scene = byFile.get(r.image)!.scene;
        expect(r.kind).toBeDefined();
        expect(demoExpressionKind(r.text)).toBe(r.kind);
        const matches = resolveDemoExpression(r.text, scene);
        expect(matches).toHaveLength(1);
        expect(scene.objects[matches[0]].box).toEqual(r.box);
        expect(demoExpressionsOfKind(scene, matches[0], r.kind!)).toContain(r.text);
        for (const w of r.text.split(' ')) expect(words.has(w)).toBe(true);
      }
    }
  });

  test('clean splits mix the kinds, each drawn uniformly among the kinds valid for its object', () => {
    for (const split of ['train', 'val', 'test'] as const) {
      const records = world.splits[split];
      for (const kind of DEMO_EXPRESSION_KINDS) {
        expect(records.filter((r) => r.kind === kind).length / records.length).toBeGreaterThan(0.25);
      }
    }
    // among train objects that all three kinds can describe, each kind about a third of the time
    const all3 = world.splits.train.filter((r) => {
      const scene = byFile.get(r.image)!.scene;
      const target = scene.objects.findIndex((o) => o.box.every((v, k) => v === r.box[k]));
      return DEMO_EXPRESSION_KINDS.every((k) => demoExpressionsOfKind(scene, target, k).length > 0);
    });
    expect(all3.length).toBeGreaterThan(2500);
    for (const kind of DEMO_EXPRESSION_KINDS) expect(Math.abs(all3.filter((r) => r.kind === kind).length / all3.length - 1 / 3)).toBeLessThan(0.03);
    // the oracle's text is the text the source of that kind gives the same object
    const sourceText = new Map<string, string>(
      PSEUDO_SOURCES.flatMap((s) =>
        world.pseudo[s].map((l) => [`${s} ${l.record.image} ${world.images[l.imageIndex].scene.objects[l.target].box}`, l.record.text] as const),
      ),
    );
    for (const r of world.splits.train) expect(sourceText.get(`${r.kind} ${r.image} ${r.box}`)).toBe(r.text);
  });

  test('writes and reads back; the kinds survive as text', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clipvg-demo-by-source-'));
    try {
      const { world: written, summary } = await generateSyntheticWorld({
        ...demoWorldOptions({ seed: 2, train: 6, val: 3, test: 3, expressions: 'by-source' }),
        out,
      });
      expect(summary.options.expressions).toBe('by-source');
      const loaded = loadSyntheticWorld(out);
      expect(loaded.test.map((r) => demoExpressionKind(r.text))).toEqual(written.splits.test.map((r) => r.kind));
      for (const s of PSEUDO_SOURCES) expect(loaded.sources[s].every((r) => demoExpressionKind(r.text) === s)).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the three kinds on hand-built scenes', () => {
  test('relation: said only with a clear margin, skipped when another object fits as well', () => {
    // red circle left of blue square, well apart on one row
    const two = scene([
      ['circle', 'red', 10, 24],
      ['square', 'blue', 38, 24],
    ]);
    // the square is the only square: its shortest description is "the square"
    expect(demoRelationExpressions(two, 0).sort()).toEqual(['the circle left of the square', 'the shape left of the square']);
    expect(demoRelationExpressions(two, 1)).toContain('the shape right of the circle');
    for (const t of demoRelationExpressions(two, 1)) expect(resolveDemoExpression(t, two)).toEqual([1]);
    // nearly diagonal: neither "left of" nor "above" is said
    const diagonal = scene([
      ['circle', 'red', 12, 12],
      ['square', 'blue', 32, 30],
    ]);
    expect(demoRelationExpressions(diagonal, 0)).toEqual([]);
    // two circles left of the square: "the shape/circle left of the square" would fit both; only a relation
    // to the other circle is unambiguous
    const three = scene([
      ['circle', 'red', 8, 10],
      ['circle', 'green', 8, 38],
      ['square', 'blue', 40, 24],
    ]);
    expect(demoRelationExpressions(three, 0).every((t) => t.includes('above'))).toBe(true);
    expect(demoRelationExpressions(three, 0)).toContain('the circle above the green shape');
  });

  test('caption: the ordinal from the left or the top, only where the centres are apart by the margin', () => {
    const row = scene([
      ['circle', 'red', 40, 20],
      ['square', 'blue', 8, 24],
      ['diamond', 'green', 24, 28],
    ]);
    expect(demoCaptionExpressions(row, 1)).toEqual(['the first shape from the left']);
    expect(demoCaptionExpressions(row, 0)).toEqual(['the third shape from the left']);
    expect(resolveDemoExpression('the second shape from the left', row)).toEqual([2]);
    // two objects in one column: no ordinal from the left for them, and the resolver calls it a tie
    const column = scene([
      ['circle', 'red', 10, 10],
      ['square', 'blue', 12, 38],
      ['diamond', 'green', 38, 24],
    ]);
    expect(demoCaptionExpressions(column, 0)).toEqual(['the first shape from the top']);
    expect(resolveDemoExpression('the first shape from the left', column).sort()).toEqual([0, 1]);
    expect(resolveDemoExpression('the fourth shape from the left', column)).toEqual([]);
  });

  test('demoExpressionKind tells the three kinds apart and rejects other texts', () => {
    expect(demoExpressionKind('the red shape')).toBe('template');
    expect(demoExpressionKind('the circle')).toBe('template');
    expect(demoExpressionKind('the shape left of the blue square')).toBe('relation');
    expect(demoExpressionKind('the third shape from the top')).toBe('caption');
    expect(demoExpressionKind('a large red circle and a small blue square')).toBeUndefined();
    expect(demoExpressionKind('the circle on the left')).toBeUndefined();
  });

  test('demoMixedCaption: every style, in DEMO_MIXED_WORDS, at most 14 words, deterministic', () => {
    const scenes = demoPretrainScenes(0, 200);
    const seen = new Set<string>();
    scenes.forEach((s, i) => {
      const caption = demoMixedCaption(s, createRng(i));
      expect(demoMixedCaption(s, createRng(i))).toBe(caption);
      expect(caption.split(' ').length).toBeLessThanOrEqual(14);
      for (const w of caption.split(' ')) expect(DEMO_MIXED_WORDS).toContain(w);
      seen.add(demoExpressionKind(caption) ?? 'list');
      for (const style of DEMO_CAPTION_STYLES) {
        const c = demoMixedCaption(s, createRng(i), style);
        const kind = demoExpressionKind(c) ?? 'list';
        if (kind !== style) expect(kind).toBe('list'); // fallback when no object has that kind
        if (kind !== 'list') expect(resolveDemoExpression(c, s)).toHaveLength(1);
      }
    });
    expect([...seen].sort()).toEqual(['caption', 'list', 'relation', 'template']);
  });
});
