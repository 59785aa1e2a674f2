/** Helpers for this package's tests (not part of the public API). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isTensor, isPyTuple, NumpyArray, PyFloat, PyObject, type PyWritable } from './index';

export const reference = (name: string) => JSON.parse(readFileSync(path.join(__dirname, '..', 'test', 'reference', name), 'utf8'));

/** The same tagged JSON shape scripts/gen-reference.py writes from Python's torch.load. */
export function tagged(v: PyWritable): unknown {
  if (v instanceof PyFloat) return v.value;
  if (isTensor(v)) {
    const values = Array.from(v.toTypedArray() as ArrayLike<number | bigint>, Number);
    return { __tensor__: { shape: v.shape, dtype: v.dtype, stride: v.stride, offset: v.storageOffset, values } };
  }
  if (v instanceof NumpyArray) return { __ndarray__: { shape: v.shape, dtype: v.dtype, values: Array.from(v.data as ArrayLike<number | bigint>, Number) } };
  if (v instanceof PyObject) return { __object__: v.__class__, dict: tagged(v.state ?? {}) };
  if (Array.isArray(v)) return isPyTuple(v) ? { __tuple__: v.map(tagged) } : v.map(tagged);
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [tagged(k), tagged(x)]) };
  if (v instanceof Uint8Array) return Array.from(v);
  if (typeof v === 'bigint') return Math.abs(Number(v)) > 2 ** 53 ? { __bigint__: String(v) } : Number(v);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tagged(x)]));
  return v;
}

/** A Python with torch to check written files against the real `torch.load`, or undefined where there is none. */
export function pythonWithTorch(): string | undefined {
  for (const candidate of [process.env['CLIP_VG_PYTHON'], '/usr/bin/python3', 'python3']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** `{path: tagged value}` as Python's torch.load reads each file (scripts/torch-load-json.py). */
export function torchLoadTagged(python: string, files: string[]): Record<string, unknown> {
  const script = path.join(__dirname, '..', 'scripts', 'torch-load-json.py');
  const run = spawnSync(python, [script, ...files], { encoding: 'utf8', timeout: 120000 });
  if (run.status !== 0) throw new Error(`torch.load failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
