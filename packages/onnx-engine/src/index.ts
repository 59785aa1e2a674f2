/** @clip-vg/onnx-engine: fast CLIP-VG inference on ONNX Runtime, graph built from the project's own weights. */
export { OnnxClipVG, hasExecutionProvider, type ExecutionProvider, type OnnxEngineOptions } from './engine';
export { buildClipVGOnnx, INPUT_IDS, INPUT_IMAGES, INPUT_IMAGE_INDEX, INPUT_KEY_BIAS, INPUT_POSITIONS, OUTPUT_BOXES } from './graph/clip-vg-graph';
export { graphInputs, usedTextLength, MASKED_LOGIT, type GraphInputs } from './inputs';
export {
  benchmarkInference,
  benchConfig,
  benchInputs,
  BENCH_MODELS,
  ENGINE_NAMES,
  TINY_CLIP,
  type InferenceBenchOptions,
  type InferenceBenchResult,
} from './benchmark';
export { createPredictor, parseEngine } from './predictor';
export { collectGarbage } from './memory';
export { OnnxClipVGStages, type ClipFeatures } from './staged-engine';
export { createSession } from './engine';
export { TEXT_FEATURES, VISUAL_FEATURES, type GraphPart, type GraphOptions } from './graph/clip-vg-graph';
export { buildFusionGraph, fusionParams, type FusionGraph, type FusionGraphSpec } from './train/fusion-graph';
export { gatherBatch, selectRows, rowCount, type FeatureRows, type FeatureTable } from './train/features';
export {
  FusionSessions,
  trainFusion,
  recipeLearningRate,
  accuracyAt05,
  type FusionRecipe,
  type FusionTrainResult,
  type FusionWeights,
  type TrainFusionOptions,
} from './train/fusion-trainer';
export { FusionTrainingPool, sharedFloat32, type PoolOptions, type TrainingJob, type TrainingRunner } from './train/pool';
export { runFusionTrainingWorker } from './train/worker';
