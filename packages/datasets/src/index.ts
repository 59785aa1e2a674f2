/** @clip-vg/datasets: visual-grounding datasets, split files, transforms and a synthetic grounding world. */
export type { GroundingRecord } from './record';
export {
  DATASET_NAMES, isDatasetName, assertSplit, splitFiles, datasetFromFileName, recordsFromSplit, recordsToRows, applyPrompt,
  loadSplitFile, loadSplit, resolveImageDir, loadSeparateSources, parseSeparateFileName, verifyDataset,
  formatVerifyReport, type DatasetName, type Box, type RecordsFromSplitOptions, type RecordsToRowsOptions, type LoadSplitFileOptions,
  type LoadSplitOptions, type SeparateSource, type VerifyOptions, type VerifyReport, type SplitCount,
  type BadBox,
} from './real';
export {
  convertReferit, convertRefer, convertFlickr30kEntities, type ConvertedSplit, type ConvertReferitOptions,
  type ConvertReferOptions, type CocoDatasetName, type ConvertFlickrOptions,
} from './converters';
export {
  createRng, deriveSeed, mulberry32, renderScene, resolveExpression, PSEUDO_SOURCES, FAILURE_MODES,
  createSyntheticWorld, DEFAULT_PSEUDO_NOISE, DEFAULT_WORLD_OPTIONS, SYNTHETIC_SPLITS, demoWorldOptions,
  demoCaption, demoPretrainScenes, DEMO_WORLD_OPTIONS, DEMO_WRONG_RATE, DEMO_SIZE_RADIUS, DEMO_NOISE, DEMO_WORDS,
  DEMO_MIXED_WORDS, DEMO_CAPTION_STYLES, demoExpressionsOfKind, describeDemoTargetAs, demoExpressionKind,
  resolveDemoExpression, demoMixedCaption, generateSyntheticWorld, syntheticWorldFiles, SYNTHETIC_DATASET,
  loadSyntheticWorld, SHAPE_KINDS, COLOURS, SIZES, BACKGROUND_TEXTURES, SIZE_RADIUS, type Rng, type Scene,
  type SceneObject, type Background, type SceneImage, type PseudoSource, type FailureMode, type SyntheticWorld,
  type SyntheticWorldOptions, type ResolvedWorldOptions, type PseudoNoiseOptions, type SyntheticImage,
  type SyntheticSplit, type PseudoLabel, type WorldKind, type SyntheticRecord, type DemoSceneOptions, type DemoPretrainOptions,
  type DemoExpressionKind, type DemoExpressionMode, type DemoCaptionStyle, type GenerateSyntheticOptions,
  type SyntheticWorldFiles, type SyntheticWorldSummary, type LoadedSyntheticWorld, type PseudoTruth,
  type ShapeKind, type ColourName, type SizeName, type BackgroundTexture,
} from './synthetic';
export {
  evalTransform, trainTransform, multiScaleSizes, colorJitter, type AugmentOptions, type TransformedSample,
  type EvalSample, type ColorJitterOptions,
} from './augment';
export {
  BatchLoader, createBatchStream, evalTransformRecord, recordImagePath, runSampleWorker, type Batch,
  type BatchLoaderOptions, type TextTokenizer, type ImageLayout, type SampleResult,
} from './pipeline';
