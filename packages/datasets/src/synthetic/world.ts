/**
 * The synthetic grounding world in memory: scenes for train/val/test, their ground-truth referring
 * expressions, and the three pseudo-label sources for the train images with a record of which pseudo-labels
 * are actually correct. No pixels here (see `renderScene`), so tests can build thousands of samples quickly.
 */
import type { GroundingRecord } from '../record';
import { createDemoWorld, DEMO_PSEUDO_NOISE, DEMO_WORLD_OPTIONS } from './demo';
import { DEMO_EXPRESSION_MODES, type DemoExpressionKind, type DemoExpressionMode } from './demo-text';
import { describeTarget } from './expressions';
import { FAILURE_MODES, PSEUDO_SOURCES, SOURCE_MODELS, type FailureMode, type ProposedLabel, type PseudoSource } from './pseudo-sources';
import { isCorrectLabel } from './resolve';
import { createRng, deriveSeed, type Rng } from './rng';
import { generateScene, type Scene } from './scene';
import { BACKGROUND_TEXTURES, COLOURS, type BackgroundTexture } from './vocabulary';

export const SYNTHETIC_SPLITS = ['train', 'val', 'test'] as const;
export type SyntheticSplit = (typeof SYNTHETIC_SPLITS)[number];

/** How many labels a source gives per image and how often it fails in each way (fractions of its labels). */
export interface PseudoNoiseOptions {
  perImage: number;
  wrongBox: number;
  ambiguous: number;
  wrongAttribute: number;
}

/** `synthetic`: the rich default world; `demo`: the curriculum demo's small world (see `demo.ts`). */
export type WorldKind = 'synthetic' | 'demo';

export interface SyntheticWorldOptions {
  /** Which world (default `synthetic`); `demo` takes its defaults from `DEMO_WORLD_OPTIONS`. */
  world?: WorldKind;
  seed?: number;
  /** Number of images per split. */
  train?: number;
  val?: number;
  test?: number;
  /** Image side in pixels (images are square). */
  imageSize?: number;
  minObjects?: number;
  maxObjects?: number;
  /** Multiplies every object's size (1 = `SIZE_RADIUS`); larger objects are easier to localise on coarse grids. */
  objectScale?: number;
  /** Multiplies the chance that an object copies another's kind or colour (1 = default; 0 = independent objects). */
  distractors?: number;
  /** Background textures to draw from (default: all of `BACKGROUND_TEXTURES`). */
  textures?: BackgroundTexture[];
  /** Objects centred in distinct cells of a `grid × grid` layout (0 = placed anywhere). */
  grid?: number;
  /** Ground-truth expressions per image (distinct targets). */
  expressionsPerImage?: number;
  /**
   * Demo world only: `shared` (the default, also when absent) = every source carries the ground-truth text;
   * `by-source` = each source describes with its own kind of expression and the clean splits mix the kinds.
   */
  expressions?: DemoExpressionMode;
  pseudo?: Partial<Record<PseudoSource, Partial<PseudoNoiseOptions>>>;
}

/** `expressions` stays absent unless given (absent = `shared`), so the options of existing worlds read as before. */
export type ResolvedWorldOptions = Required<Omit<SyntheticWorldOptions, 'pseudo' | 'expressions'>> & {
  pseudo: Record<PseudoSource, PseudoNoiseOptions>;
  expressions?: DemoExpressionMode;
};

/** Realistic noise: templates ~30% wrong, relations ~40%, captions ~50% (cf. the paper's source quality). */
export const DEFAULT_PSEUDO_NOISE: Record<PseudoSource, PseudoNoiseOptions> = {
  template: { perImage: 3, wrongBox: 0.12, ambiguous: 0.08, wrongAttribute: 0.1 },
  relation: { perImage: 2, wrongBox: 0.15, ambiguous: 0.12, wrongAttribute: 0.13 },
  caption: { perImage: 1, wrongBox: 0.2, ambiguous: 0.15, wrongAttribute: 0.15 },
};

export const DEFAULT_WORLD_OPTIONS: Omit<ResolvedWorldOptions, 'pseudo'> = {
  world: 'synthetic',
  seed: 0,
  train: 2000,
  val: 250,
  test: 250,
  imageSize: 128,
  minObjects: 2,
  maxObjects: 5,
  objectScale: 1,
  distractors: 1,
  textures: [...BACKGROUND_TEXTURES],
  grid: 0,
  expressionsPerImage: 3,
};

export interface SyntheticImage {
  /** File name inside the world's image folder. */
  file: string;
  split: SyntheticSplit;
  scene: Scene;
}

export interface PseudoLabel {
  record: GroundingRecord;
  /** Index into `world.images`. */
  imageIndex: number;
  /** The object the source meant to describe. */
  target: number;
  /** Whether the text refers to exactly one object and the box covers it (IoU ≥ 0.5); evaluation only. */
  correct: boolean;
  /** How it was broken, or null for a label the source got right. */
  failure: FailureMode | null;
}

