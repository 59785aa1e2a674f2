/**
 * Reverse-mode differentiation of an ONNX graph while it is written. Every op below adds its forward node to the
 * `GraphBuilder` and remembers how to write its backward nodes; `gradients(loss, params)` then walks the ops in
 * reverse and writes the whole backward pass into the same graph. ONNX Runtime's inference build has no training
 * kernels, so this is how one `session.run` computes a training step's loss and gradients.
 *
 * Shapes are static (a training graph has a fixed batch), which keeps broadcasting's reductions explicit.
 * Values that no parameter flows into (`requiresGrad: false`: features, masks, targets) get no backward nodes.
 */
import type { GraphBuilder } from '../onnx/graph-builder';
import { DataType } from '../onnx/onnx-proto';

export interface Value {
  readonly name: string;
  readonly shape: readonly number[];
  readonly requiresGrad: boolean;
}

interface Step {
  output: Value;
  backward(grad: string): void;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`tape: shapes [${a}] and [${b}] do not broadcast`);
    return Math.max(da, db);
  });
}

export class Tape {
  private readonly steps: Step[] = [];
  private readonly pending = new Map<string, string[]>();

  constructor(readonly g: GraphBuilder) {}

  /** A float32 graph input; `requiresGrad` for parameters. */
  input(name: string, shape: number[], requiresGrad = false): Value {
    this.g.input(name, DataType.FLOAT, shape);
    return { name, shape, requiresGrad };
  }

  /** A float32 constant (no gradient). */
  scalar(value: number): Value {
    return { name: this.g.scalar(value), shape: [], requiresGrad: false };
  }

  output(value: Value, name: string): void {
    this.g.rename(value.name, name);
    this.g.output(name, DataType.FLOAT, [...value.shape]);
  }

  // ---- structure --------------------------------------------------------------------------------------------

  reshape(x: Value, shape: number[]): Value {
    if (size(shape) !== size(x.shape)) throw new Error(`tape: cannot reshape [${x.shape}] to [${shape}]`);
    const out = this.node('Reshape', [x.name, this.g.int64s(shape)], {}, shape, [x]);
    return this.record(out, (dy) => this.accumulate(x, this.g.op('Reshape', [dy, this.g.int64s([...x.shape])])));
  }

  transpose(x: Value, perm: number[]): Value {
    const out = this.node(
      'Transpose',
      [x.name],
      { perm },
      perm.map((p) => x.shape[p]),
      [x],
    );
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return this.record(out, (dy) => this.accumulate(x, this.g.op('Transpose', [dy], { perm: inverse })));
  }

  /** `x[..., start:end, ...]` along `axis`; the gradient pads with zeros. */
  slice(x: Value, axis: number, start: number, end: number): Value {
    const shape = [...x.shape];
    shape[axis] = end - start;
    const out = this.node('Slice', [x.name, this.g.int64s([start]), this.g.int64s([end]), this.g.int64s([axis])], {}, shape, [x]);
    return this.record(out, (dy) => {
      const pads = new Array<number>(2 * x.shape.length).fill(0);
      pads[axis] = start;
      pads[x.shape.length + axis] = x.shape[axis] - end;
      this.accumulate(x, this.g.op('Pad', [dy, this.g.int64s(pads)]));
    });
  }

  concat(parts: Value[], axis: number): Value {
    const shape = [...parts[0].shape];
    shape[axis] = parts.reduce((sum, p) => sum + p.shape[axis], 0);
    const out = this.node(
      'Concat',
      parts.map((p) => p.name),
      { axis },
      shape,
      parts,
    );
    return this.record(out, (dy) => {
      let offset = 0;
      for (const part of parts) {
        const end = offset + part.shape[axis];
        if (part.requiresGrad) this.accumulate(part, this.g.op('Slice', [dy, this.g.int64s([offset]), this.g.int64s([end]), this.g.int64s([axis])]));
        offset = end;
      }
    });
  }

  expand(x: Value, shape: number[]): Value {
    const out = this.node('Expand', [x.name, this.g.int64s(shape)], {}, broadcastShape(x.shape, shape), [x]);
    return this.record(out, (dy) => this.accumulate(x, this.unbroadcast(dy, out.shape, x.shape)));
  }

  // ---- arithmetic -------------------------------------------------------------------------------------------

  add(a: Value, b: Value): Value {
    const out = this.node('Add', [a.name, b.name], {}, broadcastShape(a.shape, b.shape), [a, b]);
    return this.record(out, (dy) => {
      if (a.requiresGrad) this.accumulate(a, this.unbroadcast(dy, out.shape, a.shape));
      if (b.requiresGrad) this.accumulate(b, this.unbroadcast(dy, out.shape, b.shape));
    });
  }

  sub(a: Value, b: Value): Value {
    const out = this.node('Sub', [a.name, b.name], {}, broadcastShape(a.shape, b.shape), [a, b]);
    return this.record(out, (dy) => {
      if (a.requiresGrad) this.accumulate(a, this.unbroadcast(dy, out.shape, a.shape));
      if (b.requiresGrad) this.accumulate(b, this.unbroadcast(this.g.op('Neg', [dy]), out.shape, b.shape));
    });
  }

