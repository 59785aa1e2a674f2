import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { loadPth, type PyValue, type TorchTensor } from './index';
import { reference, tagged } from './test-helpers';

describeShared('loadPth on the split-file fixtures (zip and legacy)', () => {
  const expected = reference('fixtures.json') as Record<string, unknown>;
  for (const name of Object.keys(expected)) {
    test(name, () => {
      expect(tagged(loadPth(sharedPath('fixtures', 'torch-save', name)))).toEqual(expected[name]);
    });
  }

  test('iou_result tensors are views into one shared storage per column', () => {
    const rows = loadPth(sharedPath('fixtures', 'torch-save', 'unc_train_pseudo_iou_result.pth')) as PyValue[][];
    const [gt0, gt1] = [rows[0][4] as TorchTensor, rows[1][4] as TorchTensor];
    expect(gt0.storage).toBe(gt1.storage);
    expect(gt1.storageOffset).toBe(4);
    expect(Array.from(gt1.toFloat32Array())).toEqual([5, 6, 7, 8]);
  });

  test('a shared string is one value, reached through the memo', () => {
    const rows = loadPth(sharedPath('fixtures', 'torch-save', 'unc_train_pseudo_raw.pth')) as PyValue[][];
    expect(rows.map((r) => r[1])).toEqual(['useless placeholder', 'useless placeholder']);
  });
});

describeShared('loadPth on the golden CLIP-VG checkpoint', () => {
  const expected = reference('checkpoint.json');
  const checkpoint = loadPth(sharedPath('golden', 'clipvg-tiny', 'checkpoint.pth')) as Record<string, PyValue> & { optimizer: Record<string, PyValue> };

  test('top-level entries, epoch, val_accu and args as a plain object', () => {
    expect(Object.keys(checkpoint)).toEqual(expected.keys);
    expect(checkpoint.epoch).toBe(expected.epoch);
    expect((checkpoint.val_accu as TorchTensor).toFloat32Array()[0]).toBeCloseTo(expected.val_accu, 6);
    expect(checkpoint.args).toEqual(expected.args);
    expect(Object.getPrototypeOf(checkpoint.args)).toBe(Object.prototype);
  });

  test('all 689 state-dict entries with their shapes, dtypes and values', () => {
    const model = checkpoint.model as Record<string, TorchTensor>;
    expect(Object.keys(model)).toEqual(Object.keys(expected.model));
    expect(Object.keys(model)).toHaveLength(689);
    for (const [name, ref] of Object.entries(expected.model as Record<string, { shape: number[]; dtype: string; sum: number; first: number }>)) {
      const t = model[name];
      expect([name, t.shape, t.dtype]).toEqual([name, ref.shape, ref.dtype]);
      const data = t.toFloat32Array();
      expect(data[0]).toBeCloseTo(ref.first, 6);
      let sum = 0;
      for (const x of data) sum += x;
      expect(Math.abs(sum - ref.sum)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.sum)));
    }
  });

  test('a storage named under two keys is one storage', () => {
    const model = checkpoint.model as Record<string, TorchTensor>;
    expect(expected.shared.length).toBeGreaterThan(0);
    for (const names of expected.shared as string[][]) {
      const storages = new Set(names.map((n) => model[n].storage));
      expect(storages.size).toBe(1);
    }
  });

  test('optimizer state (int keys → Map) and scheduler', () => {
    const state = checkpoint.optimizer.state as Map<number, Record<string, PyValue>>;
    expect(state).toBeInstanceOf(Map);
    expect(state.size).toBe(expected.optimizer.state_count);
    for (const [index, entry] of Object.entries(expected.optimizer.state as Record<string, Record<string, { shape: number[]; sum: number }>>)) {
      const actual = state.get(Number(index))!;
      for (const [k, ref] of Object.entries(entry)) {
        const t = actual[k] as TorchTensor;
        expect(t.shape).toEqual(ref.shape);
        const sum = t.toFloat32Array().reduce((a, b) => a + b, 0);
        expect(Math.abs(sum - ref.sum)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref.sum)));
      }
    }
    expect(tagged(checkpoint.optimizer.param_groups)).toEqual(expected.optimizer.param_groups);
    expect(tagged(checkpoint.lr_scheduler)).toEqual(expected.lr_scheduler);
  });
});

describeShared('loadPth on the golden tensors.pth', () => {
  test('every tensor with its shape, dtype and values', () => {
    const expected = reference('tensors.json') as Record<string, { shape: number[]; dtype: string; sum: number; first: number }>;
    const tensors = loadPth(sharedPath('golden', 'clipvg-tiny', 'tensors.pth')) as Record<string, TorchTensor>;
    expect(Object.keys(tensors)).toEqual(Object.keys(expected));
    for (const [name, ref] of Object.entries(expected)) {
      const t = tensors[name];
      expect([name, t.shape, t.dtype]).toEqual([name, ref.shape, ref.dtype]);
      const data = t.toFloat32Array();
      expect(data[0]).toBeCloseTo(ref.first, 5);
      const sum = data.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - ref.sum)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.sum)));
    }
  });
});

describeShared('loadPth on a real protocol-4 pickle', () => {
  test('unc_train_statistic.pkl: a Counter of 9,364 words and 421,170 tokens', () => {
    const counter = loadPth(sharedPath('fixtures', 'real', 'pseudo-q-statistic', 'unc_train_statistic.pkl')) as Record<string, number>;
    const counts = Object.values(counter);
    expect(counts).toHaveLength(9364);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(421170);
    expect(counter['left']).toBe(27963);
    expect(counter['right']).toBe(27608);
  });
});
