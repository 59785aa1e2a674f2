/**
 * CLIP's two towers as ONNX: the ViT image tower with CLIP-VG's multi-level output, and the causal text tower
 * over only the tokens the batch uses (a causal block never looks right, so dropping trailing padding is exact).
 */
import type { ClipConfig } from '@clip-vg/clip-encoders';
import { addAndNorm, attention, layerNorm, linear, quickGelu, type Ctx } from './layers';

const CLIP = 'clip.';

/**
 * The residual stream between blocks as `x + delta` with the sum not yet taken, so the next block's LayerNorm can
 * take it in the same pass (`addAndNorm`). No `delta`: the stream is `x`.
 */
export interface Residual {
  x: string;
  delta?: string;
}

/** The stream's value and its LayerNorm. */
function normOf(ctx: Ctx, stream: Residual, prefix: string): { sum: string; normed: string } {
  return stream.delta ? addAndNorm(ctx, stream.x, stream.delta, prefix) : { sum: stream.x, normed: layerNorm(ctx, stream.x, prefix) };
}

/** The stream's value as one tensor. */
export function materialize(ctx: Ctx, stream: Residual): string {
  return stream.delta ? ctx.g.op('Add', [stream.x, stream.delta]) : stream.x;
}

/**
 * A pre-LN `ResidualAttentionBlock` up to the MLP's hidden activations: `input` = the block's input, `attended =
 * input + attn(ln_1(input))`, `hidden = gelu(c_fc(ln_2(attended)))` [B, N, 4W]; the block's output is
 * `attended + c_proj(hidden)`.
 */
export function blockParts(
  ctx: Ctx,
  stream: Residual,
  prefix: string,
  width: number,
  heads: number,
  mask?: string,
): { input: string; attended: string; hidden: string } {
  const { sum: input, normed } = normOf(ctx, stream, `${prefix}.ln_1`);
  // The only mask in CLIP is the text tower's causal one.
  const attnOut = attention(
    ctx,
    { query: normed, key: normed, value: normed, mask, fusedMask: mask ? { causal: true } : undefined },
    `${prefix}.attn`,
    width,
    heads,
  );
  const { sum: attended, normed: normed2 } = addAndNorm(ctx, input, attnOut, `${prefix}.ln_2`);
  const hidden = quickGelu(ctx, linear(ctx, normed2, `${prefix}.mlp.c_fc`)); // [B, N, 4W]
  return { input, attended, hidden };
}

/** Pre-LN `ResidualAttentionBlock`: `x += attn(ln_1(x)); x += mlp(ln_2(x))`; also returns the input's value. */
function residualBlock(ctx: Ctx, stream: Residual, prefix: string, width: number, heads: number, mask?: string): { input: string; output: Residual } {
  const { input, attended, hidden } = blockParts(ctx, stream, prefix, width, heads, mask);
  return { input, output: { x: attended, delta: linear(ctx, hidden, `${prefix}.mlp.c_proj`) } };
}

/** CLIP's patch embedding, class token, positional embedding and `ln_pre`: images NHWC → [B, 1 + P, Wv]. */
export function visualStem(ctx: Ctx, images: string, batchShape: string, config: ClipConfig): string {
  const { g, w } = ctx;
  const width = config.visionWidth;
  const patch = config.visionPatchSize;
  const nchw = g.op('Transpose', [images], { perm: [0, 3, 1, 2] }); // [B, 3, H, W]
  const grid = g.op('Conv', [nchw, w.raw(`${CLIP}visual.conv1.weight`)], { kernel_shape: [patch, patch], strides: [patch, patch] }); // [B, Wv, g, g]
  const patches = g.op('Transpose', [g.op('Reshape', [grid, g.int64s([0, width, -1])])], { perm: [0, 2, 1] }); // [B, P, Wv]
  const clsShape = g.op('Concat', [batchShape, g.int64s([1, width])], { axis: 0 });
  const cls = g.op('Expand', [w.raw(`${CLIP}visual.class_embedding`, [1, 1, width]), clsShape]); // [B, 1, Wv]
  const tokens = g.op('Add', [g.op('Concat', [cls, patches], { axis: 1 }), w.raw(`${CLIP}visual.positional_embedding`)]);
  return layerNorm(ctx, tokens, `${CLIP}visual.ln_pre`); // [B, 1+P, Wv]
}

/** The ViT's block `i` (for callers that stop or fold the last block themselves). */
export function visualBlock(ctx: Ctx, stream: Residual, i: number, config: ClipConfig): { input: string; output: Residual } {
  return residualBlock(ctx, stream, visualBlockPrefix(i), config.visionWidth, config.visionHeads);
}

export function visualBlockPrefix(i: number): string {
  return `${CLIP}visual.transformer.resblocks.${i}`;
}

/**
 * Images NHWC [B, H, W, 3] → the outputs of `layers` concatenated on the feature axis [B, 1 + P, |layers| · Wv].
 * CLIP's image tower has no mask: padding patches are computed like any other.
 */
export function visualMultiLevel(ctx: Ctx, images: string, batchShape: string, config: ClipConfig, layers: number[]): string {
  const last = Math.max(...layers);
  let stream: Residual = { x: visualStem(ctx, images, batchShape, config) }; // [B, 1+P, Wv]
  const outputs = new Map<number, string>(); // block i's output is block i + 1's input
  for (let i = 0; i <= last; i++) {
    const { input, output } = visualBlock(ctx, stream, i, config);
    outputs.set(i - 1, input);
    stream = output;
  }
  outputs.set(last, materialize(ctx, stream));
  return ctx.g.op(
    'Concat',
    layers.map((layer) => outputs.get(layer)!),
    { axis: 2 },
  );
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
  let stream: Residual = { x: g.op('Add', [tokens, positions]) };
  for (let i = 0; i < config.transformerLayers; i++) {
    stream = residualBlock(ctx, stream, `${CLIP}transformer.resblocks.${i}`, config.transformerWidth, config.transformerHeads, mask).output;
  }
  return g.op('MatMul', [normOf(ctx, stream, `${CLIP}ln_final`).normed, w.raw(`${CLIP}text_projection`)]); // [B, L, E]
}
