import { PyObject, TorchStorage, TorchTensor } from '@clip-vg/torch-io';
import { isTorchScriptModule, torchScriptStateDict } from './torchscript';

const scalar = (value: number) => new TorchTensor(new TorchStorage('float32', '0', 1, 'cpu', new Uint8Array(new Float32Array([value]).buffer)), 0, [], []);

test('nested modules become dotted names; plain tensor attributes named attn_mask are not weights', () => {
  const block = new PyObject('__torch__.Block', [], { training: false, attn_mask: scalar(0), bias: scalar(1) });
  const root = new PyObject('__torch__.CLIP', [], {
    logit_scale: scalar(2),
    transformer: new PyObject('__torch__.torch.nn.modules.container.Sequential', [], { '0': block }),
    other: new PyObject('builtins.object', [], { hidden: scalar(3) }),
  });
  expect(isTorchScriptModule(root)).toBe(true);
  const flat = torchScriptStateDict(root);
  expect(Object.keys(flat)).toEqual(['logit_scale', 'transformer.0.bias']);
  expect(flat['transformer.0.bias'].toFloat32Array()).toEqual(new Float32Array([1]));
});
