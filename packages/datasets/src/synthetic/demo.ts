/**
 * The demo world: the small, measured world of the curriculum demo recipe (shared/spec/demo-recipe.md), as a
 * preset of the synthetic world (`createSyntheticWorld({ world: 'demo' })` or `demoWorldOptions()`).
 *
 * - 48 px images, a dark noisy background, 2–3 non-overlapping objects with all-different colours (red, green,
 *   blue, yellow), any of 4 shapes, small or large (radius 0.13 / 0.19 of the side);
 * - one ground-truth sample per object, its text the shortest unique description, picked at random among the
 *   valid ones: "the circle" (shape unique), else "the red circle", "the red shape", "the large circle"
 *   (size + shape unique);
 * - three pseudo-label sources over the same train samples with the same text: 25% / 40% / 55% of the labels
 *   carry the box of another object of the image, and every label's box is jittered (centre noise of
 *   0.05 × size, log-size noise of 0.05);
 * - pretraining captions naming every object left to right ("a large red circle and a small blue square"),
 *   on scenes of their own seed stream (`demoPretrainScenes`), and a fixed word list (`DEMO_WORDS`).
 *
 * With `expressions: 'by-source'` (demo-text.ts) the scenes are the same, but each source labels the train objects
 * with expressions of its own kind only (template: attributes, relation: a relation to another object, caption:
 * the ordinal place in the scene; relation and caption skip objects they cannot describe unambiguously), at the
 * same wrong-box rates and jitter, and every clean sample (train, val, test) gets one expression of a kind drawn
 * uniformly among the kinds valid for its object, recorded as `kind` on the record.
 */
import { describeDemoCaption, describeDemoRelation, describeDemoTarget, type DemoExpressionKind } from './demo-text';
import { PSEUDO_SOURCES, type PseudoSource } from './pseudo-sources';
import { createRng, deriveSeed, type Rng } from './rng';
import type { Background, Scene, SceneObject } from './scene';
import { COLOURS, SHAPE_KINDS, SIZES, type SizeName } from './vocabulary';
import type {
  PseudoLabel,
  PseudoNoiseOptions,
  ResolvedWorldOptions,
  SyntheticImage,
  SyntheticRecord,
  SyntheticSplit,
  SyntheticWorld,
  SyntheticWorldOptions,
} from './world';

export { DEMO_WORDS, demoCaption, demoExpressions, describeDemoTarget } from './demo-text';

/** Object radius (half the box side) as a fraction of the image side. */
export const DEMO_SIZE_RADIUS: Record<SizeName, number> = { small: 0.13, large: 0.19 };
/** Standard deviation of the pseudo-label jitter: centre in units of the box size, and log-size. */
export const DEMO_JITTER = 0.05;
/** Amplitude of the per-pixel noise of demo images (uniform in ±amplitude/2); the default world uses 12. */
export const DEMO_NOISE = 36;
/** Fraction of each source's labels that carry another object's box. */
export const DEMO_WRONG_RATE: Record<PseudoSource, number> = { template: 0.25, relation: 0.4, caption: 0.55 };

/** The demo's pseudo-label noise in the synthetic world's terms: only wrong boxes, every sample labelled. */
export const DEMO_PSEUDO_NOISE: Record<PseudoSource, PseudoNoiseOptions> = {
  template: { perImage: 4, wrongBox: DEMO_WRONG_RATE.template, ambiguous: 0, wrongAttribute: 0 },
  relation: { perImage: 4, wrongBox: DEMO_WRONG_RATE.relation, ambiguous: 0, wrongAttribute: 0 },
  caption: { perImage: 4, wrongBox: DEMO_WRONG_RATE.caption, ambiguous: 0, wrongAttribute: 0 },
};

/** The demo world's defaults (every option but `world` may still be overridden). */
export const DEMO_WORLD_OPTIONS: Omit<ResolvedWorldOptions, 'pseudo'> = {
  world: 'demo',
  seed: 0,
  train: 5000,
  val: 300,
  test: 500,
  imageSize: 48,
  minObjects: 2,
  maxObjects: 3,
  objectScale: 1,
  distractors: 0,
  textures: ['plain'],
  grid: 0,
  expressionsPerImage: 4,
};

/** Seed stream of the pretraining scenes (the grounding splits use 1–3, the sources 11–13 and up). */
export const DEMO_PRETRAIN_STREAM = 41;

const SPLIT_STREAM: Record<SyntheticSplit, number> = { train: 1, val: 2, test: 3 };
const SOURCE_STREAM: Record<PseudoSource, number> = { template: 11, relation: 12, caption: 13 };
/** Seed streams of the by-source variant's relation and caption texts and kind draws, per split image. */
const KIND_STREAM: Record<SyntheticSplit, number> = { train: 21, val: 22, test: 23 };
/** Pixels kept free between two objects' boxes (they never touch, so a wrong box has IoU 0 with the target). */
const GAP = 2;

