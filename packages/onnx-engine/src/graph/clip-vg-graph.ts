/**
 * The whole CLIP-VG forward pass as one ONNX model, built from the project's own weights:
 * `images [B, H, W, 3]`, `ids [B, L]`, `key_bias [B, 1 + L + 1 + P]` → `boxes [B, 4]`.
 */
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import { GraphBuilder } from '../onnx/graph-builder';
import { DataType } from '../onnx/onnx-proto';
import { visualMultiLevel, textTokens } from './clip-towers';
import { fusionAndBoxHead } from './fusion';
import type { Ctx } from './layers';
import { WeightReader, type WeightSource } from './weights';

export const INPUT_IMAGES = 'images';
export const INPUT_IDS = 'ids';
export const INPUT_KEY_BIAS = 'key_bias';
export const OUTPUT_BOXES = 'boxes';

/**
 * Serialise CLIP-VG as ONNX. `weights` uses the official names (`ClipVG.stateDict({ includeClip: true })`,
 * or an official checkpoint's state dict); every weight is copied once into the returned bytes.
 */
export function buildClipVGOnnx(weights: WeightSource, config: ClipVGConfig, origin = 'state dict'): Uint8Array {
  const g = new GraphBuilder('clip_vg');
  const ctx: Ctx = { g, w: new WeightReader(weights, g, origin) };
  const size = config.imsize;
  const images = g.input(INPUT_IMAGES, DataType.FLOAT, ['batch', size, size, 3]);
  const ids = g.input(INPUT_IDS, DataType.INT64, ['batch', 'text_length']);
  const keyBias = g.input(INPUT_KEY_BIAS, DataType.FLOAT, ['batch', 'sequence']);
  const batchShape = g.op('Shape', [ids], { start: 0, end: 1 });
  const lengthShape = g.op('Shape', [ids], { start: 1, end: 2 });

  const visual = visualMultiLevel(ctx, images, batchShape, config.clip, config.extractLayers);
  const text = textTokens(ctx, ids, lengthShape, config.clip);
  const boxes = fusionAndBoxHead(ctx, { visual, text, lengthShape, batchShape, keyBias }, config);
  g.rename(boxes, OUTPUT_BOXES);
  g.output(OUTPUT_BOXES, DataType.FLOAT, ['batch', 4]);
  return g.encode();
}