/** A clean ground-truth record of the synthetic world. */
export interface SyntheticRecord extends GroundingRecord {
  /**
   * The kind of its expression, only in the demo world with `expressions: 'by-source'` (`demoExpressionKind(text)`
   * tells it from the text too, e.g. for records read back from the written files).
   */
  kind?: DemoExpressionKind;
}

export interface SyntheticWorld {
  options: ResolvedWorldOptions;
  images: SyntheticImage[];
  /** Clean ground truth per split. */
  splits: Record<SyntheticSplit, SyntheticRecord[]>;
  /** Pseudo-labels of the train images, per source, in file order. */
  pseudo: Record<PseudoSource, PseudoLabel[]>;
}

const SPLIT_STREAM: Record<SyntheticSplit, number> = { train: 1, val: 2, test: 3 };
const SOURCE_STREAM: Record<PseudoSource, number> = { template: 11, relation: 12, caption: 13 };

export function resolveWorldOptions(options: SyntheticWorldOptions = {}): ResolvedWorldOptions {
  const demo = options.world === 'demo';
  if (options.world !== undefined && options.world !== 'synthetic' && !demo) {
    throw new Error(`synthetic world: world must be synthetic or demo, got ${JSON.stringify(options.world)}`);
  }
  const resolved = { ...(demo ? DEMO_WORLD_OPTIONS : DEFAULT_WORLD_OPTIONS), ...stripUndefined(options) } as ResolvedWorldOptions;
  resolved.pseudo = {} as ResolvedWorldOptions['pseudo'];
  for (const source of PSEUDO_SOURCES) {
    resolved.pseudo[source] = { ...(demo ? DEMO_PSEUDO_NOISE : DEFAULT_PSEUDO_NOISE)[source], ...stripUndefined(options.pseudo?.[source] ?? {}) };
    const noise = resolved.pseudo[source];
    const total = noise.wrongBox + noise.ambiguous + noise.wrongAttribute;
    if (FAILURE_MODES.some((m) => !(noise[m] >= 0)) || total > 1) {
      throw new Error(`synthetic world: ${source} failure rates must be ≥ 0 and sum to at most 1, got ${JSON.stringify(noise)}`);
    }
  }
  for (const key of ['train', 'val', 'test', 'imageSize', 'minObjects', 'maxObjects', 'expressionsPerImage', 'grid'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0) {
      throw new Error(`synthetic world: ${key} must be a non-negative integer, got ${resolved[key]}`);
    }
  }
  if (!(resolved.objectScale > 0 && resolved.objectScale <= 3)) {
    throw new Error(`synthetic world: objectScale must be in (0, 3], got ${resolved.objectScale}`);
  }
  if (resolved.grid > 0 && resolved.maxObjects > resolved.grid * resolved.grid) {
    throw new Error(
      `synthetic world: a ${resolved.grid}×${resolved.grid} grid holds at most ${resolved.grid ** 2} objects, got maxObjects ${resolved.maxObjects}`,
    );
  }
  if (!(resolved.distractors >= 0 && resolved.distractors <= 2)) {
    throw new Error(`synthetic world: distractors must be in [0, 2], got ${resolved.distractors}`);
  }
  const unknown = resolved.textures.filter((t) => !BACKGROUND_TEXTURES.includes(t));
  if (resolved.textures.length === 0 || unknown.length > 0) {
    throw new Error(`synthetic world: textures must be a non-empty list of ${BACKGROUND_TEXTURES.join(', ')}, got ${JSON.stringify(resolved.textures)}`);
  }
  if (resolved.imageSize < 32) throw new Error(`synthetic world: imageSize must be at least 32, got ${resolved.imageSize}`);
  if (resolved.minObjects < 1 || resolved.maxObjects < resolved.minObjects) {
    throw new Error(`synthetic world: need 1 ≤ minObjects ≤ maxObjects, got ${resolved.minObjects}..${resolved.maxObjects}`);
  }
  if (resolved.expressions !== undefined && !DEMO_EXPRESSION_MODES.includes(resolved.expressions)) {
    throw new Error(`synthetic world: expressions must be ${DEMO_EXPRESSION_MODES.join(' or ')}, got ${JSON.stringify(resolved.expressions)}`);
  }
  if (resolved.expressions === 'by-source' && !demo) {
    throw new Error("synthetic world: expressions 'by-source' is a variant of the demo world (world: 'demo')");
  }
  if (demo) {
    if (resolved.minObjects < 2 || resolved.maxObjects > COLOURS.length) {
      throw new Error(
        `demo world: need 2 ≤ minObjects ≤ maxObjects ≤ ${COLOURS.length} (a wrong box is another object; colours differ), got ${resolved.minObjects}..${resolved.maxObjects}`,
      );
    }
    for (const source of PSEUDO_SOURCES) {
      const noise = resolved.pseudo[source];
      if (noise.ambiguous !== 0 || noise.wrongAttribute !== 0) {
        throw new Error(`demo world: ${source} labels fail only by a wrong box (ambiguous and wrongAttribute must be 0), got ${JSON.stringify(noise)}`);
      }
    }
  }
  return resolved;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Build the whole world from a seed: the same options always give the same scenes, texts and labels. */
export function createSyntheticWorld(options: SyntheticWorldOptions = {}): SyntheticWorld {
  const opts = resolveWorldOptions(options);
  if (opts.world === 'demo') return createDemoWorld(opts);
  const images: SyntheticImage[] = [];
  const splits = { train: [], val: [], test: [] } as Record<SyntheticSplit, GroundingRecord[]>;
  for (const split of SYNTHETIC_SPLITS) {
    for (let i = 0; i < opts[split]; i++) {
      const rng = createRng(deriveSeed(opts.seed, SPLIT_STREAM[split], i));
      const scene = generateScene(rng, { width: opts.imageSize, height: opts.imageSize, ...opts });
      const file = `synthetic_${split}_${String(i).padStart(6, '0')}.png`;
      images.push({ file, split, scene });
      let described = 0;
      for (const target of rng.shuffle(scene.objects.map((_, k) => k))) {
        if (described >= opts.expressionsPerImage) break;
        const expression = describeTarget(scene, target, rng);
        if (!expression) continue;
        described++;
        const [x1, y1, x2, y2] = scene.objects[target].box;
        splits[split].push(record(`${split}:${splits[split].length}`, file, [x1, y1, x2 - x1, y2 - y1], expression.text));
      }
    }
  }
  const pseudo = {} as Record<PseudoSource, PseudoLabel[]>;
  for (const source of PSEUDO_SOURCES) pseudo[source] = pseudoLabels(source, images, opts);
  return { options: opts, images, splits, pseudo };
}

/** A record as the official loader reads the RefCOCO layout: xywh truncated to int, then x2 = x + w. */
function record(id: string, image: string, xywh: number[], text: string, source?: string): GroundingRecord {
  const [x, y, w, h] = xywh.map(Math.trunc);
  const out: GroundingRecord = { id, image, box: [x, y, x + w, y + h], boxOriginal: xywh, text };
  if (source) out.source = source;
  return out;
}

/** A detector's box around an object: each edge off by up to 6% of the side, so IoU stays above ~0.75. */
function detectorBox(scene: Scene, index: number, rng: Rng): number[] {
  const [x1, y1, x2, y2] = scene.objects[index].box;
  const jitter = (v: number, side: number, max: number): number => Math.round(Math.min(max, Math.max(0, v + rng.uniform(-0.06, 0.06) * side)) * 100) / 100;
  const bx1 = jitter(x1, x2 - x1, scene.width);
  const by1 = jitter(y1, y2 - y1, scene.height);
  const bx2 = jitter(x2, x2 - x1, scene.width);
  const by2 = jitter(y2, y2 - y1, scene.height);
  return [bx1, by1, Math.round((bx2 - bx1) * 100) / 100, Math.round((by2 - by1) * 100) / 100];
}

function pseudoLabels(source: PseudoSource, images: SyntheticImage[], opts: ResolvedWorldOptions): PseudoLabel[] {
  const noise = opts.pseudo[source];
  const model = SOURCE_MODELS[source];
  const stream = SOURCE_STREAM[source];
  const proposals: { imageIndex: number; label: ProposedLabel }[] = [];
  images.forEach((image, imageIndex) => {
    if (image.split !== 'train') return;
    const rng = createRng(deriveSeed(opts.seed, stream, imageIndex));
    for (const label of model.propose(image.scene, noise.perImage, rng)) proposals.push({ imageIndex, label });
  });
  // Exact quotas rather than coin flips: each failure mode hits its configured share of the labels.
  const failures = new Map<number, { mode: FailureMode; text: string; boxOf: number }>();
  const order = createRng(deriveSeed(opts.seed, stream, -1)).shuffle(proposals.map((_, i) => i));
  let next = 0;
  for (const mode of FAILURE_MODES) {
    const quota = Math.round(noise[mode] * proposals.length);
    for (let done = 0; done < quota && next < order.length;) {
      const i = order[next++];
      const { imageIndex, label } = proposals[i];
      const scene = images[imageIndex].scene;
      const broken = model.corrupt(scene, label, mode, createRng(deriveSeed(opts.seed, stream + 100, i)));
      if (!broken) continue;
      failures.set(i, { mode, ...broken });
      done++;
    }
  }
  return proposals.map(({ imageIndex, label }, i) => {
    const image = images[imageIndex];
    const broken = failures.get(i);
    const rng = createRng(deriveSeed(opts.seed, stream + 200, i));
    const box = detectorBox(image.scene, broken ? broken.boxOf : label.target, rng);
    const text = broken ? broken.text : label.text;
    const rec = record(`train_pseudo_${source}:${i}`, image.file, box, text, source);
    return {
      record: rec,
      imageIndex,
      target: label.target,
      correct: isCorrectLabel(image.scene, text, rec.box),
      failure: broken ? broken.mode : null,
    };
  });
}
