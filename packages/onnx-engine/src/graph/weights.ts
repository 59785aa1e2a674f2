/**
 * Turns the project's state dict (official names, PyTorch layouts) into ONNX initialisers. Linear weights
 * are stored transposed (`[in, out]`) so every projection is a plain MatMul that ORT can pre-pack.
 */
import type { WeightSource, WeightTensor } from '@clip-vg/clip-encoders';
import type { GraphBuilder } from '../onnx/graph-builder';

/** `[rows, cols]` → `[cols, rows]`, blocked so both sides stay in cache. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  const block = 64;
  for (let r0 = 0; r0 < rows; r0 += block) {
    for (let c0 = 0; c0 < cols; c0 += block) {
      const rEnd = Math.min(r0 + block, rows);
      const cEnd = Math.min(c0 + block, cols);
      for (let r = r0; r < rEnd; r++) for (let c = c0; c < cEnd; c++) out[c * rows + r] = data[r * cols + c]!;
    }
  }
  return out;
}

export class WeightReader {
  constructor(
    private readonly source: WeightSource,
    private readonly g: GraphBuilder,
    private readonly origin: string,
  ) {}

  private entry(name: string): WeightTensor {
    const entry = this.source[name];
    if (!entry || typeof entry.toFloat32Array !== 'function') throw new Error(`${this.origin}: missing weight ${name}`);
    return entry;
  }

  shape(name: string): number[] {
    return [...this.entry(name).shape];
  }

  /** The weight as it is stored, optionally under new dims (same element count). */
  raw(name: string, dims?: number[]): string {
    if (this.g.has(name)) return name;
    const entry = this.entry(name);
    return this.g.weight(name, entry.toFloat32Array(), dims ?? [...entry.shape]);
  }

  /**
   * A PyTorch `[out, in]` matrix as `[in, out]`, optionally only rows `[from, from + count)` of the original, with
   * the first `scaled.rows` of those rows multiplied by `scaled.factor` (a scale folded into the weight).
   */
  matrixT(name: string, rows?: { from: number; count: number }, scaled?: RowScale): string {
    const range = rows ? `[${rows.from}:${rows.from + rows.count}]` : '';
    const key = `${name}${range}ᵀ${scaled ? `·${scaled.factor}@${scaled.rows}` : ''}`;
    if (this.g.has(key)) return key;
    const entry = this.entry(name);
    const [out, inFeatures] = entry.shape as [number, number];
    const { from, count } = rows ?? { from: 0, count: out };
    let data = entry.toFloat32Array().subarray(from * inFeatures, (from + count) * inFeatures);
    if (scaled) data = scaleHead(data, scaled.rows * inFeatures, scaled.factor);
    return this.g.weight(key, transpose2d(data, count, inFeatures), [inFeatures, count]);
  }

  /** Elements `[from, from + count)` of a vector (a slice of a packed bias), the first `scaled.rows` scaled. */
  vector(name: string, range?: { from: number; count: number }, scaled?: RowScale): string {
    if (!range && !scaled) return this.raw(name);
    const entry = this.entry(name);
    const { from, count } = range ?? { from: 0, count: entry.shape[0] };
    const key = `${name}[${from}:${from + count}]${scaled ? `·${scaled.factor}@${scaled.rows}` : ''}`;
    if (this.g.has(key)) return key;
    let data: Float32Array = entry.toFloat32Array().slice(from, from + count);
    if (scaled) data = scaleHead(data, scaled.rows, scaled.factor);
    return this.g.weight(key, data, [count]);
  }

  /**
   * Rows `[from, from + count)` of a PyTorch `[out, in]` matrix split into `heads` blocks of rows: `[heads, count /
   * heads, in]` as stored, or with `transposed` each block as `[in, count / heads]` (`[heads, in, count / heads]`).
   */
  headBlocks(name: string, rows: { from: number; count: number }, heads: number, transposed = false): string {
    const key = `${name}[${rows.from}:${rows.from + rows.count}]/${heads}${transposed ? 'ᵀ' : ''}`;
    if (this.g.has(key)) return key;
    const entry = this.entry(name);
    const inFeatures = entry.shape[1];
    const headRows = rows.count / heads;
    const data = entry.toFloat32Array().subarray(rows.from * inFeatures, (rows.from + rows.count) * inFeatures);
    if (!transposed) return this.g.weight(key, Float32Array.from(data), [heads, headRows, inFeatures]);
    const out = new Float32Array(data.length);
    const block = headRows * inFeatures;
    for (let h = 0; h < heads; h++) out.set(transpose2d(data.subarray(h * block, (h + 1) * block), headRows, inFeatures), h * block);
    return this.g.weight(key, out, [heads, inFeatures, headRows]);
  }

  /** Float32 data of a weight (for weights folded together at build time). */
  data(name: string): Float32Array {
    return this.entry(name).toFloat32Array();
  }
}

/** Multiply a leading block of rows by a constant (e.g. attention's 1/sqrt(head_dim) on the query rows). */
export interface RowScale {
  rows: number;
  factor: number;
}

/** A copy of `data` with its first `count` values multiplied by `factor`, each product rounded once. */
function scaleHead(data: Float32Array, count: number, factor: number): Float32Array {
  const out = Float32Array.from(data);
  for (let i = 0; i < count; i++) out[i] = data[i] * factor;
  return out;
}
