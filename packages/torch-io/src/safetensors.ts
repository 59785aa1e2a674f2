/**
 * safetensors: an 8-byte little-endian header length, a JSON header (`{name: {dtype, shape, data_offsets}}`
 * plus optional `__metadata__`), then the raw tensor bytes. The reader keeps only the header in memory and
 * reads each tensor on request, so files larger than memory can be walked one tensor at a time.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeChunksAtomic } from './atomic-write';
import { bfloat16ToFloat32, halfToFloat32, type TorchDType, type TypedArray } from './dtype';
import { TorchStorage, TorchTensor } from './tensor';

export interface SafetensorsEntry {
  /** 'F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'U16', 'U32', 'U64'. */
  dtype: string;
  shape: number[];
  /** Row-major. F16 and BF16 are raw bits in a Uint16Array; BOOL is a Uint8Array of 0/1. */
  data: TypedArray;
}

export interface SafetensorsReader {
  readonly file: string;
  readonly metadata: Record<string, string>;
  names(): string[];
  info(name: string): { dtype: string; shape: number[] };
  get(name: string): SafetensorsEntry;
  close(): void;
}

interface DTypeInfo {
  size: number;
  make: (buffer: ArrayBuffer, count: number) => TypedArray;
  torch?: TorchDType;
}

const DTYPES: Record<string, DTypeInfo> = {
  F64: { size: 8, make: (b, n) => new Float64Array(b, 0, n), torch: 'float64' },
  F32: { size: 4, make: (b, n) => new Float32Array(b, 0, n), torch: 'float32' },
  F16: { size: 2, make: (b, n) => new Uint16Array(b, 0, n), torch: 'float16' },
  BF16: { size: 2, make: (b, n) => new Uint16Array(b, 0, n), torch: 'bfloat16' },
  I64: { size: 8, make: (b, n) => new BigInt64Array(b, 0, n), torch: 'int64' },
  I32: { size: 4, make: (b, n) => new Int32Array(b, 0, n), torch: 'int32' },
  I16: { size: 2, make: (b, n) => new Int16Array(b, 0, n), torch: 'int16' },
  I8: { size: 1, make: (b, n) => new Int8Array(b, 0, n), torch: 'int8' },
  U8: { size: 1, make: (b, n) => new Uint8Array(b, 0, n), torch: 'uint8' },
  BOOL: { size: 1, make: (b, n) => new Uint8Array(b, 0, n), torch: 'bool' },
  U16: { size: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  U32: { size: 4, make: (b, n) => new Uint32Array(b, 0, n) },
  U64: { size: 8, make: (b, n) => new BigUint64Array(b, 0, n) },
};

const MAX_HEADER = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Opens `file` and reads its header; tensors are read by `get(name)`. Call `close()` when done. */
export function openSafetensors(file: string): SafetensorsReader {
  const fd = openSync(file, 'r');
  try {
    return new Reader(file, fd);
  } catch (error) {
    closeSync(fd);
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

class Reader implements SafetensorsReader {
  readonly metadata: Record<string, string> = {};
  private readonly entries = new Map<string, HeaderEntry>();
  private readonly dataStart: number;
  private open = true;

  constructor(
    readonly file: string,
    private readonly fd: number,
  ) {
    const size = fstatSync(fd).size;
    if (size < 8) throw new Error(`truncated safetensors file (${size} bytes)`);
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    const headerLength = Number(head.readBigUInt64LE(0));
    if (headerLength > MAX_HEADER || 8 + headerLength > size) {
      throw new Error(`safetensors header length ${headerLength} does not fit the ${size}-byte file`);
    }
    const headerBytes = Buffer.alloc(headerLength);
    readSync(fd, headerBytes, 0, headerLength, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(headerBytes.toString('utf8'));
    } catch {
      throw new Error('safetensors header is not valid JSON');
    }
    this.dataStart = 8 + headerLength;
    const dataSize = size - this.dataStart;
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') {
        for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) this.metadata[k] = String(v);
        continue;
      }
      this.entries.set(name, validateEntry(name, raw, dataSize));
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  info(name: string): { dtype: string; shape: number[] } {
    const entry = this.entry(name);
    return { dtype: entry.dtype, shape: [...entry.shape] };
  }

  get(name: string): SafetensorsEntry {
    const entry = this.entry(name);
    const length = entry.end - entry.begin;
    const buffer = new ArrayBuffer(length);
    const view = new Uint8Array(buffer);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, view, done, length - done, this.dataStart + entry.begin + done);
      if (n === 0) throw new Error(`${this.file}: tensor '${name}' is cut short`);
      done += n;
    }
    const info = DTYPES[entry.dtype];
    return { dtype: entry.dtype, shape: [...entry.shape], data: info.make(buffer, length / info.size) };
  }

  close(): void {
    if (this.open) closeSync(this.fd);
    this.open = false;
  }

  private entry(name: string): HeaderEntry {
    if (!this.open) throw new Error(`${this.file}: reader is closed`);
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`${this.file}: no tensor named '${name}'`);
    return entry;
  }
}