  mul(a: Value, b: Value): Value {
    const out = this.node('Mul', [a.name, b.name], {}, broadcastShape(a.shape, b.shape), [a, b]);
    return this.record(out, (dy) => {
      if (a.requiresGrad) this.accumulate(a, this.unbroadcast(this.g.op('Mul', [dy, b.name]), out.shape, a.shape));
      if (b.requiresGrad) this.accumulate(b, this.unbroadcast(this.g.op('Mul', [dy, a.name]), out.shape, b.shape));
    });
  }

  div(a: Value, b: Value): Value {
    const out = this.node('Div', [a.name, b.name], {}, broadcastShape(a.shape, b.shape), [a, b]);
    return this.record(out, (dy) => {
      const dyOverB = this.g.op('Div', [dy, b.name]);
      if (a.requiresGrad) this.accumulate(a, this.unbroadcast(dyOverB, out.shape, a.shape));
      // d(a/b)/db = −(a/b)/b
      if (b.requiresGrad) this.accumulate(b, this.unbroadcast(this.g.op('Neg', [this.g.op('Mul', [dyOverB, out.name])]), out.shape, b.shape));
    });
  }

  /** `max(a, b)` element-wise; ties send the gradient to `a` (as TensorFlow.js). */
  maximum(a: Value, b: Value): Value {
    return this.select('Max', 'GreaterOrEqual', a, b);
  }

  /** `min(a, b)` element-wise; ties send the gradient to `a`. */
  minimum(a: Value, b: Value): Value {
    return this.select('Min', 'LessOrEqual', a, b);
  }

  private select(opType: 'Max' | 'Min', compare: string, a: Value, b: Value): Value {
    const out = this.node(opType, [a.name, b.name], {}, broadcastShape(a.shape, b.shape), [a, b]);
    return this.record(out, (dy) => {
      const picksA = this.g.op('Cast', [this.g.op(compare, [a.name, b.name])], { to: DataType.FLOAT });
      const toA = this.g.op('Mul', [dy, picksA]);
      if (a.requiresGrad) this.accumulate(a, this.unbroadcast(toA, out.shape, a.shape));
      if (b.requiresGrad) this.accumulate(b, this.unbroadcast(this.g.op('Sub', [dy, toA]), out.shape, b.shape));
    });
  }

  abs(x: Value): Value {
    const out = this.node('Abs', [x.name], {}, [...x.shape], [x]);
    return this.record(out, (dy) => this.accumulate(x, this.g.op('Mul', [dy, this.g.op('Sign', [x.name])])));
  }

  relu(x: Value): Value {
    const out = this.node('Relu', [x.name], {}, [...x.shape], [x]);
    // sign(relu(x)) is 1 where x > 0 and 0 elsewhere
    return this.record(out, (dy) => this.accumulate(x, this.g.op('Mul', [dy, this.g.op('Sign', [out.name])])));
  }

  sigmoid(x: Value): Value {
    const out = this.node('Sigmoid', [x.name], {}, [...x.shape], [x]);
    return this.record(out, (dy) => {
      const slope = this.g.op('Mul', [out.name, this.g.op('Sub', [this.g.scalar(1), out.name])]);
      this.accumulate(x, this.g.op('Mul', [dy, slope]));
    });
  }

  /** Sum of every element → scalar `[]`. */
  sum(x: Value): Value {
    const out = this.node('ReduceSum', [x.name], { keepdims: 0 }, [], [x]);
    return this.record(out, (dy) => this.accumulate(x, this.g.op('Expand', [dy, this.g.int64s([...x.shape])])));
  }

  // ---- layers -----------------------------------------------------------------------------------------------

  /** `x [N, in] · weightᵀ + bias` with PyTorch's `weight [out, in]`, one Gemm. */
  linear(x: Value, weight: Value, bias: Value): Value {
    const [n, inFeatures] = x.shape as [number, number];
    const [outFeatures, weightIn] = weight.shape as [number, number];
    if (x.shape.length !== 2 || weightIn !== inFeatures) throw new Error(`tape: linear of [${x.shape}] with weight [${weight.shape}]`);
    const out = this.node('Gemm', [x.name, weight.name, bias.name], { transB: 1 }, [n, outFeatures], [x, weight, bias]);
    return this.record(out, (dy) => {
      if (x.requiresGrad) this.accumulate(x, this.g.op('Gemm', [dy, weight.name])); // [N, in]
      if (weight.requiresGrad) this.accumulate(weight, this.g.op('Gemm', [dy, x.name], { transA: 1 })); // [out, in]
      if (bias.requiresGrad) this.accumulate(bias, this.g.op('ReduceSum', [dy, this.g.int64s([0])], { keepdims: 0 }));
    });
  }

