/**
 * TorchScript archives (`torch.jit.save`, the format of OpenAI's CLIP `.pt` files) hold the module tree itself
 * in `data.pkl`: `__torch__.*` objects whose state dicts carry parameters, buffers and submodules. `loadPth`
 * reads them as inert `PyObject`s; this turns that tree into a flat state dict.
 */
import { PyObject, isPyDict, type PyValue } from './py-value';
import { TorchTensor } from './tensor';

/**
 * `module.state_dict()` from a loaded TorchScript module: dotted names → tensors, in the module's order.
 * Plain tensor attributes (which `state_dict()` would omit) are included too; callers ignore what they do not use.
 */
export function moduleStateDict(module: PyValue): Record<string, TorchTensor> {
  if (!isScriptModule(module)) throw new Error('not a TorchScript module (expected a __torch__.* object)');
  const out: Record<string, TorchTensor> = {};
  const visit = (node: PyObject, prefix: string) => {
    if (!isPyDict(node.state)) return;
    for (const [key, value] of Object.entries(node.state)) {
      if (value instanceof TorchTensor) out[prefix + key] = value;
      else if (isScriptModule(value)) visit(value, `${prefix}${key}.`);
    }
  };
  visit(module, '');
  return out;
}

export function isScriptModule(x: unknown): x is PyObject {
  return x instanceof PyObject && x.__class__.startsWith('__torch__.');
}
