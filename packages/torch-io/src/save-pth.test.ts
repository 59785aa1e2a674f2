import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { encodePickle, encodePth, loadPickle, loadPth, pyFloat, pyTuple, savePth, TorchTensor, type PyValue, type PyWritable } from './index';
import { pythonWithTorch, reference, tagged, torchLoadTagged } from './test-helpers';
import { ZipReader } from './zip';

const dir = mkdtempSync(path.join(tmpdir(), 'torch-io-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Split rows whose bbox Python stored as floats: mark the integral ones so they stay floats. */
const FLOAT_BBOX: Record<string, number> = {
  'flickr_train_pseudo.pth': 1,
  'unc_train_pseudo_raw.pth': 2,
  'unc_train_pseudo_iou_result.pth': 2,
};

function withFloatBoxes(name: string, rows: PyValue): PyWritable {
  const column = FLOAT_BBOX[name];
  if (column === undefined) return rows;
  return (rows as PyValue[][]).map((row) => row.map((v, i) => (i === column ? (v as number[]).map(pyFloat) : v)));
}

describeShared('the pickle writer reproduces torch.save byte layouts', () => {
  const zips = readdirSync(sharedPath('fixtures', 'torch-save')).filter((f) => !f.includes('legacy'));
  for (const name of zips) {
    test(`${name}: data.pkl re-encodes to the same bytes`, () => {
      const file = sharedPath('fixtures', 'torch-save', name);
      const zip = new ZipReader(readFileSync(file));
      const pkl = zip.read([...zip.entries.keys()].find((n) => n.endsWith('/data.pkl'))!);
      const mine = encodePickle(withFloatBoxes(name, loadPth(file)));
      expect(Buffer.from(mine).equals(Buffer.from(pkl))).toBe(true);
    });
  }

  test.each(['zip', 'legacy'] as const)('every fixture survives a %s round trip through savePth and loadPth', (format) => {
    const expected = reference('fixtures.json') as Record<string, unknown>;
    for (const name of Object.keys(expected)) {
      const out = path.join(dir, `${format}-${name}`);
      savePth(out, withFloatBoxes(name, loadPth(sharedPath('fixtures', 'torch-save', name))), { format });
      expect([name, tagged(loadPth(out))]).toEqual([name, expected[name]]);
    }
  });
});

/** A checkpoint-like object with every dtype, a view into a shared storage and a transposed view. */
function sampleCheckpoint(): PyWritable {
  const weight = TorchTensor.fromTypedArray(
    Float32Array.from({ length: 12 }, (_, i) => i / 4),
    [3, 4],
  );
  const row = new TorchTensor(weight.storage, 4, [4], [1]);
  const transposed = new TorchTensor(weight.storage, 0, [4, 3], [1, 4]);
  return {
    model: {
      weight,
      row,
      transposed,
      half: TorchTensor.fromTypedArray(Uint16Array.of(0x3c00, 0xc000, 0x3555), [3], 'float16'),
      bf16: TorchTensor.fromTypedArray(Uint16Array.of(0x3f80, 0xc040), [2], 'bfloat16'),
      f64: TorchTensor.fromTypedArray(Float64Array.of(1.5, -2.25), [2]),
      i64: TorchTensor.fromTypedArray(BigInt64Array.of(-1n, 2n ** 40n), [2]),
      i32: TorchTensor.fromTypedArray(Int32Array.of(-7, 8), [2, 1]),
      i16: TorchTensor.fromTypedArray(Int16Array.of(-300), [1]),
      u8: TorchTensor.fromTypedArray(Uint8Array.of(0, 255), [2]),
      i8: TorchTensor.fromTypedArray(Int8Array.of(-128, 127), [2]),
      mask: TorchTensor.fromTypedArray(Uint8Array.of(1, 0, 1), [3], 'bool'),
      scalar: TorchTensor.fromTypedArray(Float32Array.of(0.75), []),
    },
    epoch: 3,
    big: 2n ** 70n,
    negative: -(2 ** 40),
    ratio: pyFloat(2),
    args: { model: 'ViT-B/16', lr: 0.00025, aug: true, none: null },
    rows: [pyTuple('a.jpg', 'b.pth', [1, 2, 3, 4], 'the man', []), ['x', 'useless placeholder', [pyFloat(1), 2.5, 3, 4], 'y', 'useless placeholder']],
    bytes: new Uint8Array([0, 1, 200, 255]),
    state: new Map<PyWritable, PyWritable>([
      [0, { step: 1 }],
      [1, { step: 2 }],
    ]),
    unicode: 'ça va — 好',
  };
}

describe('encodePth / savePth', () => {
  test.each(['zip', 'legacy'] as const)('%s: own reader reads back every dtype, views and plain values', (format) => {
    const obj = sampleCheckpoint();
    const back = loadPth(encodePth(obj, { format })) as Record<string, PyValue> & { model: Record<string, TorchTensor> };
    expect(tagged(back)).toEqual(tagged(obj));
    expect(back.model.row.storage).toBe(back.model.weight.storage);
    expect(Array.from(back.model.transposed.toFloat32Array())).toEqual([0, 1, 2, 0.25, 1.25, 2.25, 0.5, 1.5, 2.5, 0.75, 1.75, 2.75]);
    expect(Array.from(back.model.half.toFloat32Array())).toEqual([1, -2, expect.closeTo(0.333, 3)]);
    expect(Array.from(back.model.bf16.toFloat32Array())).toEqual([1, -3]);
    expect(back.big).toBe(2n ** 70n);
  });

  test('zip members start on 64-byte boundaries under the chosen folder name', () => {
    const bytes = encodePth(sampleCheckpoint(), { archiveName: 'unc_train_pseudo' });
    const zip = new ZipReader(bytes);
    expect([...zip.entries.keys()]).toContain('unc_train_pseudo/data.pkl');
    for (const name of zip.entries.keys()) {
      expect((zip.read(name).byteOffset - 0) % 64).toBe(0);
    }
  });

  test('a plain pickle of split rows reads back with loadPickle', () => {
    const rows = [pyTuple('COCO_train2014_000000000839.jpg', '482127.pth', [303.58, 69.03, 293.29, 425.79], 'guy', [])];
    expect(tagged(loadPickle(encodePickle(rows)))).toEqual(tagged(rows));
  });

  const python = pythonWithTorch();
  (python ? test : test.skip)('files written here load in Python with torch.load (skipped without python3 + torch)', () => {
    const files: string[] = [];
    const objects: PyWritable[] = [];
    for (const format of ['zip', 'legacy'] as const) {
      const file = path.join(dir, `python-${format}.pth`);
      savePth(file, sampleCheckpoint(), { format });
      files.push(file);
      objects.push(sampleCheckpoint());
    }
    const loaded = torchLoadTagged(python!, files);
    files.forEach((file, i) => {
      const ours = tagged(objects[i]) as Record<string, unknown>;
      const theirs = loaded[file] as Record<string, unknown>;
      expect(theirs.model).toEqual(ours.model);
      expect(theirs.rows).toEqual(ours.rows);
      expect(theirs.args).toEqual(ours.args);
      expect(theirs.unicode).toBe(ours.unicode);
      expect(theirs.epoch).toBe(3);
      expect(theirs.ratio).toBe(2);
      expect(theirs.negative).toBe(-(2 ** 40));
      expect(theirs.big).toEqual({ __bigint__: String(2n ** 70n) });
      expect(theirs.bytes).toEqual([0, 1, 200, 255]);
      expect(theirs.state).toEqual({
        __map__: [
          [0, { step: 1 }],
          [1, { step: 2 }],
        ],
      });
    });
  });
});
