/**
 * What every use of the demo world starts from (the `demo` command and the `demo` curriculum host): the world on
 * disk, its pseudo-label sources, the frozen tiny CLIP, its features cached once, the fusion every training starts
 * from, and the recipe. A training is then a job (label rows + recipe + seed) for any `TrainingRunner`.
 */
import * as path from 'node:path';
import { generateSyntheticWorld, PSEUDO_SOURCES, type GroundingRecord, type PseudoSource } from '@clip-vg/datasets';
import { ClipVG, clipVGConfig, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { fusionParams, type FusionRecipe, type PoolOptions } from '@clip-vg/onnx-engine';
import { loadDemoClip, pretrainDemoClip, type PretrainDemoClipOptions } from '../demo-clip';
import { demoFeatures, type DemoFeatures } from './features';
import type { DemoSettings } from './settings';

type World = Awaited<ReturnType<typeof generateSyntheticWorld>>;

export interface PreparedDemo {
  world: World['world'];
  /** Where the world's images are. */
  imageDir: string;
  /** Pseudo-labelled train records by source (template, relation, caption). */
  sources: Record<PseudoSource, GroundingRecord[]>;
  /** Whether each pseudo-label (by record id) is right: known in a synthetic world. */
  correct: Map<string, boolean>;
  clip: { origin: 'shipped' | 'pretrained'; retrievalAccuracy: number; seconds: number };
  config: ClipVGConfig;
  features: DemoFeatures;
  /** What a `FusionTrainingPool` (or a queue runner) gets: the fusion config, the feature table, the shared initial weights. */
  setup: Omit<PoolOptions, 'workers'>;
  recipe: FusionRecipe;
}

export interface PrepareDemoOptions {
  /** The world's folder (images and annotation files). */
  worldDir: string;
  seed: number;
  settings: DemoSettings;
  pretrain?: boolean | Omit<PretrainDemoClipOptions, 'seed'>;
  log?: (line: string) => void;
}

export async function prepareDemo({ worldDir, seed, settings: s, pretrain, log = () => undefined }: PrepareDemoOptions): Promise<PreparedDemo> {
  log(`world: ${s.trainImages}/${s.valImages}/${s.testImages} images, seed ${seed}`);
  const { world, files } = await generateSyntheticWorld({
    world: 'demo',
    out: path.resolve(worldDir),
    seed,
    train: s.trainImages,
    val: s.valImages,
    test: s.testImages,
  });
  const sources = Object.fromEntries(PSEUDO_SOURCES.map((src) => [src, world.pseudo[src].map((p) => p.record)])) as Record<PseudoSource, GroundingRecord[]>;
  const correct = new Map(PSEUDO_SOURCES.flatMap((src) => world.pseudo[src].map((p) => [p.record.id, p.correct] as const)));

  const clipStart = performance.now();
  const pretrained = pretrain ? await pretrainDemoClip({ ...(pretrain === true ? {} : pretrain), seed }) : undefined;
  const shipped = pretrained ? undefined : loadDemoClip();
  const { clip, tokenizer } = pretrained ?? shipped!;
  const clipInfo: PreparedDemo['clip'] = {
    origin: pretrained ? 'pretrained' : 'shipped',
    retrievalAccuracy: pretrained?.retrievalAccuracy ?? shipped!.meta.retrievalAccuracy,
    seconds: (performance.now() - clipStart) / 1000,
  };
  log(`clip: ${clipInfo.origin} tiny CLIP, caption retrieval top-1 ${(100 * clipInfo.retrievalAccuracy).toFixed(1)}%`);

  const config = clipVGConfig(clip.config, range(clip.config.visionLayers), {
    vlLayers: s.fusionLayers,
    vlHeads: s.fusionHeads,
    vlFfnDim: s.fusionFfn,
    dropout: 0,
  });
  const texts = [...Object.values(world.splits).flat(), ...Object.values(sources).flat()].map((r) => r.text);
  const features = await demoFeatures(
    clip,
    config,
    world.images.map((i) => i.file),
    texts,
    files.imageDir,
    tokenizer,
  );
  // the same initialisation for every training: runs differ only in their labels
  const fresh = ClipVG.create(config, { seed, clip });
  const state = fresh.stateDict();
  const init = Object.fromEntries(fusionParams(config).map((p) => [p.name, state[p.name].toFloat32Array().slice()]));
  fresh.dispose();
  const recipe: FusionRecipe = {
    steps: s.steps,
    batchSize: s.batchSize,
    lr: s.lr,
    weightDecay: s.weightDecay,
    warmupSteps: s.warmupSteps,
    evalEvery: s.evalEvery,
  };
  return {
    world,
    imageDir: files.imageDir,
    sources,
    correct,
    clip: clipInfo,
    config,
    features,
    setup: { config, table: features.table, init, batchSize: s.batchSize },
    recipe,
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
