/**
 * CLIP's two towers as ONNX: the ViT image tower with CLIP-VG's multi-level output, and the causal text tower
 * over only the tokens the batch uses (a causal block never looks right, so dropping trailing padding is exact).
 */
import type { ClipConfig } from '@clip-vg/clip-encoders';
import { attention, layerNorm, linear, quickGelu, type Ctx } from './layers';

const CLIP = 'clip.';

/** Pre-LN `ResidualAttentionBlock`: `x += attn(ln_1(x)); x += mlp(ln_2(x))`. */
function residualBlock(ctx: Ctx, x: string, prefix: string, width: number, heads: number, mask?: string): string {
  const { g } = ctx;
  const normed = layerNorm(ctx, x, `${prefix}.ln_1`);
  const attended = g.op('Add', [x, attention(ctx, { query: normed, key: normed, value: normed, mask }, `${prefix}.attn`, width, heads)]);
  const hidden = quickGelu(ctx, linear(ctx, layerNorm(ctx, attended, `${prefix}.ln_2`), `${prefix}.mlp.c_fc`)); // [B, N, 4W]
  return g.op('Add', [attended, linear(ctx, hidden, `${prefix}.mlp.c_proj`)]);
}

/**
 * Images NHWC [B, H, W, 3] → the outputs of `layers` concatenated on the feature axis [B, 1 + P, |layers| · Wv].
 * CLIP's image tower has no mask: padding patches are computed like any other.
 */
export function visualMultiLevel(ctx: Ctx, images: string, batchShape: string, config: ClipConfig, layers: number[]): string {
  const { g, w } = ctx;
  const width = config.visionWidth;
  const patch = config.visionPatchSize;
  const nchw = g.op('Transpose', [images], { perm: [0, 3, 1, 2] }); // [B, 3, H, W]
  const grid = g.op('Conv', [nchw, w.raw(`${CLIP}visual.conv1.weight`)], { kernel_shape: [patch, patch], strides: [patch, patch] }); // [B, Wv, g, g]
  const patches = g.op('Transpose', [g.op('Reshape', [grid, g.int64s([0, width, -1])])], { perm: [0, 2, 1] }); // [B, P, Wv]
  const clsShape = g.op('Concat', [batchShape, g.int64s([1, width])], { axis: 0 });
  const cls = g.op('Expand', [w.raw(`${CLIP}visual.class_embedding`, [1, 1, width]), clsShape]); // [B, 1, Wv]
  const tokens = g.op('Add', [g.op('Concat', [cls, patches], { axis: 1 }), w.raw(`${CLIP}visual.positional_embedding`)]);
  let x = layerNorm(ctx, tokens, `${CLIP}visual.ln_pre`); // [B, 1+P, Wv]
  const outputs = new Map<number, string>();
  for (let i = 0; i <= Math.max(...layers); i++) {
    x = residualBlock(ctx, x, `${CLIP}visual.transformer.resblocks.${i}`, width, config.visionHeads);
    outputs.set(i, x);
  }
  return g.op('Concat', layers.map((layer) => outputs.get(layer)!), { axis: 2 });
}

/** Token ids int64 [B, L] (L ≤ context length) → every token after `ln_final` and `text_projection` [B, L, E]. */
export function textTokens(ctx: Ctx, ids: string, lengthShape: string, config: ClipConfig): string {
  const { g, w } = ctx;
  const context = config.contextLength;
  const tokens = g.op('Gather', [w.raw(`${CLIP}token_embedding.weight`), ids], { axis: 0 }); // [B, L, Wt]
  const positions = g.op('Slice', [w.raw(`${CLIP}positional_embedding`), g.int64s([0]), lengthShape, g.int64s([0])]); // [L, Wt]
  const causal = new Float32Array(context * context);
  for (let r = 0; r < context; r++) for (let c = r + 1; c < context; c++) causal[r * context + c] = -1e9;
  const fullMask = g.weight('causal_mask', causal, [context, context]);
  const mask = g.op('Slice', [fullMask, g.int64s([0, 0]), g.op('Concat', [lengthShape, lengthShape], { axis: 0 }), g.int64s([0, 1])]); // [L, L]
  let x = g.op('Add', [tokens, positions]);
  for (let i = 0; i < config.transformerLayers; i++) {
    x = residualBlock(ctx, x, `${CLIP}transformer.resblocks.${i}`, config.transformerWidth, config.transformerHeads, mask);
  }
  return g.op('MatMul', [layerNorm(ctx, x, `${CLIP}ln_final`), w.raw(`${CLIP}text_projection`)]); // [B, L, E]
}
