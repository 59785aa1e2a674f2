/**
 * The training loop of `train_clip_vg.py`: AdamW on every trainable parameter, the learning rate set per epoch
 * from the schedule, L1 + GIoU, validation Acc@0.5 after each epoch, `best_checkpoint` on improvement and a
 * resumable `checkpoint` at every epoch end. Every random stream (data order, augmentation, dropout) derives
 * from (seed, epoch, step), so resuming from the last complete epoch repeats an uninterrupted run bit for bit.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { AugmentOptions, GroundingRecord, TextTokenizer } from '@clip-vg/datasets';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { cachedSource, imageSource, type BatchSource } from '../data/batches';
import { evaluateModel } from '../eval/evaluate';
import { FeatureCache } from '../features/feature-cache';
import { AdamW } from '../optim/adamw';
import { learningRate, type ScheduleName } from '../optim/schedules';
import {
  findCheckpoint,
  readTrainables,
  readTrainingState,
  restoreTrainer,
  saveModelFolder,
  saveTrainingCheckpoint,
  type EpochRecord,
  type TrainingState,
} from './checkpoint';
import { namedTrainables, trainStep } from './step';
import { writeFileAtomic } from '@clip-vg/torch-io';

export interface StepInfo {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
  lr: number;
  imagesPerSecond: number;
}

export interface TrainOptions {
  /** The model to train (trained in place), or a factory for a fresh one. */
  model?: ClipVG;
  createModel?: () => ClipVG | Promise<ClipVG>;
  records: readonly GroundingRecord[];
  /** Annotated validation records: Acc@0.5 each epoch selects the best checkpoint. */
  valRecords?: readonly GroundingRecord[];
  /** Folder that relative `record.image` paths live in (records may also carry absolute paths). */
  imageRoot: string;
  /** Validation images, when they live elsewhere (default `imageRoot`). */
  valImageRoot?: string;
  tokenizer: TextTokenizer;
  epochs: number;
  batchSize: number;
  /** Default 2.5e-4. */
  lr?: number;
  /** Default 1e-4. */
  weightDecay?: number;
  /** Default `cosine`. */
  lrScheduler?: ScheduleName;
  lrDrop?: number;
  lrPower?: number;
  lrExponential?: number;
  /**
   * Training augmentation (default: the official crop + scale + translate, no blur), or false for the eval
   * transform. Must be false with a feature cache: augmented images change every epoch and cannot be cached.
   */
  augment?: boolean | Omit<AugmentOptions, 'imsize'>;
  seed?: number;
  /**
   * Train fusion + head on frozen CLIP features (the visual positional embedding is frozen too). Pass a
   * `FeatureCache` to share it between runs, or `true` for a private in-memory one.
   */
  featureCache?: FeatureCache | boolean;
  /** Checkpoints and `log.jsonl` go here (omitted: nothing is written). */
  outputDir?: string;
  /** Continue from `outputDir/checkpoint` when it exists. */
  resume?: boolean;
  /** Write CLIP's frozen weights into the checkpoints too (needed when CLIP cannot be rebuilt). Default false. */
  includeClip?: boolean;
  /** Stored in `training_state.json` (e.g. where CLIP came from, the command-line options). */
  meta?: Record<string, unknown>;
  /** Leave the best validation weights in the model at the end (default true). */
  keepBest?: boolean;
  /** Eval batch size (default 128). */
  evalBatchSize?: number;
  workers?: number;
  onStep?: (info: StepInfo) => void;
  onEpoch?: (record: EpochRecord) => void;
}

export interface TrainResult {
  model: ClipVG;
  history: EpochRecord[];
  bestAccuracy: number;
  /** 0-based epoch of the best validation accuracy (-1 without validation). */
  bestEpoch: number;
  /** First epoch this call ran (> 0 after a resume). */
  startEpoch: number;
}