/** Options for `createSyntheticWorld` that give the demo world; `overrides` change counts, seed, rates, ... */
export function demoWorldOptions(overrides: Omit<SyntheticWorldOptions, 'world'> = {}): SyntheticWorldOptions {
  return { ...overrides, world: 'demo' };
}

export interface DemoSceneOptions {
  /** Image side in pixels (default 48). */
  size?: number;
  minObjects?: number;
  maxObjects?: number;
}

/** One demo scene: distinct colours, random shapes and sizes, boxes at least 2 px apart, a dark background. */
export function generateDemoScene(rng: Rng, options: DemoSceneOptions = {}): Scene {
  const side = options.size ?? DEMO_WORLD_OPTIONS.imageSize;
  const count = rng.int(options.minObjects ?? DEMO_WORLD_OPTIONS.minObjects, options.maxObjects ?? DEMO_WORLD_OPTIONS.maxObjects);
  if (count > COLOURS.length) throw new Error(`demo scene: at most ${COLOURS.length} objects (one per colour), got ${count}`);
  const colours = rng.shuffle(COLOURS).slice(0, count);
  const drawn = colours.map((colour) => {
    const size = rng.pick(SIZES);
    return { colour, kind: rng.pick(SHAPE_KINDS), size, radius: DEMO_SIZE_RADIUS[size] * side };
  });
  // rejection sampling of the centres; start over when a layout gets stuck (rare: three large objects fit easily)
  for (;;) {
    const objects: SceneObject[] = [];
    for (const o of drawn) {
      for (let attempt = 0; attempt < 100; attempt++) {
        const cx = rng.uniform(o.radius, side - o.radius);
        const cy = rng.uniform(o.radius, side - o.radius);
        const apart = objects.every((p) => Math.max(Math.abs(p.cx - cx), Math.abs(p.cy - cy)) - p.radius - o.radius >= GAP);
        if (!apart) continue;
        objects.push({ ...o, cx, cy, box: pixelBox(cx, cy, o.radius, side) });
        break;
      }
    }
    if (objects.length === drawn.length) {
      return { width: side, height: side, background: darkBackground(rng), objects, noiseSeed: rng.int(0, 2 ** 31 - 1), noise: DEMO_NOISE };
    }
  }
}

function pixelBox(cx: number, cy: number, r: number, side: number): [number, number, number, number] {
  return [Math.max(0, Math.floor(cx - r)), Math.max(0, Math.floor(cy - r)), Math.min(side, Math.ceil(cx + r)), Math.min(side, Math.ceil(cy + r))];
}

function darkBackground(rng: Rng): Background {
  const grey = rng.uniform(18, 42);
  const base = [0, 1, 2].map(() => Math.round(grey + rng.uniform(-6, 6))) as [number, number, number];
  return { texture: 'plain', base, accent: [...base], period: 8, angle: 0 };
}

export interface DemoPretrainOptions extends DemoSceneOptions {
  /** Index of the first scene in the stream (default 0). */
  start?: number;
}

/**
 * Scenes for contrastive pretraining: items `start … start + count − 1` of their own seed stream, apart from the
 * grounding splits (e.g. `0…5999` to train on and `6000…6511` held out).
 */
export function demoPretrainScenes(seed: number, count: number, options: DemoPretrainOptions = {}): Scene[] {
  const { start = 0, ...sceneOptions } = options;
  return Array.from({ length: count }, (_, i) => generateDemoScene(createRng(deriveSeed(seed, DEMO_PRETRAIN_STREAM, start + i)), sceneOptions));
}

/** Standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** `[x, y, w, h]` of a box jittered in centre (σ = 0.05 × size) and log-size (σ = 0.05), kept in the image. */
function jitteredBox(box: readonly number[], side: number, rng: Rng): number[] {
  const [x1, y1, x2, y2] = box as [number, number, number, number];
  const w = (x2 - x1) * Math.exp(DEMO_JITTER * normal(rng));
  const h = (y2 - y1) * Math.exp(DEMO_JITTER * normal(rng));
  const cx = (x1 + x2) / 2 + DEMO_JITTER * (x2 - x1) * normal(rng);
  const cy = (y1 + y2) / 2 + DEMO_JITTER * (y2 - y1) * normal(rng);
  const clamp = (v: number) => Math.min(side, Math.max(0, v));
  const round = (v: number) => Math.round(v * 100) / 100;
  const [bx1, by1, bx2, by2] = [clamp(cx - w / 2), clamp(cy - h / 2), clamp(cx + w / 2), clamp(cy + h / 2)].map(round) as [number, number, number, number];
  return [bx1, by1, round(bx2 - bx1), round(by2 - by1)];
}

