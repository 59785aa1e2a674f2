/** @clip-vg/experiments: contrastive pretraining of a tiny CLIP and the curriculum demo on the synthetic world. */
export { WordTokenizer } from './word-tokenizer';
export { tinyClipConfig, pretrainClip, type TinyClipSize, type PretrainOptions, type PretrainResult } from './tiny-clip';
export {
  pretrainDemoClip,
  saveDemoClip,
  loadDemoClip,
  demoClipConfig,
  demoTokenizer,
  retrievalAccuracy,
  DEMO_CLIP_DIR,
  type PretrainDemoClipOptions,
  type PretrainDemoClipResult,
  type DemoClipMeta,
  type LoadedDemoClip,
} from './demo-clip';
export { memoizeHost, type MemoHost } from './memo-host';
export { DEMO_PRESETS, resolveDemoSettings, type DemoPreset, type DemoSettings } from './demo/settings';
export { runDemo, DEMO_METHODS, type DemoOptions, type DemoResults, type DemoMethod, type MethodResult } from './demo/run-demo';
export { createDemoHost, registerDemoHost, DEMO_HOST_OPTIONS } from './demo/demo-host';
export { summarizeSeeds, type SeedSummary } from './demo/seeds';
export type { TrainingEvent } from './demo/fusion-host';
