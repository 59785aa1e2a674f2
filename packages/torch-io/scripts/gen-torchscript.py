#!/usr/bin/python3
"""Writes test/reference/torchscript-tiny.pt (a traced TorchScript module, the container OpenAI's CLIP .pt files
use) and torchscript-tiny.json (its state_dict names, shapes and sums), for the moduleStateDict test.

Run with Debian's python3-torch: /usr/bin/python3 packages/torch-io/scripts/gen-torchscript.py
"""
import json, os
import torch

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'reference')
torch.manual_seed(0)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln = torch.nn.LayerNorm(4)
        self.proj = torch.nn.Parameter(torch.randn(4, 4))

    def forward(self, x):
        return self.ln(x) @ self.proj


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = torch.nn.Sequential(Block(), Block())
        self.register_buffer('buf', torch.arange(3))
        self.scale = torch.nn.Parameter(torch.full([], 0.5))

    def forward(self, x):
        return self.blocks(x) * self.scale + self.buf.sum()


module = torch.jit.trace(Tiny(), torch.randn(3, 4))
torch.jit.save(module, os.path.join(out, 'torchscript-tiny.pt'))
with open(os.path.join(out, 'torchscript-tiny.json'), 'w') as f:
    json.dump({k: {'shape': list(v.shape), 'sum': float(v.double().sum())} for k, v in module.state_dict().items()}, f)
    f.write('\n')
