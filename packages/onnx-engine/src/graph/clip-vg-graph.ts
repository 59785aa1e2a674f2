/**
 * CLIP-VG as ONNX, built from the project's own weights, whole or by stage:
 * - `full`:   `images [U, H, W, 3]`, `ids [B, L]`, `image_index [B]` (row → image), `positions [B, S]`,
 *             `key_bias [B, S]` → `boxes [B, 4]`
 * - `visual`: `images` → `visual [B, 1 + P, layers · Wv]` (CLIP image features, cacheable per image)
 * - `text`:   `ids` → `text [B, L, E]` (frozen CLIP text features, cacheable per expression)
 * - `fusion`: `visual`, `text`, `positions`, `key_bias` → `boxes`
 * (`positions` and `key_bias`: the fusion positions each row keeps, from `graphInputs`.)
 */
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import type { WeightSource } from '@clip-vg/clip-encoders';
import { GraphBuilder } from '../onnx/graph-builder';
import { DataType } from '../onnx/onnx-proto';
import { visualMultiLevel, textTokens } from './clip-towers';
import { fusionAndBoxHead } from './fusion';
import { projectedVisualTokens } from './visual-tokens';
import type { Ctx } from './layers';
import { WeightReader } from './weights';

export const INPUT_IMAGES = 'images';
export const INPUT_IDS = 'ids';
export const INPUT_KEY_BIAS = 'key_bias';
export const INPUT_POSITIONS = 'positions';
export const INPUT_IMAGE_INDEX = 'image_index';
export const OUTPUT_BOXES = 'boxes';
export const VISUAL_FEATURES = 'visual';
export const TEXT_FEATURES = 'text';

export type GraphPart = 'full' | 'visual' | 'text' | 'fusion';

/** How the graph is written; every choice gives the same boxes (within float rounding). */
export interface GraphOptions {
  /** Names the weights in errors (a file, `state dict`). */
  origin?: string;
  /** The whole model (default) or one stage of it. */
  part?: GraphPart;
  /** Fold the last ViT block's MLP output projection into `ml_visu_proj` (`full` only; see `visual-tokens.ts`). Default true. */
  foldLastBlock?: boolean;
  /** CLIP's self-attention (the ViT's, the text tower's causal one) as ONNX Runtime's `com.microsoft.Attention`. Default true. */
  packedAttention?: boolean;
  /** The other attention (the fusion's masked one) as `com.microsoft.MultiHeadAttention`. Default true. */
  fusedAttention?: boolean;
  /** Residual add + LayerNorm as `com.microsoft.SkipLayerNormalization`. Default false: its CPU kernel was slower than Add + LayerNormalization. */
  fusedNorm?: boolean;
  /** With `fusedAttention`: separate q, k, v GEMMs instead of one and a Split (experiment). Default false. */
  qkvApart?: boolean;
  /** The last fusion layer's [REG]-only attention without key and value projections (see `fusion.ts`). Default true. */
  foldRegAttention?: boolean;
}

/**
 * Serialise CLIP-VG (or one stage of it) as ONNX. `weights` uses the official names
 * (`ClipVG.stateDict({ includeClip: true })`, or an official checkpoint's state dict); each weight the part uses
 * is copied once into the returned bytes.
 */
export function buildClipVGOnnx(weights: WeightSource, config: ClipVGConfig, options: GraphOptions = {}): Uint8Array {
  const {
    origin = 'state dict',
    part = 'full',
    foldLastBlock = true,
    packedAttention = true,
    fusedAttention = true,
    fusedNorm = false,
    qkvApart = false,
    foldRegAttention = true,
  } = options;
  const g = new GraphBuilder(`clip_vg_${part}`);
  const ctx: Ctx = { g, w: new WeightReader(weights, g, origin), packedAttention, fusedAttention, fusedNorm, qkvApart, foldRegAttention };
  const size = config.imsize;
  const tokens = (size / config.clip.visionPatchSize) ** 2 + 1;
  const visualWidth = config.extractLayers.length * config.clip.visionWidth;

  const visualOut = (): void => g.output(VISUAL_FEATURES, DataType.FLOAT, ['batch', tokens, visualWidth]);
  const textOut = (): void => g.output(TEXT_FEATURES, DataType.FLOAT, ['batch', 'text_length', config.clip.embedDim]);
  const images = (count = 'batch'): string => g.input(INPUT_IMAGES, DataType.FLOAT, [count, size, size, 3]);
  const ids = (): string => g.input(INPUT_IDS, DataType.INT64, ['batch', 'text_length']);
  const batchOf = (x: string): string => g.op('Shape', [x], { start: 0, end: 1 });
  const lengthOf = (x: string): string => g.op('Shape', [x], { start: 1, end: 2 });

  if (part === 'visual') {
    const x = images();
    g.rename(visualMultiLevel(ctx, x, batchOf(x), config.clip, config.extractLayers), VISUAL_FEATURES);
    visualOut();
    return g.encode();
  }
  if (part === 'text') {
    const x = ids();
    g.rename(textTokens(ctx, x, lengthOf(x), config.clip), TEXT_FEATURES);
    textOut();
    return g.encode();
  }
  let visual: string | { projected: string };
  let text: string;
  let shapeSource: string; // a [B, L, ...] tensor to read the batch and text length from
  if (part === 'fusion') {
    visual = g.input(VISUAL_FEATURES, DataType.FLOAT, ['batch', tokens, visualWidth]);
    text = g.input(TEXT_FEATURES, DataType.FLOAT, ['batch', 'text_length', config.clip.embedDim]);
    shapeSource = text;
  } else {
    // The image tower runs once per distinct image; `image_index` gives each row its image.
    const x = images('images');
    shapeSource = ids();
    const imageIndex = g.input(INPUT_IMAGE_INDEX, DataType.INT64, ['batch']);
    const perRow = (perImage: string): string => g.op('Gather', [perImage, imageIndex], { axis: 0 });
    // The whole model never needs the multi-level features themselves: the last block folds into their projection.
    visual = foldLastBlock
      ? { projected: perRow(projectedVisualTokens(ctx, x, batchOf(x), config.clip, config.extractLayers, 'ml_visu_proj')) }
      : perRow(visualMultiLevel(ctx, x, batchOf(x), config.clip, config.extractLayers));
    text = textTokens(ctx, shapeSource, lengthOf(shapeSource), config.clip);
  }
  const positions = g.input(INPUT_POSITIONS, DataType.INT64, ['batch', 'sequence']);
  const keyBias = g.input(INPUT_KEY_BIAS, DataType.FLOAT, ['batch', 'sequence']);
  const boxes = fusionAndBoxHead(ctx, { visual, text, lengthShape: lengthOf(shapeSource), batchShape: batchOf(shapeSource), positions, keyBias }, config);
  g.rename(boxes, OUTPUT_BOXES);
  g.output(OUTPUT_BOXES, DataType.FLOAT, ['batch', 4]);
  return g.encode();
}
