#!/usr/bin/python3
"""Writes the reference values the torch-io tests compare against, using the real torch.load.

Run with Debian's python3-torch: /usr/bin/python3 packages/torch-io/scripts/gen-reference.py ../shared
Output: packages/torch-io/test/reference/*.json (tagged JSON: tuples, tensors, numpy arrays, objects marked).
"""
import collections, json, os, sys
import torch
from tagged_json import tag

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'shared')
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'reference')
os.makedirs(out_dir, exist_ok=True)


def dump(name, value):
    with open(os.path.join(out_dir, name), 'w') as f:
        json.dump(value, f, separators=(',', ':'))
        f.write('\n')


# corpus.pth names utils.word_utils classes; stand-ins with no behaviour let torch.load rebuild them.
import types
word_utils = types.ModuleType('utils.word_utils')
for cls in ('Corpus', 'Dictionary'):
    setattr(word_utils, cls, type(cls, (), {'__module__': 'utils.word_utils'}))
sys.modules['utils'] = types.ModuleType('utils')
sys.modules['utils.word_utils'] = word_utils


fixtures = os.path.join(shared, 'fixtures', 'torch-save')
result = {}
for name in sorted(os.listdir(fixtures)):
    value = torch.load(os.path.join(fixtures, name), map_location='cpu')
    result[name] = tag(value)
dump('fixtures.json', result)

ckpt = torch.load(os.path.join(shared, 'golden', 'clipvg-tiny', 'checkpoint.pth'), map_location='cpu')
model = ckpt['model']
by_storage = collections.defaultdict(list)
for k, v in model.items():
    by_storage[v.storage().data_ptr()].append(k)
dump('checkpoint.json', {
    'keys': list(ckpt.keys()),
    'model': {k: {'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''), 'sum': float(v.double().sum()),
                  'first': float(v.flatten()[0]) if v.numel() else None} for k, v in model.items()},
    'shared': [ks for ks in by_storage.values() if len(ks) > 1],
    'epoch': ckpt['epoch'],
    'val_accu': float(ckpt['val_accu']),
    'args': vars(ckpt['args']),
    'optimizer': {
        'state': {str(i): {k: ({'shape': list(x.shape), 'sum': float(x.double().sum())} if torch.is_tensor(x) else x)
                           for k, x in s.items()} for i, s in list(ckpt['optimizer']['state'].items())[:3]},
        'state_count': len(ckpt['optimizer']['state']),
        'param_groups': tag(ckpt['optimizer']['param_groups']),
    },
    'lr_scheduler': tag(ckpt['lr_scheduler']),
})

tensors = torch.load(os.path.join(shared, 'golden', 'clipvg-tiny', 'tensors.pth'), map_location='cpu')
dump('tensors.json', {k: {'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''),
                          'sum': float(v.double().sum()), 'first': float(v.flatten()[0])} for k, v in tensors.items()})
print('wrote', out_dir)
