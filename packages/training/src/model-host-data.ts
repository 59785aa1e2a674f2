/**
 * The model curriculum host's pieces, shared by the coordinator (`createHost`) and a queue worker (`train-model`
 * jobs): its options read and checked, the data they name, and the host over that data.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { checkHostOptions } from '@clip-vg/curriculum';
import type { TextTokenizer } from '@clip-vg/datasets';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { loadGroundingSplit, type LoadedSplit } from './data/splits';
import { FeatureCache } from './features/feature-cache';
import { createModelHost, type GroundingSample, type ModelHostOptions, type ModelTrainingEvent } from './host';
import { createModelFromSource, loadTokenizerFor, resolveModelSource, type ModelSource } from './model-source';
import type { ScheduleName } from './optim/schedules';

/** Every option key the model host reads (`--host-option key=value`). */
export const MODEL_HOST_OPTIONS = [
  'dataset',
  'splitRoot',
  'dataRoot',
  'modelConfig',
  'clip',
  'model',
  'vocab',
  'valSplit',
  'epochs',
  'batchSize',
  'lr',
  'weightDecay',
  'lrScheduler',
  'seed',
  'cacheFeatures',
  'workers',
  'evalBatchSize',
] as const;

/** The model host's options, checked, with defaults, paths absolute: what a queue job carries. */
export interface ModelHostSettings {
  dataset: string;
  splitRoot: string;
  dataRoot: string;
  modelConfig?: string;
  clip?: string;
  model?: string;
  vocab?: string;
  valSplit: string;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  lrScheduler: ScheduleName;
  seed: number;
  /** A folder, or true for an in-memory cache. */
  cacheFeatures?: string | true;
  evalBatchSize: number;
  workers?: number;
}

export function readModelHostSettings(options: Record<string, unknown>): ModelHostSettings {
  checkHostOptions('model', options, [...MODEL_HOST_OPTIONS, 'train', 'onTraining']);
  const text = (key: string): string | undefined => (options[key] === undefined ? undefined : String(options[key]));
  const file = (key: string): string | undefined => (options[key] === undefined ? undefined : path.resolve(String(options[key])));
  const need = (key: string): string => {
    const value = file(key);
    if (value === undefined) throw new Error(`model host: option ${key} is required (--host-option ${key}=...)`);
    return value;
  };
  const num = (key: string, fallback: number): number => {
    const value = options[key] === undefined ? fallback : Number(options[key]);
    if (!Number.isFinite(value)) throw new Error(`model host: option ${key} must be a number, got ${JSON.stringify(options[key])}`);
    return value;
  };
  const dataset = text('dataset');
  if (dataset === undefined) throw new Error('model host: option dataset is required (--host-option dataset=...)');
  const cache = options.cacheFeatures;
  // a hub name (`clip=ViT-B/16` pulled with `clip-vg models pull`) stays a name; a path becomes absolute
  const clip = text('clip');
  return {
    dataset,
    splitRoot: need('splitRoot'),
    dataRoot: need('dataRoot'),
    modelConfig: file('modelConfig'),
    clip: clip !== undefined && existsSync(clip) ? path.resolve(clip) : clip,
    model: text('model'),
    vocab: file('vocab'),
    valSplit: text('valSplit') ?? 'val',
    epochs: num('epochs', 110),
    batchSize: num('batchSize', 64),
    lr: num('lr', 2.5e-4),
    weightDecay: num('weightDecay', 1e-4),
    lrScheduler: (text('lrScheduler') ?? 'cosine') as ScheduleName,
    seed: num('seed', 13),
    cacheFeatures:
      cache === undefined || cache === false || cache === 'false' ? undefined : cache === true || cache === 'true' ? true : path.resolve(String(cache)),
    evalBatchSize: num('evalBatchSize', 128),
    workers: options.workers === undefined ? undefined : num('workers', 1),
  };
}

/** What a host is built from: the model source, tokenizer, val split, the pseudo-label sources and the cache. */
export interface ModelHostData {
  source: ModelSource;
  tokenizer: TextTokenizer;
  val: LoadedSplit;
  sources: Record<string, GroundingSample[]>;
  imageRoot: string;
  featureCache?: FeatureCache;
}

export async function loadModelHostData(s: ModelHostSettings): Promise<ModelHostData> {
  const source = resolveModelSource({ clip: s.clip, model: s.model, modelConfig: s.modelConfig, vocab: s.vocab, seed: s.seed });
  const tokenizer = await loadTokenizerFor(undefined, source);
  const { dataset, splitRoot, dataRoot } = s;
  const val = loadGroundingSplit({ dataset, split: s.valSplit, splitRoot, dataRoot });
  const sources: Record<string, GroundingSample[]> = {};
  let imageRoot = val.imageRoot;
  for (const name of sourceNames(path.join(splitRoot, dataset), dataset)) {
    const split =
      name === null
        ? loadGroundingSplit({ dataset, split: 'train_pseudo', splitRoot, dataRoot })
        : loadGroundingSplit({ dataset, split: 'train_pseudo', splitRoot, dataRoot, source: name });
    // ids must be unique across sources: the policies track samples by id
    sources[name ?? 'train_pseudo'] = split.records.map((r, i) => ({ ...r, id: `${name ?? 'train_pseudo'}:${i}` }));
    imageRoot = split.imageRoot;
  }
  const featureCache = s.cacheFeatures === undefined ? undefined : new FeatureCache(s.cacheFeatures === true ? {} : { dir: s.cacheFeatures });
  return { source, tokenizer, val, sources, imageRoot, featureCache };
}

/**
 * Trainings somewhere else (a queue's workers): builds the host's `train` for the experiment's settings and data;
 * `onTraining` gets their progress.
 */
export type ModelHostTrain = (
  settings: ModelHostSettings,
  data: ModelHostData,
  onTraining?: (event: ModelTrainingEvent) => void,
) => (samples: GroundingSample[], info: { stage: string }) => Promise<ClipVG>;

/** The host over loaded data; `createModel` defaults to a fresh model seeded `seed + training index`. */
export function modelHostOf(
  s: ModelHostSettings,
  data: ModelHostData,
  { createModel, onStep, onTraining }: Partial<Pick<ModelHostOptions, 'createModel' | 'onStep' | 'onTraining'>> = {},
) {
  return createModelHost({
    createModel: createModel ?? (({ index }) => createModelFromSource(data.source, s.seed + index)),
    imageRoot: data.imageRoot,
    valImageRoot: data.val.imageRoot,
    tokenizer: data.tokenizer,
    valRecords: data.val.records,
    epochs: s.epochs,
    batchSize: s.batchSize,
    lr: s.lr,
    weightDecay: s.weightDecay,
    lrScheduler: s.lrScheduler,
    seed: s.seed,
    featureCache: data.featureCache,
    augment: data.featureCache ? false : true,
    evalBatchSize: s.evalBatchSize,
    workers: s.workers,
    onStep,
    onTraining,
  });
}

/** Source names of `train_separate/` in k order, or [null] for the single `train_pseudo` split. */
function sourceNames(folder: string, dataset: string): Array<string | null> {
  const dir = path.join(folder, 'train_separate');
  if (!existsSync(dir)) return [null];
  const pattern = new RegExp(`^(\\d+)_${dataset.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_train_pseudo_([A-Za-z][A-Za-z0-9-]*?)(_\\d+(_\\d+)?)?\\.pth$`);
  const found = readdirSync(dir)
    .map((name) => pattern.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => m[2]);
  return found.length > 0 ? found : [null];
}
