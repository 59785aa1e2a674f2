/** @clip-vg/training: train and evaluate CLIP-VG. */
export { AdamW, type AdamWOptions, type AdamWState } from './optim/adamw';
export { learningRate, lrMultiplier, SCHEDULE_NAMES, type ScheduleName, type ScheduleOptions } from './optim/schedules';
export { trainModel, type TrainOptions, type TrainResult, type StepInfo } from './train/train-model';
export { type EpochRecord } from './train/checkpoint';
export { evaluateModel, scoreReliability, type EvaluateOptions, type EvaluationResult, type ReliabilityScores } from './eval/evaluate';
export { FeatureCache, type FeatureCacheOptions, type FeatureTable } from './features/feature-cache';
export { createModelHost, trainingSteps, type GroundingSample, type ModelHostOptions, type ModelTrainingEvent } from './host';
export { loadGroundingSplit, type SplitSource, type LoadedSplit } from './data/splits';
export {
  resolveModelSource,
  createModelFromSource,
  loadTrainedModel,
  resolveCheckpoint,
  loadTokenizerFor,
  recordedSource,
  sourceMeta,
  type ClipSource,
  type ModelSource,
  type ModelSourceOptions,
} from './model-source';
export { createHost, registerModelHost } from './curriculum-host';
export {
  readModelHostSettings,
  loadModelHostData,
  modelHostOf,
  MODEL_HOST_OPTIONS,
  type ModelHostSettings,
  type ModelHostData,
  type ModelHostTrain,
} from './model-host-data';
export { namedTrainables } from './train/step';
export { snapshot as snapshotTrainables, restore as restoreTrainables } from './train/train-model';
