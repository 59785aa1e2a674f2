/**
 * ONNX building blocks shared by CLIP's towers and the fusion encoder: Linear, LayerNormalization, QuickGELU and
 * multi-head attention with PyTorch's packed `in_proj` weights. Shapes in comments; B and N are dynamic.
 */
import type { GraphBuilder } from '../onnx/graph-builder';
import { MS_DOMAIN } from '../onnx/onnx-proto';
import type { WeightReader } from './weights';

export interface Ctx {
  g: GraphBuilder;
  w: WeightReader;
  /** Unmasked attention as ONNX Runtime's `com.microsoft.MultiHeadAttention` (one kernel: heads, softmax, merge). */
  fusedAttention?: boolean;
  /** Residual add + LayerNorm as ONNX Runtime's `com.microsoft.SkipLayerNormalization` (one pass instead of two). */
  fusedNorm?: boolean;
  /** With `fusedAttention`: one GEMM per projection instead of a packed GEMM and a Split. */
  qkvApart?: boolean;
  /** Self-attention (unmasked or causal) as `com.microsoft.Attention`: the q/k/v projection inside the kernel. */
  packedAttention?: boolean;
  /** The last fusion layer's [REG] attention with the key and value projections folded into the query side. */
  foldRegAttention?: boolean;
}

/**
 * `x [..., in] · weight [in, out] + bias [out]` as one 2-D Gemm: ORT adds the bias inside the GEMM, where a
 * MatMul on 3-D input would be followed by a separate pass over the output to add it.
 */
export function affine({ g }: Ctx, x: string, weight: string, bias: string, inFeatures: number, outFeatures: number, activation?: 'Relu'): string {
  const flat = g.op('Reshape', [x, g.int64s([-1, inFeatures])]); // [B·N, in]
  const gemm = g.op('Gemm', [flat, weight, bias]); // [B·N, out]
  // Right after the Gemm (before the reshape), ORT fuses the activation into it (FusedGemm).
  const product = activation ? g.op(activation, [gemm]) : gemm;
  const shape = g.op('Concat', [g.op('Shape', [x], { start: 0, end: -1 }), g.int64s([outFeatures])], { axis: 0 });
  return g.op('Reshape', [product, shape]); // [..., out]
}

/** `x [..., in] · Wᵀ + b` (then `activation`) with PyTorch's `prefix.weight [out, in]` and `prefix.bias [out]`. */
export function linear(ctx: Ctx, x: string, prefix: string, activation?: 'Relu'): string {
  const [out, inFeatures] = ctx.w.shape(`${prefix}.weight`) as [number, number];
  return affine(ctx, x, ctx.w.matrixT(`${prefix}.weight`), ctx.w.raw(`${prefix}.bias`), inFeatures, out, activation);
}

/** LayerNorm over the last axis (opset 17 `LayerNormalization`), PyTorch's eps 1e-5. */
export function layerNorm({ g, w }: Ctx, x: string, prefix: string): string {
  return g.op('LayerNormalization', [x, w.raw(`${prefix}.weight`), w.raw(`${prefix}.bias`)], { axis: -1, epsilon: { float: 1e-5 } });
}

/** `sum = x + delta` and `LayerNorm(sum)` (both are needed: the sum is the residual stream). */
export function addAndNorm(ctx: Ctx, x: string, delta: string, prefix: string): { sum: string; normed: string } {
  const { g, w } = ctx;
  if (!ctx.fusedNorm) {
    const sum = g.op('Add', [x, delta]);
    return { sum, normed: layerNorm(ctx, sum, prefix) };
  }
  // Outputs: normed, mean, 1/std, input + skip (the sum); ORT writes the sum in the same pass.
  const [normed, , , sum] = g.opMulti(
    'SkipLayerNormalization',
    [delta, x, w.raw(`${prefix}.weight`), w.raw(`${prefix}.bias`)],
    { epsilon: { float: 1e-5 } },
    4,
    MS_DOMAIN,
  );
  return { sum: sum, normed: normed };
}

/** OpenAI's `x * sigmoid(1.702 x)`. */
export function quickGelu({ g }: Ctx, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.scalar(1.702)])])]);
}

export interface AttentionInputs {
  /** Input of the query projection [B, Nq, W]. */
  query: string;
  /** Input of the key projection [B, Nk, W]; the same name as `query` lets q and k share one MatMul. */
  key: string;
  /** Input of the value projection [B, Nk, W]; the same as `key` lets k and v share one MatMul. */
  value: string;
  /** Additive mask broadcast onto the scores [B, H, Nq, Nk] (0 = attend, -1e9 = ignore). */
  mask?: string;
  /**
   * The same mask in the terms of `MultiHeadAttention` (needed with `ctx.fusedAttention` when `mask` is given):
   * `causal` (each query sees itself and the keys before it) or `keyPadding` int32 [B, Nk] (1 = attend).
   */
  fusedMask?: { causal: true } | { keyPadding: string };
}

