import type { ClipConfig } from '@clip-vg/clip-encoders';

/** Everything needed to build a CLIP-VG model (`args` of the official training script, plus CLIP's shape). */
export interface ClipVGConfig {
  clip: ClipConfig;
  /** 0-based CLIP visual blocks whose outputs are concatenated: [0,3,7,11] (B/16), [0,7,15,23] (L/14). */
  extractLayers: number[];
  /** Side of the square letterboxed input (224 for the released models). */
  imsize: number;
  /** Text tokens in the fusion sequence (77, tied to CLIP's context length). */
  maxQueryLen: number;
  /** Fusion width D (`clip.transformer.width`). */
  hiddenDim: number;
  vlHeads: number;
  vlLayers: number;
  vlFfnDim: number;
  dropout: number;
}

/** Multi-level layers of the released models, by CLIP model name (`args.model`). */
export const EXTRACT_LAYERS: Readonly<Record<string, readonly number[]>> = {
  'ViT-B/16': [0, 3, 7, 11],
  'ViT-B/32': [0, 3, 7, 11],
  'ViT-L/14': [0, 7, 15, 23],
  'ViT-L/14@336px': [0, 7, 15, 23],
};

/** The extract layers of `args.model`, or an error naming the model. */
export function extractLayersFor(model: string): number[] {
  const layers = EXTRACT_LAYERS[model];
  if (!layers) throw new Error(`unknown CLIP model "${model}" (expected one of ${Object.keys(EXTRACT_LAYERS).join(', ')})`);
  return [...layers];
}

/**
 * A CLIP-VG configuration for `clip` with the official defaults (8 heads, 6 layers, FFN 2048, dropout 0.1,
 * D = text width, imsize = CLIP's resolution, 77 text tokens), then `overrides`.
 */
export function clipVGConfig(
  clip: ClipConfig,
  extractLayers: readonly number[],
  overrides: Partial<Omit<ClipVGConfig, 'clip' | 'extractLayers'>> = {},
): ClipVGConfig {
  const config: ClipVGConfig = {
    clip,
    extractLayers: [...extractLayers],
    imsize: clip.imageResolution,
    maxQueryLen: clip.contextLength,
    hiddenDim: clip.transformerWidth,
    vlHeads: 8,
    vlLayers: 6,
    vlFfnDim: 2048,
    dropout: 0.1,
    ...overrides,
  };
  validateClipVGConfig(config);
  return config;
}

/** Patches per side of the visual grid. */
export function patchGrid(config: ClipVGConfig): number {
  return config.imsize / config.clip.visionPatchSize;
}

/** Fusion sequence length: `[REG] | text | visual CLS | patches` (275 for B/16 at 224). */
export function sequenceLength(config: ClipVGConfig): number {
  return 1 + config.maxQueryLen + 1 + patchGrid(config) ** 2;
}

/** Throw a one-line error if `config` cannot describe a CLIP-VG model. */
export function validateClipVGConfig(config: ClipVGConfig): void {
  const integers = ['imsize', 'maxQueryLen', 'hiddenDim', 'vlHeads', 'vlLayers', 'vlFfnDim'] as const;
  for (const key of integers) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) {
      throw new Error(`ClipVGConfig.${key} must be a positive integer, got ${config[key]}`);
    }
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new Error(`ClipVGConfig.dropout must be in [0, 1), got ${config.dropout}`);
  if (config.hiddenDim % config.vlHeads !== 0) {
    throw new Error(`ClipVGConfig: hiddenDim ${config.hiddenDim} is not divisible by vlHeads ${config.vlHeads}`);
  }
  if (config.imsize !== config.clip.imageResolution) {
    throw new Error(`ClipVGConfig: imsize ${config.imsize} differs from CLIP's resolution ${config.clip.imageResolution} (its positional embedding fixes it)`);
  }
  if (config.maxQueryLen !== config.clip.contextLength) {
    throw new Error(`ClipVGConfig: maxQueryLen ${config.maxQueryLen} differs from CLIP's context length ${config.clip.contextLength}`);
  }
  if (config.extractLayers.length === 0) throw new Error('ClipVGConfig.extractLayers is empty');
  for (const layer of config.extractLayers) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= config.clip.visionLayers) {
      throw new Error(`ClipVGConfig.extractLayers: ${layer} is outside 0..${config.clip.visionLayers - 1}`);
    }
  }
}