function validateEntry(name: string, raw: unknown, dataSize: number): HeaderEntry {
  const { dtype, shape, data_offsets: offsets } = (raw ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !DTYPES[dtype]) throw new Error(`tensor '${name}' has unsupported dtype ${String(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`tensor '${name}' has a bad shape`);
  if (!Array.isArray(offsets) || offsets.length !== 2) throw new Error(`tensor '${name}' has bad data_offsets`);
  const [begin, end] = offsets.map(Number) as [number, number];
  const expected = shape.reduce((a: number, b: number) => a * b, 1) * DTYPES[dtype].size;
  if (!(begin >= 0 && end >= begin && end <= dataSize)) throw new Error(`tensor '${name}' lies outside the file (truncated?)`);
  if (end - begin !== expected) throw new Error(`tensor '${name}' spans ${end - begin} bytes, its shape needs ${expected}`);
  return { dtype, shape, begin, end };
}

/**
 * An entry whose data is made only when the writer reaches it, so a large model (ViT-L/14 is 1.7 GB) is written
 * one tensor at a time instead of all held at once.
 */
export interface LazySafetensorsEntry {
  dtype: string;
  shape: number[];
  data: () => TypedArray;
}

/** Writes `tensors` (in the given order) and optional string metadata, atomically. */
export function writeSafetensors(file: string, tensors: Record<string, SafetensorsEntry | LazySafetensorsEntry>, metadata?: Record<string, string>): void {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  const blocks: Array<() => Uint8Array> = [];
  let offset = 0;
  for (const [name, entry] of Object.entries(tensors)) {
    const info = DTYPES[entry.dtype];
    if (!info) throw new Error(`${file}: tensor '${name}' has unsupported dtype ${entry.dtype}`);
    const size = entry.shape.reduce((a, b) => a * b, 1) * info.size;
    const bytesOf = (data: TypedArray): Uint8Array => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (bytes.length !== size) throw new Error(`${file}: tensor '${name}' has ${bytes.length} bytes, shape [${entry.shape}] of ${entry.dtype} needs ${size}`);
      return bytes;
    };
    const { data } = entry;
    if (typeof data === 'function') {
      blocks.push(() => bytesOf(data()));
    } else {
      const bytes = bytesOf(data); // checked before anything is written
      blocks.push(() => bytes);
    }
    header[name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8); // data starts 8-byte aligned
  const jsonBytes = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(jsonBytes.length));
  writeChunksAtomic(
    file,
    (function* chunks() {
      yield length;
      yield jsonBytes;
      for (const block of blocks) yield block();
    })(),
  );
}

const TORCH_TO_SAFETENSORS: Record<TorchDType, string> = {
  float64: 'F64',
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

/** A torch tensor as a safetensors entry (row-major copy, 16-bit floats kept as raw bits). */
export function tensorToSafetensors(tensor: TorchTensor): SafetensorsEntry {
  const dtype = TORCH_TO_SAFETENSORS[tensor.dtype];
  const info = DTYPES[dtype];
  const bytes = tensor.rawBytes();
  return { dtype, shape: [...tensor.shape], data: info.make(bytes.buffer as ArrayBuffer, bytes.length / info.size) };
}

/** A safetensors entry as a torch tensor (sharing its data), e.g. to `savePth` it. */
export function safetensorsToTensor(entry: SafetensorsEntry): TorchTensor {
  const torch = DTYPES[entry.dtype]?.torch;
  if (!torch) throw new Error(`safetensors dtype ${entry.dtype} has no torch equivalent here`);
  const bytes = new Uint8Array(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
  const numel = entry.shape.reduce((a, b) => a * b, 1);
  const stride = entry.shape.map((_, d) => entry.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return new TorchTensor(new TorchStorage(torch, '0', numel, 'cpu', bytes), 0, [...entry.shape], stride);
}

/** Row-major Float32Array of any entry (F16/BF16 decoded, integers converted). */
export function safetensorsToFloat32(entry: SafetensorsEntry): Float32Array {
  if (entry.dtype === 'F16') return halfToFloat32(entry.data as Uint16Array);
  if (entry.dtype === 'BF16') return bfloat16ToFloat32(entry.data as Uint16Array);
  if (entry.data instanceof Float32Array) return entry.data.slice();
  return Float32Array.from(entry.data as ArrayLike<number | bigint>, Number);
}
