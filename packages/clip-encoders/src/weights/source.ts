/**
 * A weight source is any name → tensor-like map that can produce float32 data on demand: a `TorchTensor`
 * state dict from `loadPth`, a safetensors file, or a view made by the key mappings below. Data is produced
 * lazily so that renaming and splitting a 600 MB checkpoint copies each weight once, when it is loaded.
 */

export interface WeightTensor {
  shape: number[];
  toFloat32Array(): Float32Array;
}

export type WeightSource = Record<string, WeightTensor>;

export function weightTensor(shape: number[], compute: () => Float32Array): WeightTensor {
  return { shape, toFloat32Array: compute };
}

export function isWeightTensor(value: unknown): value is WeightTensor {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as WeightTensor).shape) && typeof (value as WeightTensor).toFloat32Array === 'function'
  );
}

/**
 * The entries whose names start with `prefix` (e.g. CLIP-VG's `clip.`), with the prefix removed. Non-tensor
 * values (a checkpoint's metadata) are skipped.
 */
export function stripPrefix(source: Record<string, unknown>, prefix: string): WeightSource {
  const out: WeightSource = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith(prefix) && isWeightTensor(value)) out[key.slice(prefix.length)] = value;
  }
  return out;
}

/** [R, C] → [C, R]. */
export function transpose2d(tensor: WeightTensor): WeightTensor {
  const [rows, cols] = tensor.shape;
  if (tensor.shape.length !== 2) throw new Error(`transpose2d: expected a matrix, got shape [${tensor.shape}]`);
  return weightTensor([cols, rows], () => {
    const data = tensor.toFloat32Array();
    const out = new Float32Array(data.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
    return out;
  });
}

/** Stack along the first axis (q, k, v → in_proj). */
export function concatRows(tensors: WeightTensor[]): WeightTensor {
  const rest = tensors[0].shape.slice(1);
  for (const t of tensors) {
    if (t.shape.slice(1).join() !== rest.join()) {
      throw new Error(`concatRows: shapes [${tensors.map((x) => `[${x.shape}]`).join(', ')}] differ beyond the first axis`);
    }
  }
  const rows = tensors.reduce((sum, t) => sum + t.shape[0], 0);
  return weightTensor([rows, ...rest], () => {
    const parts = tensors.map((t) => t.toFloat32Array());
    const out = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  });
}

/** Rows `[start, start + count)` of the first axis (in_proj → q, k, v). */
export function sliceRows(tensor: WeightTensor, start: number, count: number): WeightTensor {
  const rowSize = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  return weightTensor([count, ...tensor.shape.slice(1)], () => tensor.toFloat32Array().slice(start * rowSize, (start + count) * rowSize));
}
