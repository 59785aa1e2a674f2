// The synthetic grounding world: scenes, referring expressions, three noisy pseudo-label sources, writer.
export { createRng, deriveSeed, mulberry32, type Rng } from './rng';
export * from './vocabulary';
export { generateScene, boxIou, type Scene, type SceneObject, type Background, type SceneOptions } from './scene';
export { renderScene, type SceneImage } from './render';
export { parseExpression, resolveExpression, isCorrectLabel, SPATIAL_MARGIN, type NounPhrase, type ParsedExpression } from './resolve';
export { describeTarget, type ReferringExpression, type ExpressionForm } from './expressions';
export { PSEUDO_SOURCES, FAILURE_MODES, type PseudoSource, type FailureMode } from './pseudo-sources';
export {
  createSyntheticWorld,
  resolveWorldOptions,
  DEFAULT_PSEUDO_NOISE,
  DEFAULT_WORLD_OPTIONS,
  SYNTHETIC_SPLITS,
  type SyntheticWorld,
  type SyntheticWorldOptions,
  type ResolvedWorldOptions,
  type PseudoNoiseOptions,
  type SyntheticImage,
  type SyntheticSplit,
  type PseudoLabel,
  type WorldKind,
  type SyntheticRecord,
} from './world';
export {
  createDemoWorld,
  demoWorldOptions,
  generateDemoScene,
  demoExpressions,
  describeDemoTarget,
  demoCaption,
  demoPretrainScenes,
  DEMO_WORLD_OPTIONS,
  DEMO_PSEUDO_NOISE,
  DEMO_WRONG_RATE,
  DEMO_SIZE_RADIUS,
  DEMO_JITTER,
  DEMO_NOISE,
  DEMO_WORDS,
  DEMO_PRETRAIN_STREAM,
  type DemoSceneOptions,
  type DemoPretrainOptions,
} from './demo';
export {
  DEMO_MIXED_WORDS,
  DEMO_EXPRESSION_KINDS,
  DEMO_EXPRESSION_MODES,
  DEMO_ORDINALS,
  DEMO_ORDER_AXES,
  DEMO_RELATION_MARGIN,
  DEMO_CAPTION_STYLES,
  demoRelationExpressions,
  describeDemoRelation,
  demoCaptionExpressions,
  describeDemoCaption,
  demoExpressionsOfKind,
  describeDemoTargetAs,
  demoExpressionKind,
  resolveDemoExpression,
  demoMixedCaption,
  type DemoExpressionKind,
  type DemoExpressionMode,
  type DemoOrderAxis,
  type DemoCaptionStyle,
} from './demo-text';
export { sceneCaption } from './caption';
export {
  generateSyntheticWorld,
  syntheticWorldFiles,
  summarize as summarizeSyntheticWorld,
  SYNTHETIC_DATASET,
  type GenerateSyntheticOptions,
  type SyntheticWorldFiles,
  type SyntheticWorldSummary,
} from './write';
export { loadSyntheticWorld, type LoadedSyntheticWorld, type PseudoTruth } from './load';
