/**
 * The real curriculum host: every `train` builds a fresh CLIP-VG and runs the full recipe on the chosen
 * samples, `score` measures reliabilities with the eval transform, `evaluate` is val Acc@0.5.
 */
import type { CurriculumHost, Sample } from '@clip-vg/curriculum';
import type { GroundingRecord, TextTokenizer } from '@clip-vg/datasets';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { evaluateModel, scoreReliability } from './eval/evaluate';
import { FeatureCache } from './features/feature-cache';
import { trainModel, type StepInfo, type TrainOptions } from './train/train-model';
import type { EpochRecord } from './train/checkpoint';

export interface ModelHostOptions extends Pick<
  TrainOptions,
  'epochs' | 'batchSize' | 'lr' | 'weightDecay' | 'lrScheduler' | 'augment' | 'seed' | 'evalBatchSize' | 'workers'
> {
  /** A fresh, untrained model for each training (same frozen CLIP every time when features are cached). */
  createModel: (info: { stage: string; index: number }) => ClipVG | Promise<ClipVG>;
  /** Folder that relative image paths of the samples live in. */
  imageRoot: string;
  tokenizer: TextTokenizer;
  /** The annotated selection split. */
  valRecords: readonly GroundingRecord[];
  valImageRoot?: string;
  /** Frozen-feature training: a cache shared by every training and scoring, `true` for an in-memory one. */
  featureCache?: FeatureCache | boolean;
  onStep?: (info: StepInfo & { stage: string }) => void;
  /** Every training's start, steps and end, for one progress bar over all of them. */
  onTraining?: (event: ModelTrainingEvent) => void;
  onEpoch?: (record: EpochRecord & { stage: string }) => void;
}

/** A grounding record as the curriculum sees it: ids unique across sources (the policies track samples by id). */
export type GroundingSample = GroundingRecord & Sample;

/** A training's progress, for a progress bar over all of an experiment's trainings. */
export interface ModelTrainingEvent {
  /** 1, 2, … in the order the trainings were asked for. */
  id: number;
  stage: string;
  samples: number;
  /** Optimiser steps done of `steps` (all epochs). */
  step: number;
  steps: number;
  done: boolean;
}

/** Optimiser steps of a training of `samples` (the last, partial batch counts). */
export function trainingSteps(recipe: { epochs: number; batchSize: number }, samples: number): number {
  return recipe.epochs * Math.max(1, Math.ceil(samples / recipe.batchSize));
}

export function createModelHost(options: ModelHostOptions): CurriculumHost<ClipVG, GroundingSample> {
  const cache = options.featureCache === true ? new FeatureCache() : options.featureCache || undefined;
  const evalOptions = (root: string) => ({
    imageRoot: root,
    tokenizer: options.tokenizer,
    batchSize: options.evalBatchSize,
    featureCache: cache,
    workers: options.workers,
  });
  let trainings = 0;
  return {
    async train(samples: GroundingSample[], info: { stage: string }): Promise<ClipVG> {
      const index = trainings++;
      const training = { id: index + 1, stage: info.stage, samples: samples.length, steps: trainingSteps(options, samples.length) };
      options.onTraining?.({ ...training, step: 0, done: false });
      const model = await options.createModel({ stage: info.stage, index });
      try {
        await trainModel({
          model,
          records: samples,
          valRecords: options.valRecords,
          imageRoot: options.imageRoot,
          valImageRoot: options.valImageRoot,
          tokenizer: options.tokenizer,
          epochs: options.epochs,
          batchSize: options.batchSize,
          lr: options.lr,
          weightDecay: options.weightDecay,
          lrScheduler: options.lrScheduler,
          augment: cache ? false : options.augment,
          seed: options.seed,
          featureCache: cache,
          evalBatchSize: options.evalBatchSize,
          workers: options.workers,
          onStep: (s) => {
            options.onStep?.({ ...s, stage: info.stage });
            options.onTraining?.({ ...training, step: Math.min(training.steps, s.epoch * s.steps + s.step), done: false });
          },
          onEpoch: options.onEpoch && ((r) => options.onEpoch!({ ...r, stage: info.stage })),
        });
      } catch (error) {
        model.dispose();
        throw error;
      }
      options.onTraining?.({ ...training, step: training.steps, done: true });
      return model;
    },
    async score(model: ClipVG, samples: GroundingSample[]): Promise<number[]> {
      return (await scoreReliability(model, samples, evalOptions(options.imageRoot))).reliabilities;
    },
    async evaluate(model: ClipVG): Promise<number> {
      return (await evaluateModel(model, options.valRecords, evalOptions(options.valImageRoot ?? options.imageRoot))).accuracy;
    },
    release(model: ClipVG): void {
      model.dispose();
    },
  };
}
