import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { inspectCheckpoint, loadPth, pyTuple, PyObject, tensorBytes, toPlain, TorchTensor } from './index';
import { reference } from './test-helpers';

describeShared('inspectCheckpoint on the golden CLIP-VG checkpoint', () => {
  const checkpoint = loadPth(sharedPath('golden', 'clipvg-tiny', 'checkpoint.pth'));
  const summary = inspectCheckpoint(checkpoint);
  const expected = reference('checkpoint.json');

  test('every state-dict tensor under model.<name>, with shape and dtype', () => {
    for (const [name, ref] of Object.entries(expected.model as Record<string, { shape: number[]; dtype: string }>)) {
      expect(summary.tensors[`model.${name}`]).toEqual({ shape: ref.shape, dtype: ref.dtype });
    }
    expect(Object.keys(summary.tensors).filter((n) => n.startsWith('model.'))).toHaveLength(689);
    expect(summary.tensors['optimizer.state.0.exp_avg']).toBeDefined();
  });

  test('meta holds epoch, val_accu (a number), args as a plain object, optimizer settings', () => {
    expect(summary.meta['epoch']).toBe(expected.epoch);
    expect(summary.meta['val_accu']).toBeCloseTo(expected.val_accu, 6);
    expect(summary.meta['args']).toEqual(expected.args);
    expect(summary.meta['model']).toBeUndefined();
    expect((summary.meta['optimizer'] as { param_groups: { lr: number }[] }).param_groups[0].lr).toBe(0.00025);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  test('tensorBytes counts shared storages once', () => {
    const totals = tensorBytes(checkpoint);
    expect(totals.count).toBe(Object.keys(summary.tensors).length);
    expect(totals.storageBytes).toBeLessThan(totals.elements * 4);
  });
});

describe('toPlain', () => {
  test('makes every value JSON-safe', () => {
    const t = TorchTensor.fromTypedArray(Float32Array.of(1, 2), [2]);
    const value = {
      t,
      big: 2n ** 70n,
      nan: NaN,
      bytes: Uint8Array.of(1, 2, 3),
      tuple: pyTuple(1, 'a'),
      map: new Map<never, never>([[1 as never, 'one' as never]]),
      pairs: new Map<never, never>([[pyTuple(1, 2) as never, 'x' as never]]),
      obj: new PyObject('utils.word_utils.Corpus', [], { dictionary: { idx2word: ['a'] } }),
    };
    expect(toPlain(value)).toEqual({
      t: { shape: [2], dtype: 'float32' },
      big: String(2n ** 70n),
      nan: 'NaN',
      bytes: { bytes: 3 },
      tuple: [1, 'a'],
      map: { 1: 'one' },
      pairs: [[[1, 2], 'x']],
      obj: { __class__: 'utils.word_utils.Corpus', dictionary: { idx2word: ['a'] } },
    });
  });

  test('a split file summarises as a list', () => {
    expect(inspectCheckpoint([pyTuple('a.jpg', [1, 2, 3, 4], 'man')])).toEqual({ tensors: {}, meta: { type: 'list', length: 1 } });
  });
});
