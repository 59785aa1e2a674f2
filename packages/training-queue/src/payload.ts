/**
 * The one job a worker runs, `train-fusion`: what its payload holds, how the coordinator encodes it, and the
 * schema a worker checks before touching anything. A payload holds references (the setup artifact's name and
 * hash) and small data (rows as base64 typed arrays, the recipe, the seed); never code, never a path of its own
 * choosing outside the worker's declared roots.
 */
import * as path from 'node:path';
import type { FeatureRows, FusionRecipe, TrainingJob } from '@clip-vg/onnx-engine';
import { sha256, type ArtifactRef } from './artifacts';

export const TRAIN_JOB = 'train-fusion';
export const DEFAULT_QUEUE = 'clip-vg-trainings';

export interface EncodedRows {
  n: number;
  /** Little-endian Int32 / Int32 / Float32 arrays, base64. */
  image: string;
  text: string;
  boxes: string;
}

export interface TrainPayload {
  v: 1;
  setup: ArtifactRef;
  rows: EncodedRows;
  val?: EncodedRows;
  recipe: FusionRecipe;
  seed: number;
}

/** Raised for a payload that must never run (the worker logs it and fails the job without retrying). */
export class PayloadError extends Error {
  override name = 'PayloadError';
}

const b64 = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

export function encodeRows(rows: FeatureRows): EncodedRows {
  return { n: rows.image.length, image: b64(rows.image), text: b64(rows.text), boxes: b64(rows.boxes) };
}

export function decodeRows(rows: EncodedRows): FeatureRows {
  const bytes = (s: string) => {
    const b = Buffer.from(s, 'base64');
    // copied onto a fresh, aligned buffer: Buffer.from may hand out a slice of a shared pool
    return new Uint8Array(b).buffer;
  };
  return { image: new Int32Array(bytes(rows.image)), text: new Int32Array(bytes(rows.text)), boxes: new Float32Array(bytes(rows.boxes)) };
}

export function encodeJob(setup: ArtifactRef, job: TrainingJob): TrainPayload {
  const payload: TrainPayload = { v: 1, setup, rows: encodeRows(job.rows), recipe: pickRecipe(job.recipe), seed: job.seed };
  if (job.val) payload.val = encodeRows(job.val);
  return payload;
}

/**
 * The job's id is its content: the same training of the same experiment (same setup hash) gets the same id, so
 * a rerun finds it finished; another experiment, or another recipe, seed or label set, gets another id.
 */
export function jobIdOf(payload: TrainPayload): string {
  const { setup, rows, val, recipe, seed } = payload;
  return `fusion-${sha256(JSON.stringify([setup.hash, rows, val ?? null, RECIPE_KEYS.map((k) => recipe[k]), seed]))}`;
}

const RECIPE_KEYS = ['steps', 'batchSize', 'lr', 'weightDecay', 'warmupSteps', 'evalEvery'] as const;

function pickRecipe(recipe: FusionRecipe): FusionRecipe {
  return Object.fromEntries(RECIPE_KEYS.map((k) => [k, recipe[k]])) as unknown as FusionRecipe;
}

/** Check a job as a worker receives it; returns the payload and the setup file's absolute path. */
export function validateJob(name: string, data: unknown, roots: string[]): { payload: TrainPayload; setupPath: string } {
  if (name !== TRAIN_JOB) throw new PayloadError(`unknown job name ${JSON.stringify(String(name).slice(0, 60))} (workers run only ${TRAIN_JOB})`);
  const p = object(data, 'payload', ['v', 'setup', 'rows', 'val', 'recipe', 'seed'], ['v', 'setup', 'rows', 'recipe', 'seed']);
  if (p.v !== 1) throw new PayloadError(`payload: unsupported version ${JSON.stringify(p.v)}`);
  const setup = object(p.setup, 'setup', ['file', 'hash'], ['file', 'hash']);
  if (typeof setup.hash !== 'string' || !/^[0-9a-f]{64}$/.test(setup.hash)) throw new PayloadError('setup.hash: expected 64 hex digits');
  const setupPath = insideRoots(setup.file, roots);
  rows(p.rows, 'rows', 1);
  if (p.val !== undefined) rows(p.val, 'val', 0);
  const recipe = object(p.recipe, 'recipe', RECIPE_KEYS, RECIPE_KEYS);
  integer(recipe.steps, 'recipe.steps', 1, 1e7);
  integer(recipe.batchSize, 'recipe.batchSize', 1, 65536);
  integer(recipe.warmupSteps, 'recipe.warmupSteps', 0, 1e7);
  integer(recipe.evalEvery, 'recipe.evalEvery', 0, 1e7);
  for (const key of ['lr', 'weightDecay'] as const) {
    if (typeof recipe[key] !== 'number' || !Number.isFinite(recipe[key]) || (recipe[key] as number) < 0)
      throw new PayloadError(`recipe.${key}: expected a non-negative number`);
  }
  integer(p.seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
  return { payload: p as unknown as TrainPayload, setupPath };
}

/**
 * A file name, relative to the first root (the artifact folder) or absolute, that must resolve inside a root;
 * `what` names the payload field in errors.
 */
export function insideRoots(file: unknown, roots: string[], what = 'setup.file'): string {
  if (typeof file !== 'string' || file.length === 0 || file.length > 4096 || file.includes('\0')) throw new PayloadError(`${what}: expected a file name`);
  const resolved = path.resolve(roots[0], file);
  const inside = roots.some((root) => {
    const rel = path.relative(path.resolve(root), resolved);
    return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  });
  if (!inside) throw new PayloadError(`${what}: ${JSON.stringify(file.slice(0, 200))} is outside the worker's data roots`);
  return resolved;
}

function rows(value: unknown, what: string, min: number): void {
  const r = object(value, what, ['n', 'image', 'text', 'boxes'], ['n', 'image', 'text', 'boxes']);
  integer(r.n, `${what}.n`, min, 1e8);
  const n = r.n as number;
  for (const [key, bytes] of [
    ['image', 4 * n],
    ['text', 4 * n],
    ['boxes', 16 * n],
  ] as const) {
    const s = r[key];
    if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || Buffer.byteLength(s, 'base64') !== bytes) {
      throw new PayloadError(`${what}.${key}: expected ${bytes} bytes of base64`);
    }
  }
}

/** An object with only `allowed` keys (any keys when null) and every `required` one; else a `PayloadError`. */
export function object(value: unknown, what: string, allowed: readonly string[] | null, required: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PayloadError(`${what}: expected an object`);
  const o = value as Record<string, unknown>;
  const extra = allowed ? Object.keys(o).filter((k) => !allowed.includes(k)) : [];
  if (extra.length) throw new PayloadError(`${what}: unexpected field ${JSON.stringify(extra[0].slice(0, 60))}`);
  const absent = required.filter((k) => o[k] === undefined);
  if (absent.length) throw new PayloadError(`${what}: missing ${absent[0]}`);
  return o;
}

export function integer(value: unknown, what: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new PayloadError(`${what}: expected an integer from ${min} to ${max}`);
}
