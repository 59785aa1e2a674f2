/** @clip-vg/clip-encoders: OpenAI CLIP in TensorFlow.js (tokenizer, multi-level ViT, text encoder, weights). */
export { ClipTokenizer, cleanText, type TokenizeOptions, type TokenizedBatch, type BpeVocabulary } from './tokenizer';
export {
  cacheRoot,
  modelCacheDir,
  findCachedModel,
  readManifest,
  ensureModel,
  pullModel,
  DEFAULT_MODEL,
  DEFAULT_MODEL_FILES,
  type ModelCacheOptions,
  type ManifestFile,
  type ModelManifest,
  type PullOptions,
  type PullProgress,
  type PullResult,
} from './hub';
export {
  CLIP,
  CLIP_CONFIGS,
  inferClipConfig,
  ParameterStore,
  type FromStateDictOptions,
  type RandomClipOptions,
  type ClipConfig,
  type ClipModelName,
  type ShapeSource,
} from './model';
export {
  stripPrefix,
  transpose2d,
  hfToOpenAIStateDict,
  openAIToHF,
  toHFConfig,
  readSafetensorsWeights,
  writeSafetensorsWeights,
  PROJECT_MODEL_TYPE,
  type WeightSource,
  type WeightTensor,
  type HFClipConfigJson,
  type PretrainedOptions,
  type ProjectConfigJson,
} from './weights';
