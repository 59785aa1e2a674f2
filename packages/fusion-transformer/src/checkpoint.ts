import { inferClipConfig, type ClipConfig } from '@clip-vg/clip-encoders';
import { loadPth, isTensor, type PyValue } from '@clip-vg/torch-io';
import { EXTRACT_LAYERS, extractLayersFor, validateClipVGConfig, type ClipVGConfig } from './config';
import { VL_TRANSFORMER_PREFIX } from './vl-transformer';

/** Explicit settings that win over what a checkpoint's `args` and shapes say. */
export type ConfigOverrides = Partial<Omit<ClipVGConfig, 'clip'>> & { clip?: Partial<ClipConfig> };

export interface OfficialCheckpoint {
  /** Every tensor of `checkpoint['model']` (or of the plain state dict), official names. */
  stateDict: Record<string, unknown>;
  config: ClipVGConfig;
  /** Training bookkeeping when present (`epoch`, `val_accu`, `args` as decoded). */
  meta: { epoch?: number; valAccu?: number; args?: Record<string, unknown> };
}

type Shapes = Record<string, { shape: readonly number[] }>;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && !isTensor(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (isTensor(value) && value.numel() === 1) return value.toFloat32Array()[0];
  const boxed = asRecord(value);
  // torch-io may box Python floats to keep them distinct from ints.
  if (boxed && typeof boxed.value === 'number') return boxed.value;
  return undefined;
}

/** `argparse.Namespace` decodes to a dict (or an inert object holding its `__dict__`). */
function argsOf(checkpoint: Record<string, unknown>): Record<string, unknown> | undefined {
  const args = checkpoint.args;
  const direct = asRecord(args);
  if (!direct) return undefined;
  const state = asRecord((direct as { state?: unknown }).state);
  return state && 'model' in state ? state : direct;
}

function countLayers(shapes: Shapes, prefix: string): number {
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.`);
  const found = new Set<number>();
  for (const key of Object.keys(shapes)) {
    const match = pattern.exec(key);
    if (match) found.add(Number(match[1]));
  }
  return found.size;
}

function shape(shapes: Shapes, key: string, origin: string): readonly number[] {
  const entry = shapes[key];
  if (!entry) throw new Error(`${origin}: not a CLIP-VG checkpoint (no "${key}")`);
  return entry.shape;
}

/**
 * The configuration of a CLIP-VG state dict: CLIP's from the `clip.*` shapes, the fusion sizes from
 * shapes, the rest (heads, dropout, model name → extract layers) from `args` when given, then `overrides`.
 */
export function configFromStateDict(
  stateDict: Record<string, unknown>,
  args: Record<string, unknown> | undefined,
  overrides: ConfigOverrides = {},
  origin = 'state dict',
): ClipVGConfig {
  const shapes: Shapes = {};
  const clipShapes: Shapes = {};
  for (const [key, value] of Object.entries(stateDict)) {
    if (!isTensor(value) && !(asRecord(value) && Array.isArray((value as { shape?: unknown }).shape))) continue;
    shapes[key] = value as { shape: readonly number[] };
    if (key.startsWith('clip.')) clipShapes[key.slice('clip.'.length)] = shapes[key]!;
  }
  let clip: ClipConfig;
  try {
    clip = inferClipConfig(clipShapes, overrides.clip ?? {});
  } catch (error) {
    throw new Error(`${origin}: ${(error as Error).message}`);
  }
  const model = typeof args?.model === 'string' ? args.model : undefined;
  const defaultLayers = model && EXTRACT_LAYERS[model] ? extractLayersFor(model) : layersByDepth(clip.visionLayers, origin);
  const fromShapes: Omit<ClipVGConfig, 'clip'> = {
    extractLayers: defaultLayers,
    imsize: numberOf(args?.imsize) ?? clip.imageResolution,
    maxQueryLen: numberOf(args?.max_query_len) ?? clip.contextLength,
    hiddenDim: shape(shapes, 'text_proj.weight', origin)[0],
    vlHeads: numberOf(args?.vl_nheads) ?? 8,
    vlLayers: countLayers(shapes, VL_TRANSFORMER_PREFIX),
    vlFfnDim: shape(shapes, `${VL_TRANSFORMER_PREFIX}.0.linear1.weight`, origin)[0],
    dropout: numberOf(args?.vl_dropout) ?? 0.1,
  };
  const argHidden = numberOf(args?.vl_hidden_dim);
  if (argHidden !== undefined && argHidden !== fromShapes.hiddenDim) {
    throw new Error(`${origin}: args.vl_hidden_dim is ${argHidden} but text_proj.weight has ${fromShapes.hiddenDim} rows`);
  }
  const { clip: _clipOverrides, ...rest } = overrides;
  const config: ClipVGConfig = { ...fromShapes, ...rest, clip };
  try {
    validateClipVGConfig(config);
  } catch (error) {
    throw new Error(`${origin}: ${(error as Error).message}`);
  }
  const mlIn = shape(shapes, 'ml_visu_proj.weight', origin)[1];
  if (mlIn !== config.extractLayers.length * clip.visionWidth) {
    throw new Error(
      `${origin}: ml_visu_proj takes ${mlIn} features but ${config.extractLayers.length} layers × visual width ${clip.visionWidth} were configured`,
    );
  }
  return config;
}

function layersByDepth(visionLayers: number, origin: string): number[] {
  if (visionLayers === 12) return [...EXTRACT_LAYERS['ViT-B/16']];
  if (visionLayers === 24) return [...EXTRACT_LAYERS['ViT-L/14']];
  throw new Error(`${origin}: cannot tell the extract layers of a ${visionLayers}-layer CLIP; pass extractLayers`);
}

/**
 * Read an official CLIP-VG checkpoint (`{'model', 'optimizer', 'lr_scheduler', 'epoch', 'args', 'val_accu'}`)
 * or a plain state dict, from a file or an already decoded value.
 */
export function readOfficialCheckpoint(source: string | PyValue, overrides: ConfigOverrides = {}): OfficialCheckpoint {
  const origin = typeof source === 'string' ? source : 'checkpoint';
  let decoded: unknown = source;
  if (typeof source === 'string') {
    try {
      decoded = loadPth(source);
    } catch (error) {
      throw new Error(`${source}: cannot read the checkpoint: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const root = asRecord(decoded);
  if (!root) throw new Error(`${origin}: not a CLIP-VG checkpoint (expected a dict)`);
  const model = asRecord(root.model);
  let stateDict = model && !isTensor(root.model) ? model : root;
  if (Object.keys(stateDict).length > 0 && Object.keys(stateDict).every((k) => k.startsWith('module.'))) {
    stateDict = Object.fromEntries(Object.entries(stateDict).map(([k, v]) => [k.slice('module.'.length), v]));
  }
  const args = model ? argsOf(root) : undefined;
  const config = configFromStateDict(stateDict, args, overrides, origin);
  return {
    stateDict,
    config,
    meta: { epoch: numberOf(root.epoch), valAccu: numberOf(root.val_accu), args },
  };
}
