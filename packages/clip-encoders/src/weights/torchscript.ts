/**
 * OpenAI's TorchScript archives (`ViT-B-16.pt`, what `clip.load` caches). Their `data.pkl` pickles the module
 * tree itself: each module is a `__torch__.*` object whose state holds its parameters, buffers and child modules.
 * `loadPth` reads it as inert `PyObject`s; walking that tree gives back the state dict's dotted names.
 */
import { isPyObject, isTensor, type PyValue } from '@clip-vg/torch-io';
import type { WeightSource } from './source';

/**
 * Tensor attributes that are not part of `state_dict()`: OpenAI's blocks keep the causal mask as a plain
 * attribute, which the archive stores with every text block.
 */
const NOT_IN_STATE_DICT = /(^|\.)attn_mask$/;

export function isTorchScriptModule(value: unknown): boolean {
  return isPyObject(value) && value.__class__.startsWith('__torch__.');
}

/** The module tree of a TorchScript archive → `{ 'visual.conv1.weight': TorchTensor, ... }`. */
export function torchScriptStateDict(root: PyValue): WeightSource {
  const out: WeightSource = {};
  const visit = (node: PyValue, prefix: string): void => {
    if (!isPyObject(node) || typeof node.state !== 'object' || node.state === null) return;
    for (const [key, value] of Object.entries(node.state as Record<string, PyValue>)) {
      const name = prefix + key;
      if (isTensor(value)) {
        if (!NOT_IN_STATE_DICT.test(name)) out[name] = value;
      } else if (isTorchScriptModule(value)) {
        visit(value, `${name}.`);
      }
    }
  };
  visit(root, '');
  return out;
}
