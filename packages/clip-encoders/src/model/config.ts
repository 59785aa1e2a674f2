/**
 * CLIP hyper-parameters, named as in OpenAI's `build_model`, and their inference from a state dict.
 */

export interface ClipConfig {
  /** Width of the joint embedding space (`text_projection.shape[1]`). */
  embedDim: number;
  /** Square input side in pixels the positional embedding was trained for. */
  imageResolution: number;
  visionLayers: number;
  visionWidth: number;
  visionPatchSize: number;
  visionHeads: number;
  /** Text sequence length (77 for every OpenAI model). */
  contextLength: number;
  vocabSize: number;
  transformerWidth: number;
  transformerHeads: number;
  transformerLayers: number;
}

export type ClipModelName = 'ViT-B/32' | 'ViT-B/16' | 'ViT-L/14' | 'ViT-L/14@336px';

const TEXT_BASE = { contextLength: 77, vocabSize: 49408 } as const;

/** The OpenAI ViT models (what `build_model` derives from their checkpoints). */
export const CLIP_CONFIGS: Record<ClipModelName, ClipConfig> = {
  'ViT-B/32': {
    embedDim: 512,
    imageResolution: 224,
    visionLayers: 12,
    visionWidth: 768,
    visionPatchSize: 32,
    visionHeads: 12,
    ...TEXT_BASE,
    transformerWidth: 512,
    transformerHeads: 8,
    transformerLayers: 12,
  },
  'ViT-B/16': {
    embedDim: 512,
    imageResolution: 224,
    visionLayers: 12,
    visionWidth: 768,
    visionPatchSize: 16,
    visionHeads: 12,
    ...TEXT_BASE,
    transformerWidth: 512,
    transformerHeads: 8,
    transformerLayers: 12,
  },
  'ViT-L/14': {
    embedDim: 768,
    imageResolution: 224,
    visionLayers: 24,
    visionWidth: 1024,
    visionPatchSize: 14,
    visionHeads: 16,
    ...TEXT_BASE,
    transformerWidth: 768,
    transformerHeads: 12,
    transformerLayers: 12,
  },
  'ViT-L/14@336px': {
    embedDim: 768,
    imageResolution: 336,
    visionLayers: 24,
    visionWidth: 1024,
    visionPatchSize: 14,
    visionHeads: 16,
    ...TEXT_BASE,
    transformerWidth: 768,
    transformerHeads: 12,
    transformerLayers: 12,
  },
};

/** Anything with a shape: a `TorchTensor`, a `tf.Tensor`, a safetensors entry. */
export type ShapeSource = Record<string, { shape: readonly number[] }>;

function countBlocks(stateDict: ShapeSource, prefix: string): number {
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}(\\d+)\\.`);
  const indices = new Set<number>();
  for (const key of Object.keys(stateDict)) {
    const match = pattern.exec(key);
    if (match) indices.add(Number(match[1]));
  }
  return indices.size;
}

function shapeOf(stateDict: ShapeSource, key: string): readonly number[] {
  const entry = stateDict[key];
  if (!entry) throw new Error(`inferClipConfig: the state dict has no "${key}" (is it an OpenAI ViT CLIP state dict?)`);
  return entry.shape;
}

/**
 * Derive the configuration from the weight shapes, as OpenAI's `build_model` does: widths from shapes,
 * layers by counting blocks, heads = width / 64. Heads cannot be read from shapes, so models that do not follow
 * the /64 rule (such as the tiny golden model) pass them in `overrides`. Keys are OpenAI names without prefix.
 */
export function inferClipConfig(stateDict: ShapeSource, overrides: Partial<ClipConfig> = {}): ClipConfig {
  const [visionWidth, , visionPatchSize] = shapeOf(stateDict, 'visual.conv1.weight');
  const [visionTokens] = shapeOf(stateDict, 'visual.positional_embedding');
  const gridSize = Math.round(Math.sqrt(visionTokens - 1));
  if (gridSize * gridSize + 1 !== visionTokens) {
    throw new Error(`inferClipConfig: visual.positional_embedding has ${visionTokens} rows, not 1 + a square grid`);
  }
  const [contextLength, transformerWidth] = shapeOf(stateDict, 'positional_embedding');
  const inferred: ClipConfig = {
    embedDim: shapeOf(stateDict, 'text_projection')[1],
    imageResolution: visionPatchSize * gridSize,
    visionLayers: countBlocks(stateDict, 'visual.transformer.resblocks.'),
    visionWidth,
    visionPatchSize,
    visionHeads: visionWidth / 64,
    contextLength,
    vocabSize: shapeOf(stateDict, 'token_embedding.weight')[0],
    transformerWidth,
    transformerHeads: transformerWidth / 64,
    transformerLayers: countBlocks(stateDict, 'transformer.resblocks.'),
  };
  const config = { ...inferred, ...overrides };
  validateClipConfig(config);
  return config;
}

/** Throw a one-line error if the configuration cannot describe a CLIP model. */
export function validateClipConfig(config: ClipConfig): void {
  for (const [key, value] of Object.entries(config)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`ClipConfig.${key} must be a positive integer, got ${value}`);
  }
  if (config.visionWidth % config.visionHeads !== 0) {
    throw new Error(`ClipConfig: visionWidth ${config.visionWidth} is not divisible by visionHeads ${config.visionHeads}`);
  }
  if (config.transformerWidth % config.transformerHeads !== 0) {
    throw new Error(`ClipConfig: transformerWidth ${config.transformerWidth} is not divisible by transformerHeads ${config.transformerHeads}`);
  }
  if (config.imageResolution % config.visionPatchSize !== 0) {
    throw new Error(`ClipConfig: imageResolution ${config.imageResolution} is not a multiple of visionPatchSize ${config.visionPatchSize}`);
  }
}
