/**
 * CLIP-VG's vision-language encoder and box head as ONNX. Only the [REG] row reaches the box head, so the
 * last layer computes that one query row (with the key and value projections folded into it: `regAttention`), and
 * the sequence holds only the positions that are keys: a masked position's row only ever feeds itself (see
 * `inputs.ts`).
 */
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import { DataType } from '../onnx/onnx-proto';
import { addAndNorm, attention, inProjection, linear, type Ctx } from './layers';

const LAYER = 'vl_transformer.encoder.layers';
const BOX_HEAD = 'bbox_embed.layers';

/** The [REG] row of a sequence: [B, S, D] → [B, 1, D]. */
function regRow(ctx: Ctx, x: string): string {
  const { g } = ctx;
  return g.op('Slice', [x, g.int64s([0]), g.int64s([1]), g.int64s([1])]);
}

/**
 * One DETR-style post-norm layer: `a = MHA(q = k = src + pos, v = src)`, `src = LN1(src + a)`,
 * `src = LN2(src + Linear2(ReLU(Linear1(src))))`. With `regOnly` the queries (and the output) are the [REG] row.
 */
function fusionLayer(ctx: Ctx, src: string, pos: string, mask: FusionMask, prefix: string, config: ClipVGConfig, regOnly: boolean): string {
  const { g } = ctx;
  const queryKey = g.op('Add', [src, pos]); // [B, S, D]
  const residual = regOnly ? regRow(ctx, src) : src;
  const attended =
    regOnly && ctx.foldRegAttention
      ? regAttention(ctx, queryKey, src, mask.additive, `${prefix}.self_attn`, config.hiddenDim, config.vlHeads)
      : attention(
          ctx,
          { query: regOnly ? regRow(ctx, queryKey) : queryKey, key: queryKey, value: src, mask: mask.additive, fusedMask: { keyPadding: mask.keyPadding } },
          `${prefix}.self_attn`,
          config.hiddenDim,
          config.vlHeads,
        );
  const x = addAndNorm(ctx, residual, attended, `${prefix}.norm1`).normed;
  const fed = linear(ctx, linear(ctx, x, `${prefix}.linear1`, 'Relu'), `${prefix}.linear2`);
  return addAndNorm(ctx, x, fed, `${prefix}.norm2`).normed;
}

/**
 * Attention of the [REG] query alone without projecting any key or value. Per head h, with W_k,h the head's rows:
 * `q_h · (W_k,h x_j + b_k,h) = (W_k,hᵀ q_h) · x_j + q_h · b_k,h`, and the last term is the same for every key j, so
 * the softmax drops it; `Σ_j a_hj (W_v,h x_j + b_v,h) = W_v,h (Σ_j a_hj x_j) + b_v,h` because the weights sum to 1.
 * Two [S, D]·[D, D] projections per row become a few D-long products per head (exact up to summation order).
 * `queryKey` = src + pos [B, S, D] (queries and keys), `src` [B, S, D] (values) → [B, 1, D] after `out_proj`.
 */
function regAttention(ctx: Ctx, queryKey: string, src: string, additiveMask: string, prefix: string, width: number, heads: number): string {
  const { g, w } = ctx;
  const headDim = width / heads;
  const inProj = `${prefix}.in_proj_weight`;
  const query = inProjection(ctx, regRow(ctx, queryKey), prefix, 0, 1, width, heads); // [B, 1, D], scaled
  const perHead = g.op('Reshape', [query, g.int64s([0, heads, 1, headDim])]); // [B, H, 1, d]
  const keyWeights = w.headBlocks(inProj, { from: width, count: width }, heads); // [H, d, D]
  const queryInInput = g.op('Reshape', [g.op('MatMul', [perHead, keyWeights]), g.int64s([0, heads, width, 1])]); // [B, H, D, 1]
  const scores = g.op('MatMul', [g.op('Unsqueeze', [queryKey, g.int64s([1])]), queryInInput]); // [B, H, S, 1]
  const masked = g.op('Add', [g.op('Reshape', [scores, g.int64s([0, heads, 1, -1])]), additiveMask]); // [B, H, 1, S]
  const mixed = g.op('MatMul', [g.op('Softmax', [masked], { axis: -1 }), g.op('Unsqueeze', [src, g.int64s([1])])]); // [B, H, 1, D]
  const valueWeights = w.headBlocks(inProj, { from: 2 * width, count: width }, heads, true); // [H, D, d]
  const context = g.op('Reshape', [g.op('MatMul', [mixed, valueWeights]), g.int64s([0, 1, width])]); // [B, 1, D]
  const withBias = g.op('Add', [context, w.vector(`${prefix}.in_proj_bias`, { from: 2 * width, count: width })]);
  return linear(ctx, withBias, `${prefix}.out_proj`);
}

