/**
 * Summaries of loaded files for people and JSON: every tensor by dotted path, and the rest as plain data.
 */
import { DTYPE_BYTES } from './dtype';
import { NumpyArray } from './numpy';
import { PyObject, isPyDict, type PyValue } from './py-value';
import { TorchTensor } from './tensor';

export interface CheckpointSummary {
  /** Dotted path (`model.clip.visual.proj`, `optimizer.state.0.exp_avg`) → shape and dtype, in file order. */
  tensors: Record<string, { shape: number[]; dtype: string }>;
  /** Everything that is not a tensor, as JSON-safe data (`epoch`, `val_accu`, `args`, optimizer settings, ...). */
  meta: Record<string, unknown>;
}

/**
 * Lists the tensors and the non-tensor entries of a loaded checkpoint. Top-level one-element tensors (such as
 * CLIP-VG's `val_accu`) are reported in `meta` as numbers; containers that hold only tensors are left out of it.
 */
export function inspectCheckpoint(obj: PyValue): CheckpointSummary {
  const tensors: CheckpointSummary['tensors'] = {};
  collectTensors(obj, '', tensors, new Set());
  const meta: Record<string, unknown> = {};
  if (isPyDict(obj)) {
    for (const [key, value] of Object.entries(obj)) {
      if (value instanceof TorchTensor && value.numel() === 1) {
        meta[key] = scalarOf(value);
        continue;
      }
      const pruned = withoutTensors(value, new Set());
      if (pruned !== ABSENT) meta[key] = pruned;
    }
  } else if (Array.isArray(obj)) {
    meta['type'] = 'list';
    meta['length'] = obj.length;
  } else if (!(obj instanceof TorchTensor)) {
    meta['value'] = toPlain(obj);
  }
  return { tensors, meta };
}

/** Total element count and bytes of the distinct storages behind a summary's source (for the CLI's footer). */
export function tensorBytes(obj: PyValue): { count: number; elements: number; storageBytes: number } {
  const found: Record<string, { shape: number[]; dtype: string }> = {};
  const storages = new Set<TorchTensor['storage']>();
  const tensors: TorchTensor[] = [];
  collectTensors(obj, '', found, new Set(), tensors);
  let elements = 0;
  for (const t of tensors) {
    elements += t.numel();
    storages.add(t.storage);
  }
  let storageBytes = 0;
  for (const s of storages) storageBytes += s.numel * DTYPE_BYTES[s.dtype];
  return { count: tensors.length, elements, storageBytes };
}

/** JSON-safe data: tensors and numpy arrays → `{shape, dtype}`, Maps → objects, bigints → strings. */
export function toPlain(value: PyValue, seen: Set<unknown> = new Set()): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof TorchTensor) return { shape: value.shape, dtype: value.dtype };
  if (value instanceof NumpyArray) return { shape: value.shape, dtype: value.dtype };
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => toPlain(v, seen));
    if (value instanceof Map) {
      const keys = [...value.keys()];
      if (keys.every((k) => typeof k === 'number' || typeof k === 'string' || typeof k === 'bigint' || typeof k === 'boolean')) {
        return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlain(v, seen)]));
      }
      return [...value].map(([k, v]) => [toPlain(k, seen), toPlain(v, seen)]);
    }
    if (value instanceof PyObject) {
      const plain: Record<string, unknown> = { __class__: value.__class__ };
      if (value.args.length) plain['args'] = toPlain(value.args, seen);
      if (value.state !== undefined) {
        const state = toPlain(value.state, seen);
        if (state !== null && typeof state === 'object' && !Array.isArray(state)) Object.assign(plain, state);
        else plain['state'] = state;
      }
      return plain;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v, seen)]));
  } finally {
    seen.delete(value);
  }
}

function collectTensors(value: PyValue, prefix: string, out: CheckpointSummary['tensors'], seen: Set<unknown>, list?: TorchTensor[]): void {
  if (value instanceof TorchTensor) {
    out[prefix || '(root)'] = { shape: value.shape, dtype: value.dtype };
    list?.push(value);
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof NumpyArray) return;
  if (seen.has(value)) return;
  seen.add(value);
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (Array.isArray(value)) value.forEach((v, i) => collectTensors(v, join(String(i)), out, seen, list));
  else if (value instanceof Map) for (const [k, v] of value) collectTensors(v, join(String(k)), out, seen, list);
  else if (value instanceof PyObject) {
    value.args.forEach((v, i) => collectTensors(v, join(`args.${i}`), out, seen, list));
    if (value.state !== undefined) collectTensors(value.state, prefix, out, seen, list);
  } else for (const [k, v] of Object.entries(value)) collectTensors(v, join(k), out, seen, list);
  seen.delete(value);
}

const ABSENT = Symbol('absent');

/** The value with tensors removed, and containers left empty by that removed too. */
function withoutTensors(value: PyValue, seen: Set<unknown>): unknown {
  if (value instanceof TorchTensor) return ABSENT;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof NumpyArray) return toPlain(value);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    const hadTensors = containsTensor(value);
    if (!hadTensors) return toPlain(value);
    if (Array.isArray(value)) {
      const kept = value.map((v) => withoutTensors(v, seen)).filter((v) => v !== ABSENT);
      return kept.length ? kept : ABSENT;
    }
    const entries: [string, PyValue][] =
      value instanceof Map
        ? [...value].map(([k, v]) => [String(k), v])
        : value instanceof PyObject
          ? Object.entries(isPyDict(value.state) ? value.state : {})
          : Object.entries(value);
    const kept = entries.map(([k, v]) => [k, withoutTensors(v, seen)] as const).filter(([, v]) => v !== ABSENT);
    return kept.length ? Object.fromEntries(kept) : ABSENT;
  } finally {
    seen.delete(value);
  }
}

function containsTensor(value: PyValue): boolean {
  const found: CheckpointSummary['tensors'] = {};
  collectTensors(value, 'x', found, new Set());
  return Object.keys(found).length > 0;
}

function scalarOf(t: TorchTensor): number | string | boolean {
  const v = t.toTypedArray()[0];
  if (t.dtype === 'bool') return v !== 0;
  return typeof v === 'bigint' ? (Math.abs(Number(v)) <= Number.MAX_SAFE_INTEGER ? Number(v) : v.toString()) : v;
}
