"""Reference for the AdamW test: torch.optim.AdamW on fixed parameters and gradients.

Run with Debian's python3-torch: /usr/bin/python3 make-adamw-reference.py > adamw-reference.json
"""
import json
import torch

torch.manual_seed(0)
p = torch.nn.Parameter(torch.randn(3, 4))
start = p.detach().clone()
grads = [torch.randn(3, 4) for _ in range(5)]
lrs = [2.5e-4, 2.5e-4, 1e-3, 5e-4, 1e-4]
opt = torch.optim.AdamW([p], lr=lrs[0], weight_decay=1e-4)
for g, lr in zip(grads, lrs):
    for group in opt.param_groups:
        group["lr"] = lr
    p.grad = g.clone()
    opt.step()
print(json.dumps({
    "start": start.flatten().tolist(),
    "grads": [g.flatten().tolist() for g in grads],
    "lrs": lrs,
    "weight_decay": 1e-4,
    "final": p.detach().flatten().tolist(),
    "exp_avg": opt.state[p]["exp_avg"].flatten().tolist(),
    "exp_avg_sq": opt.state[p]["exp_avg_sq"].flatten().tolist(),
}))
