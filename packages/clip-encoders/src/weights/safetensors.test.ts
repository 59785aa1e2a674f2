import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSafetensorsWeights, writeSafetensorsWeights } from './safetensors';
import { weightTensor } from './source';

const tmp = mkdtempSync(path.join(tmpdir(), 'safetensors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A safetensors file assembled by hand, as another writer would lay it out. */
function handMade(entries: Array<[string, string, number[], Uint8Array]>): Uint8Array {
  let offset = 0;
  const header: Record<string, unknown> = {};
  for (const [name, dtype, shape, bytes] of entries) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.byteLength));
  return Buffer.concat([length, json, ...entries.map((e) => Buffer.from(e[3]))]);
}

test('write → read round-trips float32 values, shapes and metadata; data is 8-byte aligned', () => {
  const file = path.join(tmp, 'nested', 'a.safetensors');
  const a = Float32Array.from([1.5, -2, 3e-8, 4]);
  writeSafetensorsWeights(file, { b: weightTensor([2, 2], () => a), a: weightTensor([], () => Float32Array.of(7)) }, { format: 'pt' });
  const { tensors, metadata } = readSafetensorsWeights(file);
  expect(metadata).toEqual({ format: 'pt' });
  expect(Object.keys(tensors)).toEqual(['a', 'b']);
  expect(tensors.b.shape).toEqual([2, 2]);
  expect(tensors.b.toFloat32Array()).toEqual(a);
  expect(tensors.a.toFloat32Array()).toEqual(Float32Array.of(7));
  expect((8 + Number(readFileSync(file).readBigUInt64LE(0))) % 8).toBe(0);
});

test('float16, bfloat16, int64 and unaligned float32 data are read as float32', () => {
  const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff]).buffer); // 1, -2, 2^-24, 65504
  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0x4049]).buffer); // 1, 3.140625
  const i64 = new Uint8Array(new BigInt64Array([5n, -3n]).buffer);
  const f32 = new Uint8Array(new Float32Array([0.25]).buffer);
  const file = path.join(tmp, 'mixed.safetensors');
  writeFileSync(
    file,
    handMade([
      ['h', 'F16', [4], half],
      ['b', 'BF16', [2], bf16],
      ['i', 'I64', [2], i64],
      ['f', 'F32', [1], f32],
    ]),
  );
  const { tensors } = readSafetensorsWeights(file);
  expect(Array.from(tensors.h.toFloat32Array())).toEqual([1, -2, 2 ** -24, 65504]);
  expect(Array.from(tensors.b.toFloat32Array())).toEqual([1, 3.140625]);
  expect(Array.from(tensors.i.toFloat32Array())).toEqual([5, -3]);
  expect(Array.from(tensors.f.toFloat32Array())).toEqual([0.25]); // starts at byte 28 of the data: unaligned
});

test('broken files fail with the file name', () => {
  const file = path.join(tmp, 'bad.safetensors');
  writeFileSync(file, Buffer.from([255, 0, 0, 0, 0, 0, 0, 0, 1]));
  expect(() => readSafetensorsWeights(file)).toThrow(`${file}: safetensors header length 255 does not fit the 9-byte file`);
});