export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const settings = resolveSettings(options);
  const model = options.model ?? (await options.createModel?.());
  if (!model) throw new Error('trainModel: pass model or createModel');
  if (options.records.length === 0) throw new Error('trainModel: no training records');
  const cache = settings.cache;
  // Cached features are CLIP's own: its visual positional embedding must stay what the cache saw.
  if (cache) model.clip.setTrainable(() => true, false);
  const variables = namedTrainables(model);
  const optimizer = new AdamW({ lr: settings.lr, weightDecay: settings.weightDecay });
  const fingerprint = {
    seed: settings.seed,
    batchSize: options.batchSize,
    epochs: options.epochs,
    lr: settings.lr,
    weightDecay: settings.weightDecay,
    lrScheduler: settings.scheduler,
    augment: settings.augment,
    cached: Boolean(cache),
    records: options.records.length,
    trainables: variables.size,
  };
  let state: TrainingState = { epochsDone: 0, bestAccuracy: -1, bestEpoch: -1, history: [], fingerprint, meta: options.meta };
  const checkpointDir = options.outputDir && path.join(options.outputDir, 'checkpoint');
  const found = checkpointDir && options.resume ? findCheckpoint(checkpointDir) : undefined;
  if (found) {
    state = readTrainingState(found);
    checkFingerprint(found, state.fingerprint, fingerprint);
    restoreTrainer(found, variables, optimizer);
  }
  let bestWeights: Map<string, Float32Array> | undefined;
  const startEpoch = state.epochsDone;

  const train = await makeSource(model, options, settings, cache);
  try {
    if (train.length === 0) throw new Error(`trainModel: ${options.records.length} records make no batch of ${options.batchSize}`);
    for (let epoch = startEpoch; epoch < options.epochs; epoch++) {
      optimizer.lr = learningRate(settings.lr, settings.scheduler, epoch, settings.schedule);
      const record = await runEpoch(model, variables, optimizer, train, epoch, settings.seed, options);
      if (options.valRecords && options.valRecords.length > 0) {
        const val = await evaluateModel(model, options.valRecords, {
          imageRoot: options.valImageRoot ?? options.imageRoot,
          tokenizer: options.tokenizer,
          batchSize: options.evalBatchSize,
          featureCache: cache,
          workers: options.workers,
        });
        record.valAccuracy = val.accuracy;
        record.valMeanIoU = val.meanIoU;
        record.best = val.accuracy > state.bestAccuracy;
      }
      state = {
        ...state,
        epochsDone: epoch + 1,
        history: [...state.history, record],
        ...(record.best ? { bestAccuracy: record.valAccuracy!, bestEpoch: epoch } : {}),
      };
      if (record.best && settings.keepBest) bestWeights = await snapshot(variables);
      if (options.outputDir) await writeEpochOutputs(options.outputDir, model, variables, optimizer, state, record, options);
      options.onEpoch?.(record);
    }
  } finally {
    await train.close();
    optimizer.dispose();
  }
  if (settings.keepBest && state.bestEpoch >= 0 && state.bestEpoch !== state.epochsDone - 1) {
    // After a resume the best weights of earlier runs live only in best_checkpoint; they are restored from there.
    if (bestWeights) restore(variables, bestWeights);
    else if (options.outputDir) await restoreBestFromFolder(options.outputDir, variables);
  }
  return { model, history: state.history, bestAccuracy: state.bestAccuracy, bestEpoch: state.bestEpoch, startEpoch };
}

interface Settings {
  lr: number;
  weightDecay: number;
  scheduler: ScheduleName;
  schedule: { epochs: number; lrDrop?: number; lrPower?: number; lrExponential?: number };
  augment: false | Omit<AugmentOptions, 'imsize'>;
  seed: number;
  cache: FeatureCache | undefined;
  keepBest: boolean;
}

