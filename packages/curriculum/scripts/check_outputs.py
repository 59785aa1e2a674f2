"""Load clip-vg curriculum output files with the real torch.load and print what the official code would see.

Usage: /usr/bin/python3 check_outputs.py FILE.pth [FILE.pth ...]
Prints one JSON object: {file: [[row as plain data, with tensors as {"tensor": values, "offset": storage_offset,
"storage_size": n}]]}. Used by the tests where Python with torch is installed; the tests pass without it.
"""
import json
import sys

import torch


def plain(x):
    if isinstance(x, torch.Tensor):
        return {
            "tensor": [float(v) for v in x.tolist()],
            "dtype": str(x.dtype),
            "offset": x.storage_offset(),
            "storage_size": len(x.storage()),
        }
    if isinstance(x, (list, tuple)):
        return {"list" if isinstance(x, list) else "tuple": [plain(v) for v in x]}
    if isinstance(x, float):
        return {"float": x}
    return x


out = {}
for path in sys.argv[1:]:
    out[path] = plain(torch.load(path))
print(json.dumps(out))
