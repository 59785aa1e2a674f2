import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  loadPth,
  openSafetensors,
  safetensorsToFloat32,
  safetensorsToTensor,
  savePth,
  tensorToSafetensors,
  TorchTensor,
  writeSafetensors,
  type SafetensorsEntry,
} from './index';

const dir = mkdtempSync(path.join(tmpdir(), 'torch-io-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file laid out by hand from the format description, as the Python library writes it (header padded with spaces). */
function handMade(): Buffer {
  const header =
    '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}';
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  const data = Buffer.alloc(24);
  [1, 2, 3, 4].forEach((v, i) => data.writeFloatLE(v, i * 4));
  data.writeBigInt64LE(-5n, 16);
  return Buffer.concat([length, Buffer.from(padded), data]);
}

describe('safetensors', () => {
  test('reads a file made to the format description', () => {
    const file = path.join(dir, 'hand.safetensors');
    writeFileSync(file, handMade());
    const reader = openSafetensors(file);
    expect(reader.names()).toEqual(['a', 'b']);
    expect(reader.metadata).toEqual({ format: 'pt' });
    expect(reader.info('a')).toEqual({ dtype: 'F32', shape: [2, 2] });
    expect(Array.from(reader.get('a').data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(reader.get('b').data as BigInt64Array)).toEqual([-5n]);
    reader.close();
    expect(() => reader.get('a')).toThrow(/closed/);
  });

  test('writes what it reads, every dtype, with metadata and 8-byte aligned data', () => {
    const tensors: Record<string, SafetensorsEntry> = {
      f32: { dtype: 'F32', shape: [3], data: Float32Array.of(0.5, -1, 2) },
      f16: { dtype: 'F16', shape: [2], data: Uint16Array.of(0x3c00, 0xc000) },
      bf16: { dtype: 'BF16', shape: [1], data: Uint16Array.of(0x3f80) },
      f64: { dtype: 'F64', shape: [1, 1], data: Float64Array.of(Math.PI) },
      i64: { dtype: 'I64', shape: [2], data: BigInt64Array.of(1n, -(2n ** 60n)) },
      i32: { dtype: 'I32', shape: [1], data: Int32Array.of(-3) },
      u8: { dtype: 'U8', shape: [2], data: Uint8Array.of(7, 255) },
      mask: { dtype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    };
    const file = path.join(dir, 'all.safetensors');
    writeSafetensors(file, tensors, { source: 'clip-vg' });
    const bytes = readFileSync(file);
    expect((8 + Number(bytes.readBigUInt64LE(0))) % 8).toBe(0);
    const reader = openSafetensors(file);
    expect(reader.metadata).toEqual({ source: 'clip-vg' });
    for (const [name, entry] of Object.entries(tensors)) expect(reader.get(name)).toEqual(entry);
    expect(Array.from(safetensorsToFloat32(reader.get('f16')))).toEqual([1, -2]);
    expect(Array.from(safetensorsToFloat32(reader.get('bf16')))).toEqual([1]);
    reader.close();
  });

  test('converts to and from torch tensors, through a .pth', () => {
    const weight = TorchTensor.fromTypedArray(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    const transposed = new TorchTensor(weight.storage, 0, [3, 2], [1, 3]);
    const entry = tensorToSafetensors(transposed);
    expect(entry).toEqual({ dtype: 'F32', shape: [3, 2], data: Float32Array.of(1, 4, 2, 5, 3, 6) });
    const file = path.join(dir, 'from-st.pth');
    savePth(file, { w: safetensorsToTensor(entry) });
    const back = (loadPth(file) as Record<string, TorchTensor>)['w'];
    expect(Array.from(back.toFloat32Array())).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('truncated or inconsistent files fail with a message naming the file', () => {
    const whole = handMade();
    const cut = path.join(dir, 'cut.safetensors');
    writeFileSync(cut, whole.subarray(0, whole.length - 4));
    expect(() => openSafetensors(cut)).toThrow(`${cut}: tensor 'b' lies outside the file (truncated?)`);
    writeFileSync(cut, whole.subarray(0, 6));
    expect(() => openSafetensors(cut)).toThrow(/truncated safetensors file/);
    const bad = Buffer.from(whole);
    bad.writeBigUInt64LE(10n ** 12n, 0);
    writeFileSync(cut, bad);
    expect(() => openSafetensors(cut)).toThrow(/header length/);
    expect(() => writeSafetensors(path.join(dir, 'x.safetensors'), { a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(/needs 12/);
  });

  test('lazy entries are made one at a time, while they are written', () => {
    const made: string[] = [];
    const file = path.join(dir, 'lazy.safetensors');
    const lazy = (name: string, data: Float32Array) => () => (made.push(name), data);
    writeSafetensors(file, {
      a: { dtype: 'F32', shape: [2], data: lazy('a', Float32Array.of(1, 2)) },
      b: { dtype: 'F32', shape: [1], data: lazy('b', Float32Array.of(3)) },
    });
    expect(made).toEqual(['a', 'b']);
    const reader = openSafetensors(file);
    expect(Array.from(reader.get('b').data as Float32Array)).toEqual([3]);
    reader.close();
    const broken = path.join(dir, 'lazy-broken.safetensors');
    expect(() => writeSafetensors(broken, { a: { dtype: 'F32', shape: [3], data: () => new Float32Array(2) } })).toThrow(/needs 12/);
    expect(existsSync(broken)).toBe(false);
  });

  test('get() returns just the requested tensor from a larger file', () => {
    const file = path.join(dir, 'big.safetensors');
    writeSafetensors(file, {
      big: { dtype: 'F32', shape: [1 << 20], data: new Float32Array(1 << 20).fill(1) },
      small: { dtype: 'F32', shape: [1], data: Float32Array.of(9) },
    });
    expect(statSync(file).size).toBeGreaterThan(4 << 20);
    const reader = openSafetensors(file);
    const small = reader.get('small');
    expect(small.data.buffer.byteLength).toBe(4);
    expect(Array.from(small.data as Float32Array)).toEqual([9]);
    reader.close();
  });
});