/** The key mask both ways: additive [B, 1, 1, S] (0 / -1e9) and int32 [B, S] (1 = attend). */
interface FusionMask {
  additive: string;
  keyPadding: string;
}

export interface FusionInputs {
  /** Multi-level visual features [B, 1 + P, layers · Wv], or `{ projected }`: already through `ml_visu_proj` [B, 1 + P, D]. */
  visual: string | { projected: string };
  /** CLIP text tokens [B, L, E] for the L ≤ 77 ids given. */
  text: string;
  /** [L] as int64 [1]. */
  lengthShape: string;
  /** [B] as int64 [1]. */
  batchShape: string;
  /** int64 [B, S]: the positions of [REG] | L text | CLS | P patches each row keeps, [REG] (0) first. */
  positions: string;
  /** Additive key mask [B, S]: 0, or -1e9 on filler slots (rows that keep fewer than S positions). */
  keyBias: string;
}

/** CLIP features → boxes [B, 4] (sigmoid, normalised cxcywh). */
export function fusionAndBoxHead(ctx: Ctx, inputs: FusionInputs, config: ClipVGConfig): string {
  const { g, w } = ctx;
  const d = config.hiddenDim;
  const visualTokens = typeof inputs.visual === 'string' ? linear(ctx, inputs.visual, 'ml_visu_proj') : inputs.visual.projected; // [B, 1+P, D]
  const textTokens = linear(ctx, inputs.text, 'text_proj'); // [B, L, D]
  const regShape = g.op('Concat', [inputs.batchShape, g.int64s([1, d])], { axis: 0 });
  const reg = g.op('Expand', [w.raw('reg_token.weight', [1, 1, d]), regShape]); // [B, 1, D]
  const sequence = g.op('Concat', [reg, textTokens, visualTokens], { axis: 1 }); // [B, 1 + L + 1 + P, D]
  const src = g.op('GatherND', [sequence, g.op('Unsqueeze', [inputs.positions, g.int64s([2])])], { batch_dims: 1 }); // [B, S, D]

  // The position table's rows for [REG] and the L text tokens used, then the visual rows after all 77 text rows.
  const table = w.raw('vl_pos_embed.weight');
  const textEnd = g.op('Add', [inputs.lengthShape, g.int64s([1])]);
  const head = g.op('Slice', [table, g.int64s([0]), textEnd, g.int64s([0])]);
  const tail = g.op('Slice', [table, g.int64s([1 + config.maxQueryLen]), g.int64s([2 ** 31 - 1]), g.int64s([0])]);
  const pos = g.op('Gather', [g.op('Concat', [head, tail], { axis: 0 }), inputs.positions], { axis: 0 }); // [B, S, D]
  const mask: FusionMask = {
    additive: g.op('Unsqueeze', [inputs.keyBias, g.int64s([1, 2])]), // [B, 1, 1, S]
    keyPadding: g.op('Cast', [g.op('Equal', [inputs.keyBias, g.scalar(0)])], { to: DataType.INT32 }), // [B, S]
  };

  let x = src;
  for (let layer = 0; layer < config.vlLayers; layer++) {
    x = fusionLayer(ctx, x, pos, mask, `${LAYER}.${layer}`, config, layer === config.vlLayers - 1);
  }
  let box = g.op('Reshape', [x, g.int64s([-1, d])]); // [B, D]
  for (let layer = 0; layer < 3; layer++) box = linear(ctx, box, `${BOX_HEAD}.${layer}`, layer < 2 ? 'Relu' : undefined);
  return g.op('Sigmoid', [box]); // [B, 4]
}
