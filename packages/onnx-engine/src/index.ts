/** @clip-vg/onnx-engine: fast CLIP-VG inference on ONNX Runtime, graph built from the project's own weights. */
export { OnnxClipVG, type ExecutionProvider, type OnnxEngineOptions } from './engine';
export { buildClipVGOnnx } from './graph/clip-vg-graph';
export { graphInputs, usedTextLength, type GraphInputs } from './inputs';
export { benchmarkInference, benchConfig, benchInputs, BENCH_MODELS, type InferenceBenchOptions, type InferenceBenchResult } from './benchmark';
export { createPredictor, parseEngine } from './predictor';
export { OnnxClipVGStages, type ClipFeatures } from './staged-engine';
export { type GraphPart, type GraphOptions } from './graph/clip-vg-graph';
export { fusionParams, type FusionGraph } from './train/fusion-graph';
export { selectRows, type FeatureRows, type FeatureTable } from './train/features';
export {
  FusionSessions,
  trainFusion,
  accuracyAt05,
  type FusionRecipe,
  type FusionTrainResult,
  type FusionWeights,
  type TrainFusionOptions,
} from './train/fusion-trainer';
export { FusionTrainingPool, sharedFloat32, type PoolOptions, type TrainingJob, type TrainingRunner } from './train/pool';
export { runFusionTrainingWorker } from './train/worker';
