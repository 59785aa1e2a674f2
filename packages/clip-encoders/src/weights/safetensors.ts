/**
 * Minimal safetensors reader and float32 writer (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header of `{name: {dtype, shape, data_offsets}}`, then the raw bytes.
 * Floating-point weights of any width come out as float32.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { weightTensor, type WeightSource } from './source';

type Decoder = (bytes: Uint8Array) => Float32Array;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Copies into a fresh buffer first: tensor offsets in the file need not be multiples of the element size.
 * (`new Uint8Array(view)` always copies; a Node Buffer's `slice` would not.)
 */
function aligned(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

const DECODERS: Record<string, Decoder> = {
  F32: (b) => new Float32Array(aligned(b)),
  F64: (b) => Float32Array.from(new Float64Array(aligned(b))),
  F16: (b) => Float32Array.from(new Uint16Array(aligned(b)), halfToFloat),
  BF16: (b) => {
    const words = new Uint16Array(aligned(b));
    const bits = new Uint32Array(words.length);
    for (let i = 0; i < words.length; i++) bits[i] = words[i]! << 16;
    return new Float32Array(bits.buffer);
  },
  I64: (b) => Float32Array.from(new BigInt64Array(aligned(b)), Number),
  I32: (b) => Float32Array.from(new Int32Array(aligned(b))),
};

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Parse a safetensors file held in memory; `origin` names it in errors. */
export function parseSafetensors(bytes: Uint8Array, origin = 'safetensors'): { tensors: WeightSource; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) throw new Error(`${origin}: too short to be a safetensors file`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8) throw new Error(`${origin}: header length ${headerLength} runs past the end of the file`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8'));
  } catch {
    throw new Error(`${origin}: the safetensors header is not valid JSON`);
  }
  const data = bytes.subarray(8 + headerLength);
  const tensors: WeightSource = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: [begin, end] } = entry as HeaderEntry;
    const decode = DECODERS[dtype];
    if (!decode) throw new Error(`${origin}: tensor "${name}" has unsupported dtype ${dtype}`);
    if (end > data.byteLength || begin > end) throw new Error(`${origin}: tensor "${name}" lies outside the file`);
    tensors[name] = weightTensor(shape, () => decode(data.subarray(begin, end)));
  }
  return { tensors, metadata };
}

export function readSafetensors(file: string): { tensors: WeightSource; metadata: Record<string, string> } {
  return parseSafetensors(readFileSync(file), file);
}

/**
 * Write float32 safetensors without holding every weight in memory at once (ViT-L/14 is 1.7 GB):
 * the header needs only shapes, and each tensor's bytes are fetched while it is written.
 */
export function writeSafetensorsAtomic(file: string, tensors: WeightSource, metadata: Record<string, string> = {}): void {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const name of names) {
    const shape = tensors[name]!.shape;
    const length = 4 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // keeps the data 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(headerBytes.byteLength));

  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, lengthBytes);
    writeSync(fd, headerBytes);
    for (const name of names) {
      const data = tensors[name]!.toFloat32Array();
      writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    closeSync(fd);
    renameSync(tmp, file);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw error;
  }
}