function resolveSettings(options: TrainOptions): Settings {
  const { epochs, batchSize } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`trainModel: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`trainModel: batchSize must be a positive integer, got ${batchSize}`);
  const augment = options.augment === undefined || options.augment === true ? {} : options.augment;
  const cache = options.featureCache === true ? new FeatureCache() : options.featureCache || undefined;
  if (cache && augment !== false) {
    throw new Error('trainModel: cached CLIP features need the eval transform: augmentation changes every image each epoch (pass augment: false)');
  }
  return {
    lr: options.lr ?? 2.5e-4,
    weightDecay: options.weightDecay ?? 1e-4,
    scheduler: options.lrScheduler ?? 'cosine',
    schedule: { epochs, lrDrop: options.lrDrop, lrPower: options.lrPower, lrExponential: options.lrExponential },
    augment,
    seed: options.seed ?? 13,
    cache,
    keepBest: options.keepBest ?? true,
  };
}

async function makeSource(model: ClipVG, options: TrainOptions, settings: Settings, cache: FeatureCache | undefined): Promise<BatchSource> {
  // drop_last as the official loader, unless that would leave no batch at all (tiny curriculum subsets)
  const dropLast = options.records.length > options.batchSize;
  if (cache) {
    const table = await cache.table(model, options.records, options.imageRoot, options.tokenizer);
    return cachedSource(table, options.batchSize, { shuffle: true, dropLast, seed: settings.seed });
  }
  return imageSource({
    records: options.records,
    imageRoot: options.imageRoot,
    tokenizer: options.tokenizer,
    imsize: model.config.imsize,
    contextLength: model.config.maxQueryLen,
    batchSize: options.batchSize,
    augment: settings.augment,
    shuffle: true,
    dropLast,
    seed: settings.seed,
    workers: options.workers,
  });
}

async function runEpoch(
  model: ClipVG,
  variables: Map<string, tf.Variable>,
  optimizer: AdamW,
  source: BatchSource,
  epoch: number,
  seed: number,
  options: TrainOptions,
): Promise<EpochRecord> {
  const started = performance.now();
  let step = 0;
  let images = 0;
  const sums = { loss: 0, l1: 0, giou: 0 };
  for await (const batch of source.epoch(epoch)) {
    const loss = trainStep(model, variables, optimizer, batch, { seed, epoch, step });
    sums.loss += loss.loss;
    sums.l1 += loss.l1;
    sums.giou += loss.giou;
    step++;
    images += batch.size;
    const seconds = (performance.now() - started) / 1000;
    options.onStep?.({ epoch, step, steps: source.length, loss: loss.loss, lr: optimizer.lr, imagesPerSecond: images / seconds });
  }
  const seconds = (performance.now() - started) / 1000;
  const mean = (v: number) => (step ? v / step : 0);
  return {
    epoch,
    lr: optimizer.lr,
    loss: mean(sums.loss),
    l1: mean(sums.l1),
    giou: mean(sums.giou),
    steps: step,
    images,
    seconds,
    imagesPerSecond: images / seconds,
    best: false,
  };
}

async function writeEpochOutputs(
  outputDir: string,
  model: ClipVG,
  variables: Map<string, tf.Variable>,
  optimizer: AdamW,
  state: TrainingState,
  record: EpochRecord,
  options: TrainOptions,
): Promise<void> {
  const includeClip = options.includeClip ?? false;
  if (record.best) {
    const info = { epoch: record.epoch, valAccuracy: record.valAccuracy, meta: options.meta };
    await saveModelFolder(path.join(outputDir, 'best_checkpoint'), model, variables, { 'best.json': `${JSON.stringify(info, null, 2)}\n` }, { includeClip });
  }
  await saveTrainingCheckpoint(path.join(outputDir, 'checkpoint'), model, variables, optimizer, state, { includeClip });
  // the log is rewritten from the checkpoint's history, so it never holds an epoch the checkpoint lacks
  writeFileAtomic(path.join(outputDir, 'log.jsonl'), state.history.map((h) => `${JSON.stringify(h)}\n`).join(''));
}

function checkFingerprint(dir: string, saved: Record<string, unknown>, now: Record<string, unknown>): void {
  for (const key of Object.keys(now)) {
    if (JSON.stringify(saved[key]) !== JSON.stringify(now[key])) {
      throw new Error(`${dir}: cannot resume: ${key} was ${JSON.stringify(saved[key])}, now ${JSON.stringify(now[key])}`);
    }
  }
}

/** The variables' values, copied off the backend. */
export async function snapshot(variables: Map<string, tf.Variable>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of variables) out.set(name, ((await v.data()) as Float32Array).slice());
  return out;
}

/** Put `snapshot` values back (by name). */
export function restore(variables: Map<string, tf.Variable>, weights: Map<string, Float32Array>): void {
  for (const [name, v] of variables) tf.tidy(() => v.assign(tf.tensor(weights.get(name)!, v.shape, 'float32')));
}

async function restoreBestFromFolder(outputDir: string, variables: Map<string, tf.Variable>): Promise<void> {
  const dir = path.join(outputDir, 'best_checkpoint');
  const weights = readTrainables(dir);
  if (weights) restore(variables, weights);
}
