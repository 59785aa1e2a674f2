import * as path from 'node:path';
import { inspectCheckpoint, isScriptModule, loadPth, loadPickle, moduleStateDict } from './index';
import { reference } from './test-helpers';

const file = path.join(__dirname, '..', 'test', 'reference', 'torchscript-tiny.pt');

describe('TorchScript archives (the container of OpenAI CLIP .pt files)', () => {
  test('moduleStateDict matches state_dict() from Python', () => {
    const expected = reference('torchscript-tiny.json') as Record<string, { shape: number[]; sum: number }>;
    const module = loadPth(file);
    expect(isScriptModule(module)).toBe(true);
    const state = moduleStateDict(module);
    expect(Object.keys(state).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, ref] of Object.entries(expected)) {
      expect(state[name].shape).toEqual(ref.shape);
      const sum = Array.from(state[name].toFloat32Array()).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(ref.sum, 5);
    }
  });

  test('inspectCheckpoint names the module tensors by path', () => {
    expect(inspectCheckpoint(loadPth(file)).tensors['blocks.1.ln.weight']).toEqual({ shape: [4], dtype: 'float32' });
  });

  test('typed-container tags from torch.jit._pickle are transparent', () => {
    // torch.jit._pickle.restore_type_tag([1, 2], 'List[int]'), protocol 2
    const bytes = Buffer.from('\x80\x02ctorch.jit._pickle\nrestore_type_tag\n]q\x00(K\x01K\x02eX\t\x00\x00\x00List[int]\x86R.', 'latin1');
    expect(loadPickle(bytes)).toEqual([1, 2]);
  });

  test('a non-module value is rejected', () => {
    expect(() => moduleStateDict({})).toThrow(/not a TorchScript module/);
  });
});
