/**
 * Sizes and budgets of the demo. `full` is what `npm run demo` runs (the README's numbers); `quick` is a smoke
 * check of the whole path in a few minutes. Every field can be overridden.
 */
export interface DemoSettings {
  /** Synthetic world: images per split and their side (= CLIP's input, so the letterbox is the identity). */
  trainImages: number;
  valImages: number;
  testImages: number;
  imageSize: number;
  /** Tiny CLIP. */
  clipWidth: number;
  clipPatch: number;
  clipVisionLayers: number;
  clipTextLayers: number;
  contextLength: number;
  pretrainEpochs: number;
  pretrainBatch: number;
  pretrainLr: number;
  /** CLIP-VG fusion (hiddenDim = CLIP width, as CLIP-VG ties D to the text width). */
  fusionLayers: number;
  fusionHeads: number;
  fusionFfn: number;
  dropout: number;
  /** Every CLIP-VG training (oracle, baselines, curriculum candidates) uses the same recipe. */
  epochs: number;
  batchSize: number;
  lr: number;
  /** MSA measurer candidates (`all`: SR and CR compete, as the paper). */
  msaMeasurers: 'all' | 'own' | 'cross';
  /** Test images drawn into the report. */
  examples: number;
}

export type DemoPreset = 'full' | 'quick';

/**
 * Sized for the wasm backend on two busy cores (measured ~100 fusion samples/s forward + backward): a 4×4 patch
 * grid and 16 text tokens keep the fusion sequence at 34 tokens, width 32 keeps every matmul small.
 */
const FULL: DemoSettings = {
  trainImages: 400, valImages: 100, testImages: 150, imageSize: 64,
  clipWidth: 32, clipPatch: 16, clipVisionLayers: 4, clipTextLayers: 2, contextLength: 16,
  pretrainEpochs: 20, pretrainBatch: 32, pretrainLr: 1e-3,
  fusionLayers: 2, fusionHeads: 2, fusionFfn: 64, dropout: 0.1,
  epochs: 10, batchSize: 32, lr: 1e-3,
  msaMeasurers: 'all', examples: 6,
};

export const DEMO_PRESETS: Record<DemoPreset, DemoSettings> = {
  full: FULL,
  // the same models on a smaller world and budget
  quick: {
    ...FULL,
    trainImages: 120, valImages: 40, testImages: 60,
    pretrainEpochs: 6, epochs: 5,
    msaMeasurers: 'own', examples: 4,
  },
};

export function resolveDemoSettings(preset: DemoPreset, overrides: Partial<DemoSettings> = {}): DemoSettings {
  const settings = { ...DEMO_PRESETS[preset], ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as DemoSettings;
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) throw new Error(`demo: setting ${key} must be a non-negative number, got ${value}`);
  }
  if (!['all', 'own', 'cross'].includes(settings.msaMeasurers)) throw new Error(`demo: msaMeasurers must be all, own or cross, got ${settings.msaMeasurers}`);
  return settings;
}
