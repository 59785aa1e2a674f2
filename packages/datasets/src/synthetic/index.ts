// The synthetic grounding world: scenes, referring expressions, three noisy pseudo-label sources, writer.
export { createRng, deriveSeed, type Rng } from './rng';
export * from './vocabulary';
export { generateScene, boxIou, type Scene, type SceneObject, type Background, type SceneOptions } from './scene';
export { renderScene, type SceneImage } from './render';
export {
  parseExpression,
  resolveExpression,
  isCorrectLabel,
  SPATIAL_MARGIN,
  type NounPhrase,
  type ParsedExpression,
} from './resolve';
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
} from './world';
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