/** A record as the official loader reads the RefCOCO layout: xywh truncated to int, then x2 = x + w. */
function record(id: string, image: string, xywh: number[], text: string, source?: string): SyntheticRecord {
  const [x, y, w, h] = xywh.map(Math.trunc) as [number, number, number, number];
  const out: SyntheticRecord = { id, image, box: [x, y, x + w, y + h], boxOriginal: xywh, text };
  if (source) out.source = source;
  return out;
}

/** A train object a source may label: where it is, and the source's text for it. */
interface LabelTarget {
  imageIndex: number;
  target: number;
  text: string;
}

/** The demo world for resolved options (`createSyntheticWorld` calls this when `options.world` is 'demo'). */
export function createDemoWorld(opts: ResolvedWorldOptions): SyntheticWorld {
  const bySource = opts.expressions === 'by-source';
  const images: SyntheticImage[] = [];
  const splits = { train: [], val: [], test: [] } as Record<SyntheticSplit, SyntheticRecord[]>;
  /** Per source, the train objects it labels (in train record order) with its text for each. */
  const toLabel: Record<PseudoSource, LabelTarget[]> = { template: [], relation: [], caption: [] };
  for (const split of ['train', 'val', 'test'] as const) {
    for (let i = 0; i < opts[split]; i++) {
      const rng = createRng(deriveSeed(opts.seed, SPLIT_STREAM[split], i));
      const scene = generateDemoScene(rng, { size: opts.imageSize, minObjects: opts.minObjects, maxObjects: opts.maxObjects });
      const file = `synthetic_${split}_${String(i).padStart(6, '0')}.png`;
      images.push({ file, split, scene });
      const imageIndex = images.length - 1;
      // the by-source draws come from a stream of their own, so the template texts are the shared world's
      const kindRng = bySource ? createRng(deriveSeed(opts.seed, KIND_STREAM[split], i)) : undefined;
      const labelled: Record<PseudoSource, number> = { template: 0, relation: 0, caption: 0 };
      scene.objects.slice(0, opts.expressionsPerImage).forEach((o, target) => {
        const template = describeDemoTarget(scene, target, rng);
        const texts: Partial<Record<DemoExpressionKind, string>> = { template };
        if (kindRng) {
          texts.relation = describeDemoRelation(scene, target, kindRng);
          texts.caption = describeDemoCaption(scene, target, kindRng);
        }
        const kinds = PSEUDO_SOURCES.filter((k) => texts[k] !== undefined);
        const kind = kindRng ? kindRng.pick(kinds) : 'template';
        if (split === 'train') {
          for (const source of PSEUDO_SOURCES) {
            // shared: every source carries the ground-truth text; by-source: its own kind, where it has one
            const text = kindRng ? texts[source] : template;
            if (text === undefined || labelled[source]++ >= opts.pseudo[source].perImage) continue;
            toLabel[source].push({ imageIndex, target, text });
          }
        }
        const [x1, y1, x2, y2] = o.box;
        const rec = record(`${split}:${splits[split].length}`, file, [x1, y1, x2 - x1, y2 - y1], texts[kind]!);
        if (kindRng) rec.kind = kind;
        splits[split].push(rec);
      });
    }
  }
  const pseudo = {} as Record<PseudoSource, PseudoLabel[]>;
  for (const source of PSEUDO_SOURCES) pseudo[source] = demoPseudoLabels(source, images, toLabel[source], opts);
  return { options: opts, images, splits, pseudo };
}

function demoPseudoLabels(source: PseudoSource, images: SyntheticImage[], labelled: LabelTarget[], opts: ResolvedWorldOptions): PseudoLabel[] {
  const noise = opts.pseudo[source];
  const stream = SOURCE_STREAM[source];
  // an exact quota of wrong boxes, spread at random over the labels
  const wrong = new Set(
    createRng(deriveSeed(opts.seed, stream, -1))
      .shuffle(labelled.map((_, i) => i))
      .slice(0, Math.round(noise.wrongBox * labelled.length)),
  );
  return labelled.map(({ imageIndex, target, text }, i) => {
    const scene = images[imageIndex].scene;
    let boxOf = target;
    if (wrong.has(i)) {
      const others = scene.objects.map((_, j) => j).filter((j) => j !== target);
      boxOf = createRng(deriveSeed(opts.seed, stream + 100, i)).pick(others);
    }
    const box = jitteredBox(scene.objects[boxOf].box, scene.width, createRng(deriveSeed(opts.seed, stream + 200, i)));
    const rec = record(`train_pseudo_${source}:${i}`, images[imageIndex].file, box, text, source);
    // correct = the box is the target's (jittered): the recipe's definition, which keeps the error rates exact;
    // `isCorrectLabel` (IoU ≥ 0.5) agrees except for ~1 in 4,000 small boxes that jitter and truncation shrink
    return { record: rec, imageIndex, target, correct: boxOf === target, failure: boxOf === target ? null : 'wrongBox' };
  });
}