  /** Batched `a [..., n, k] · b [..., k, m]` with equal batch dimensions. */
  matmul(a: Value, b: Value): Value {
    const rank = a.shape.length;
    const shape = [...a.shape.slice(0, -1), b.shape[rank - 1]];
    const out = this.node('MatMul', [a.name, b.name], {}, shape, [a, b]);
    const swapLast = Array.from({ length: rank }, (_, i) => (i < rank - 2 ? i : 2 * rank - 3 - i));
    return this.record(out, (dy) => {
      if (a.requiresGrad) this.accumulate(a, this.g.op('MatMul', [dy, this.g.op('Transpose', [b.name], { perm: swapLast })]));
      if (b.requiresGrad) this.accumulate(b, this.g.op('MatMul', [this.g.op('Transpose', [a.name], { perm: swapLast }), dy]));
    });
  }

  /** Softmax over the last axis: `dx = p ⊙ (dy − Σ dy ⊙ p)`. */
  softmax(x: Value): Value {
    const out = this.node('Softmax', [x.name], { axis: -1 }, [...x.shape], [x]);
    return this.record(out, (dy) => {
      const along = this.g.op('ReduceSum', [this.g.op('Mul', [dy, out.name]), this.g.int64s([-1])], { keepdims: 1 });
      this.accumulate(x, this.g.op('Mul', [out.name, this.g.op('Sub', [dy, along])]));
    });
  }

  /**
   * LayerNorm over the last axis (biased variance, eps inside the root, as PyTorch). Backward:
   * `dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) / σ` with `ĝ = dy ⊙ γ`.
   */
  layerNorm(x: Value, gamma: Value, beta: Value, eps = 1e-5): Value {
    const { g } = this;
    const centred = g.op('Sub', [x.name, g.op('ReduceMean', [x.name], { axes: [-1], keepdims: 1 })]);
    const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes: [-1], keepdims: 1 });
    const inverseStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.scalar(eps)])])]);
    const normalised = g.op('Mul', [centred, inverseStd]); // x̂
    const out = this.node('Add', [g.op('Mul', [normalised, gamma.name]), beta.name], {}, [...x.shape], [x, gamma, beta]);
    const rows = x.shape.slice(0, -1);
    return this.record(out, (dy) => {
      const flatRows = [size(rows), x.shape[x.shape.length - 1]];
      if (gamma.requiresGrad)
        this.accumulate(gamma, g.op('ReduceSum', [g.op('Reshape', [g.op('Mul', [dy, normalised]), g.int64s(flatRows)]), g.int64s([0])], { keepdims: 0 }));
      if (beta.requiresGrad) this.accumulate(beta, g.op('ReduceSum', [g.op('Reshape', [dy, g.int64s(flatRows)]), g.int64s([0])], { keepdims: 0 }));
      if (!x.requiresGrad) return;
      const scaled = g.op('Mul', [dy, gamma.name]); // ĝ
      const meanScaled = g.op('ReduceMean', [scaled], { axes: [-1], keepdims: 1 });
      const meanProjection = g.op('ReduceMean', [g.op('Mul', [scaled, normalised])], { axes: [-1], keepdims: 1 });
      const inner = g.op('Sub', [g.op('Sub', [scaled, meanScaled]), g.op('Mul', [normalised, meanProjection])]);
      this.accumulate(x, g.op('Mul', [inner, inverseStd]));
    });
  }

  // ---- backward ---------------------------------------------------------------------------------------------

  /** Write the backward pass of scalar `loss` and return the gradient of each of `wrt` (same shapes). */
  gradients(loss: Value, wrt: Value[]): string[] {
    if (loss.shape.length !== 0) throw new Error(`tape: the loss must be a scalar, got [${loss.shape}]`);
    this.pending.set(loss.name, [this.g.scalar(1)]);
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i];
      const grads = this.pending.get(step.output.name);
      if (!grads) continue;
      step.backward(this.total(grads));
    }
    return wrt.map((v) => {
      const grads = this.pending.get(v.name);
      if (!grads) throw new Error(`tape: ${v.name} does not reach the loss`);
      return this.total(grads);
    });
  }

  private total(grads: string[]): string {
    return grads.length === 1 ? grads[0] : this.g.op('Sum', grads);
  }

  private accumulate(v: Value, grad: string): void {
    if (!v.requiresGrad) return;
    const list = this.pending.get(v.name);
    if (list) list.push(grad);
    else this.pending.set(v.name, [grad]);
  }

  /** Sum `grad` (of shape `from`) down to `to` over the axes broadcasting stretched. */
  private unbroadcast(grad: string, from: readonly number[], to: readonly number[]): string {
    const offset = from.length - to.length;
    const axes = from.map((d, i) => (i < offset || (to[i - offset] === 1 && d !== 1) ? i : -1)).filter((i) => i >= 0);
    if (axes.length === 0) return grad;
    const reduced = this.g.op('ReduceSum', [grad, this.g.int64s(axes)], { keepdims: 1 });
    return this.g.op('Reshape', [reduced, this.g.int64s(to.length ? [...to] : [])]);
  }

  private node(opType: string, inputs: string[], attributes: Record<string, number | number[]>, shape: number[], from: Value[]): Value {
    return { name: this.g.op(opType, inputs, attributes), shape, requiresGrad: from.some((v) => v.requiresGrad) };
  }

  private record(out: Value, backward: (grad: string) => void): Value {
    if (out.requiresGrad) this.steps.push({ output: out, backward });
    return out;
  }
}
