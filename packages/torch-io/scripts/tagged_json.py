"""Python values as tagged JSON (tuples, tensors, numpy arrays, objects marked), shared by the torch-io scripts."""
import math
import numpy as np
import torch


def num(x):
    x = float(x)
    return x if math.isfinite(x) else str(x)


def tag(v):
    if isinstance(v, torch.Tensor):
        return {'__tensor__': {'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''),
                               'stride': list(v.stride()), 'offset': v.storage_offset(),
                               'values': [num(x) if v.is_floating_point() else int(x) for x in v.flatten().tolist()]}}
    if isinstance(v, np.ndarray):
        return {'__ndarray__': {'shape': list(v.shape), 'dtype': str(v.dtype),
                                'values': [num(x) if v.dtype.kind == 'f' else int(x) for x in v.flatten().tolist()]}}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, tuple):
        return {'__tuple__': [tag(x) for x in v]}
    if isinstance(v, list):
        return [tag(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {k: tag(x) for k, x in v.items()}
        return {'__map__': [[tag(k), tag(x)] for k, x in v.items()]}
    if isinstance(v, float):
        return num(v)
    if isinstance(v, bytes):
        return list(v)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2 ** 53:
        return {'__bigint__': str(v)}
    if v is None or isinstance(v, (bool, int, str)):
        return v
    return {'__object__': type(v).__module__ + '.' + type(v).__name__, 'dict': tag(vars(v))}
