/**
 * Artifact files on the shared volume: the setup a coordinator writes once (fusion config, feature table,
 * initial weights) and the trained weights a worker writes per job. One format for both: a magic line, a JSON
 * header naming typed arrays, then their bytes (8-byte aligned). Files are named by content, written to a
 * temporary name and renamed, so a reader never sees half a file and two writers of the same content agree.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import { sharedFloat32, type FeatureTable, type FusionTrainResult, type FusionWeights } from '@clip-vg/onnx-engine';

const MAGIC = Buffer.from('CLIPVG-ARTIFACT-1\n');

type Typed = Float32Array | Int32Array | Uint8Array;
const DTYPES = { f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
type DType = keyof typeof DTYPES;

interface Header {
  meta: unknown;
  arrays: { name: string; dtype: DType; length: number; offset: number }[];
}

/** What every worker needs besides a job's rows: written once per experiment. */
export interface TrainingSetup {
  config: ClipVGConfig;
  table: FeatureTable;
  init: FusionWeights;
  batchSize: number;
}

/** A file under an artifact folder and the sha256 of its bytes. */
export interface ArtifactRef {
  file: string;
  hash: string;
}

export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function dtypeOf(a: Typed): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

/** JSON cannot hold NaN (a model without validation rows has val accuracy NaN): non-finite numbers become tagged objects. */
function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, x) => (typeof x === 'number' && !Number.isFinite(x) ? { $number: String(x) } : x));
}

function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, x) => (x && typeof x === 'object' && typeof x.$number === 'string' && Object.keys(x).length === 1 ? Number(x.$number) : x));
}

export function encodeArtifact(meta: unknown, arrays: Record<string, Typed>): Buffer {
  const entries: Header['arrays'] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = Buffer.from(encodeJson({ meta, arrays: entries } satisfies Header));
  const start = Math.ceil((MAGIC.length + 4 + header.length) / 8) * 8;
  const out = Buffer.alloc(start + offset);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  for (const e of entries) {
    const a = arrays[e.name];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, start + e.offset);
  }
  return out;
}

/** Arrays are copied out of the file bytes (onto shared memory when `shared`, for worker threads). */
export function decodeArtifact(bytes: Buffer, what: string, shared = false): { meta: unknown; arrays: Record<string, Typed> } {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`${what}: not a clip-vg artifact file`);
  const length = bytes.readUInt32LE(MAGIC.length);
  const header = decodeJson(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + length).toString('utf8')) as Header;
  const start = Math.ceil((MAGIC.length + 4 + length) / 8) * 8;
  const arrays: Record<string, Typed> = {};
  for (const e of header.arrays) {
    const Ctor = DTYPES[e.dtype];
    if (!Ctor) throw new Error(`${what}: unknown array type ${e.dtype}`);
    const byteLength = e.length * Ctor.BYTES_PER_ELEMENT;
    if (start + e.offset + byteLength > bytes.length) throw new Error(`${what}: truncated artifact file`);
    const out = e.dtype === 'f32' && shared ? sharedFloat32(e.length) : new Ctor(e.length);
    new Uint8Array(out.buffer, out.byteOffset, byteLength).set(bytes.subarray(start + e.offset, start + e.offset + byteLength));
    arrays[e.name] = out;
  }
  return { meta: header.meta, arrays };
}

/** Write `bytes` as `dir/<prefix><sha256>.bin` unless that file is already there. */
export function writeArtifact(dir: string, prefix: string, bytes: Buffer): ArtifactRef {
  const hash = sha256(bytes);
  const file = `${prefix}${hash}.bin`;
  writeAtomic(path.join(dir, file), bytes);
  return { file, hash };
}

export function writeAtomic(target: string, bytes: Buffer): void {
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Read an artifact and check that its bytes still hash to `hash` (a stale or damaged shared volume fails here). */
export function readArtifact(file: string, hash: string, shared = false): { meta: unknown; arrays: Record<string, Typed> } {
  const bytes = readFileSync(file);
  if (sha256(bytes) !== hash) throw new Error(`${file}: content does not match its hash (a damaged or replaced artifact)`);
  return decodeArtifact(bytes, file, shared);
}

export function encodeSetup(setup: TrainingSetup): Buffer {
  const { table } = setup;
  const arrays: Record<string, Typed> = { 'table.visual': table.visual, 'table.text': table.text, 'table.textPadding': table.textPadding };
  if (table.patchPadding) arrays['table.patchPadding'] = table.patchPadding;
  for (const [name, w] of Object.entries(setup.init)) arrays[`init.${name}`] = w;
  return encodeArtifact({ kind: 'setup', config: setup.config, batchSize: setup.batchSize }, arrays);
}

export function readSetup(file: string, hash: string): TrainingSetup {
  const { meta, arrays } = readArtifact(file, hash, true);
  const m = meta as { kind?: string; config: ClipVGConfig; batchSize: number };
  if (m?.kind !== 'setup') throw new Error(`${file}: not a training setup artifact`);
  const init: FusionWeights = {};
  for (const [name, a] of Object.entries(arrays)) if (name.startsWith('init.')) init[name.slice(5)] = a as Float32Array;
  const table: FeatureTable = {
    visual: arrays['table.visual'] as Float32Array,
    text: arrays['table.text'] as Float32Array,
    textPadding: arrays['table.textPadding'] as Uint8Array,
  };
  if (arrays['table.patchPadding']) table.patchPadding = arrays['table.patchPadding'] as Uint8Array;
  return { config: m.config, batchSize: m.batchSize, table, init };
}

export function encodeResult(result: FusionTrainResult): Buffer {
  const { weights, ...meta } = result;
  return encodeArtifact({ kind: 'result', ...meta }, weights);
}

export function readResult(file: string, hash: string): FusionTrainResult {
  const { meta, arrays } = readArtifact(file, hash);
  const { kind, ...rest } = meta as { kind?: string } & Omit<FusionTrainResult, 'weights'>;
  if (kind !== 'result') throw new Error(`${file}: not a training result artifact`);
  return { ...rest, weights: arrays as FusionWeights };
}
