/**
 * ONNX building blocks shared by CLIP's towers and the fusion encoder: Linear, LayerNormalization, QuickGELU and
 * multi-head attention with PyTorch's packed `in_proj` weights. Shapes in comments; B and N are dynamic.
 */
import type { GraphBuilder } from '../onnx/graph-builder';
import type { WeightReader } from './weights';

export interface Ctx {
  g: GraphBuilder;
  w: WeightReader;
}

/**
 * `x [..., in] · weight [in, out] + bias [out]` as one 2-D Gemm: ORT adds the bias inside the GEMM, where a
 * MatMul on 3-D input would be followed by a separate pass over the output to add it.
 */
export function affine({ g }: Ctx, x: string, weight: string, bias: string, inFeatures: number, outFeatures: number): string {
  const flat = g.op('Reshape', [x, g.int64s([-1, inFeatures])]); // [B·N, in]
  const product = g.op('Gemm', [flat, weight, bias]); // [B·N, out]
  const shape = g.op('Concat', [g.op('Shape', [x], { start: 0, end: -1 }), g.int64s([outFeatures])], { axis: 0 });
  return g.op('Reshape', [product, shape]); // [..., out]
}

/** `x [..., in] · Wᵀ + b` with PyTorch's `prefix.weight [out, in]` and `prefix.bias [out]`. */
export function linear(ctx: Ctx, x: string, prefix: string): string {
  const [out, inFeatures] = ctx.w.shape(`${prefix}.weight`) as [number, number];
  return affine(ctx, x, ctx.w.matrixT(`${prefix}.weight`), ctx.w.raw(`${prefix}.bias`), inFeatures, out);
}

/** LayerNorm over the last axis (opset 17 `LayerNormalization`), PyTorch's eps 1e-5. */
export function layerNorm({ g, w }: Ctx, x: string, prefix: string): string {
  return g.op('LayerNormalization', [x, w.raw(`${prefix}.weight`), w.raw(`${prefix}.bias`)], { axis: -1, epsilon: { float: 1e-5 } });
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
}

/**
 * `nn.MultiheadAttention` (`prefix.in_proj_weight [3W, W]`, `prefix.out_proj`), batch first. Projections
 * that read the same input are packed into one MatMul (the same columns, the same sums), queries only as
 * many rows as `query` has (the last fusion layer needs only [REG]).
 */
export function attention(ctx: Ctx, inputs: AttentionInputs, prefix: string, width: number, heads: number): string {
  const { g, w } = ctx;
  const headDim = width / heads;
  const project = (x: string, parts: number[]): string[] => {
    // Consecutive packed parts (q|k|v rows of in_proj) read from one input become one GEMM, then split.
    const from = parts[0]! * width;
    const count = parts.length * width;
    const weight = w.matrixT(`${prefix}.in_proj_weight`, { from, count });
    const projected = affine(ctx, x, weight, w.vector(`${prefix}.in_proj_bias`, { from, count }), width, count);
    return parts.length === 1 ? [projected] : g.opMulti('Split', [projected], { axis: -1 }, parts.length);
  };
  let q: string;
  let k: string;
  let v: string;
  if (inputs.query === inputs.key && inputs.key === inputs.value) [q, k, v] = project(inputs.query, [0, 1, 2]) as [string, string, string];
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
  const split = g.int64s([0, 0, heads, headDim]);
  // PyTorch scales the projected queries (bias included) before the product.
  const qh = g.op('Transpose', [g.op('Reshape', [g.op('Mul', [q, g.scalar(1 / Math.sqrt(headDim))]), split])], { perm: [0, 2, 1, 3] }); // [B, H, Nq, d]
  const kt = g.op('Transpose', [g.op('Reshape', [k, split])], { perm: [0, 2, 3, 1] }); // [B, H, d, Nk]
  const vh = g.op('Transpose', [g.op('Reshape', [v, split])], { perm: [0, 2, 1, 3] }); // [B, H, Nk, d]
  const scores = g.op('MatMul', [qh, kt]); // [B, H, Nq, Nk]
  const masked = inputs.mask ? g.op('Add', [scores, inputs.mask]) : scores;
  const context = g.op('MatMul', [g.op('Softmax', [masked], { axis: -1 }), vh]); // [B, H, Nq, d]
  const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.int64s([0, 0, width])]); // [B, Nq, W]
  return linear(ctx, merged, `${prefix}.out_proj`);
}