/**
 * `x [..., W]` through `count` consecutive parts of `nn.MultiheadAttention`'s packed `in_proj` (0 = q, 1 = k, 2 = v),
 * starting at part `first` → [..., count · W]. PyTorch scales the projected queries (bias included) before the
 * product, so the q rows carry 1/sqrt(head_dim).
 */
export function inProjection(ctx: Ctx, x: string, prefix: string, first: number, count: number, width: number, heads: number): string {
  const { w } = ctx;
  const rows = { from: first * width, count: count * width };
  const scaled = first === 0 ? { rows: width, factor: 1 / Math.sqrt(width / heads) } : undefined;
  const weight = w.matrixT(`${prefix}.in_proj_weight`, rows, scaled);
  return affine(ctx, x, weight, w.vector(`${prefix}.in_proj_bias`, rows, scaled), width, rows.count);
}

/**
 * `nn.MultiheadAttention` (`prefix.in_proj_weight [3W, W]`, `prefix.out_proj`), batch first. Projections
 * that read the same input are packed into one MatMul (the same columns, the same sums), queries only as
 * many rows as `query` has (the last fusion layer needs only [REG]).
 */
export function attention(ctx: Ctx, inputs: AttentionInputs, prefix: string, width: number, heads: number): string {
  const { g, w } = ctx;
  const headDim = width / heads;
  const self = inputs.query === inputs.key && inputs.key === inputs.value;
  const causal = inputs.fusedMask !== undefined && 'causal' in inputs.fusedMask;
  if (ctx.packedAttention && self && (!inputs.mask || causal)) {
    // The kernel projects q|k|v per head straight into its own layout: no Split, no transposes.
    const scaled = { rows: width, factor: 1 / Math.sqrt(headDim) };
    const weight = w.matrixT(`${prefix}.in_proj_weight`, undefined, scaled); // [W, 3W]
    const bias = w.vector(`${prefix}.in_proj_bias`, undefined, scaled);
    const context = g.msOp('Attention', [inputs.query, weight, bias], { num_heads: heads, scale: { float: 1 }, unidirectional: causal ? 1 : 0 }); // [B, N, W]
    return linear(ctx, context, `${prefix}.out_proj`);
  }
  const project = (x: string, parts: number[]): string[] => {
    if (ctx.fusedAttention && ctx.qkvApart && parts.length > 1) return parts.map((part) => project(x, [part])[0]);
    // Consecutive packed parts (q|k|v rows of in_proj) read from one input become one GEMM, then split.
    const projected = inProjection(ctx, x, prefix, parts[0], parts.length, width, heads);
    return parts.length === 1 ? [projected] : g.opMulti('Split', [projected], { axis: -1 }, parts.length);
  };
  let q: string;
  let k: string;
  let v: string;
  if (self) [q, k, v] = project(inputs.query, [0, 1, 2]) as [string, string, string];
  else if (inputs.query === inputs.key) {
    [q, k] = project(inputs.query, [0, 1]) as [string, string];
    [v] = project(inputs.value, [2]) as [string];
  } else if (inputs.key === inputs.value) {
    [q] = project(inputs.query, [0]) as [string];
    [k, v] = project(inputs.key, [1, 2]) as [string, string];
  } else {
    [q] = project(inputs.query, [0]) as [string];
    [k] = project(inputs.key, [1]) as [string];
    [v] = project(inputs.value, [2]) as [string];
  }
  if (ctx.fusedAttention && (!inputs.mask || inputs.fusedMask)) {
    // Inputs: query, key, value, bias, key_padding_mask; the scale is already in the query.
    const { fusedMask } = inputs;
    const keyPadding = fusedMask && 'keyPadding' in fusedMask ? ['', fusedMask.keyPadding] : [];
    const context = g.msOp('MultiHeadAttention', [q, k, v, ...keyPadding], {
      num_heads: heads,
      scale: { float: 1 },
      mask_filter_value: { float: -1e9 }, // as the additive masks
      unidirectional: fusedMask && 'causal' in fusedMask ? 1 : 0,
    }); // [B, Nq, W]
    return linear(ctx, context, `${prefix}.out_proj`);
  }
  const split = g.int64s([0, 0, heads, headDim]);
  const qh = g.op('Transpose', [g.op('Reshape', [q, split])], { perm: [0, 2, 1, 3] }); // [B, H, Nq, d], already scaled
  const kt = g.op('Transpose', [g.op('Reshape', [k, split])], { perm: [0, 2, 3, 1] }); // [B, H, d, Nk]
  const vh = g.op('Transpose', [g.op('Reshape', [v, split])], { perm: [0, 2, 1, 3] }); // [B, H, Nk, d]
  const scores = g.op('MatMul', [qh, kt]); // [B, H, Nq, Nk]
  const masked = inputs.mask ? g.op('Add', [scores, inputs.mask]) : scores;
  const context = g.op('MatMul', [g.op('Softmax', [masked], { axis: -1 }), vh]); // [B, H, Nq, d]
  const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.int64s([0, 0, width])]); // [B, Nq, W]
  return linear(ctx, merged, `${prefix}.out_proj`);
}
