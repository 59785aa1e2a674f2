#!/usr/bin/python3
"""Reference outputs from Pillow 9.x for @clip-vg/image's bit-exactness tests.

Run with Debian's Pillow 9.4 (`/usr/bin/python3 test/generate-references.py` from packages/image). Writes
test/pillow-references.json (small random input images as base64 RGB; resize, ImageEnhance, GaussianBlur and crop outputs as SHA-256 digests)
and test/decode/* (files in other modes plus what `Image.open(f).convert('RGB')` decodes them to).
"""
import base64
import hashlib
import json
import os

import numpy as np
import PIL
from PIL import Image, ImageEnhance, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20231)


def make_image(w, h):
    """Noise over a gradient, so both smooth areas and sharp edges are exercised."""
    yy, xx = np.mgrid[0:h, 0:w]
    grad = np.stack([xx * 255 / max(w - 1, 1), yy * 255 / max(h - 1, 1), (xx + yy) * 127 / max(w + h - 2, 1)], -1)
    noise = rng.integers(-60, 61, size=(h, w, 3))
    arr = np.clip(grad + noise, 0, 255).astype(np.uint8)
    arr[h // 3 : h // 2, w // 4 : w // 2] = rng.integers(0, 256, size=3)  # a flat block with hard edges
    return Image.fromarray(arr, "RGB")


def encode(im):
    assert im.mode == "RGB"
    return {"width": im.width, "height": im.height, "data": base64.b64encode(im.tobytes()).decode("ascii")}


def digest(im):
    """Outputs are stored as a SHA-256 of the RGB bytes (bit-exactness is all the tests check) plus the mean."""
    assert im.mode == "RGB"
    raw = im.tobytes()
    return {"width": im.width, "height": im.height, "sha256": hashlib.sha256(raw).hexdigest(), "mean": float(np.mean(np.frombuffer(raw, np.uint8)))}


inputs = {
    "a": make_image(37, 23),
    "b": make_image(97, 61),
    "c": make_image(128, 96),
    "d": make_image(5, 1),
    "e": make_image(3, 50),
}

resizes = [
    ("a", 64, 40), ("a", 13, 9), ("a", 37, 64), ("a", 80, 23), ("a", 1, 1),
    ("b", 64, 40), ("b", 13, 29), ("b", 224, 141), ("b", 96, 61), ("b", 33, 20),
    ("c", 64, 48), ("c", 64, 43), ("c", 21, 16), ("c", 127, 95), ("c", 300, 7),
    ("d", 11, 3), ("d", 2, 1), ("e", 1, 17), ("e", 9, 150),
]
enhances = [(name, f) for name in ("Brightness", "Contrast", "Color") for f in (0.0, 0.6, 0.87, 1.0, 1.23, 1.4, 2.5)]
blurs = [0.5, 1.0, 1.7, 2.0, 4.0, 30.0]
crops = [(3, 4, 20, 10), (-5, -3, 12, 9), (30, 15, 10, 12)]

cases = []
for key, w, h in resizes:
    cases.append({"op": "resize", "input": key, "width": w, "height": h, "output": digest(inputs[key].resize((w, h), Image.BILINEAR))})
for key in ("a", "b"):
    for name, factor in enhances:
        out = getattr(ImageEnhance, name)(inputs[key]).enhance(factor)
        cases.append({"op": name.lower(), "input": key, "factor": factor, "output": digest(out)})
for key in ("a", "b", "e"):
    for radius in blurs:
        out = inputs[key].filter(ImageFilter.GaussianBlur(radius))
        cases.append({"op": "gaussianBlur", "input": key, "radius": radius, "output": digest(out)})
for x, y, w, h in crops:
    cases.append({"op": "crop", "input": "a", "box": [x, y, w, h], "output": digest(inputs["a"].crop((x, y, x + w, y + h)))})

with open(os.path.join(HERE, "pillow-references.json"), "w") as f:
    json.dump({"pillow": PIL.__version__, "inputs": {k: encode(v) for k, v in inputs.items()}, "cases": cases}, f)

# Decoding: files in other modes and what PIL's convert('RGB') makes of them.
decode_dir = os.path.join(HERE, "decode")
os.makedirs(decode_dir, exist_ok=True)
base = make_image(24, 16)
arr = np.asarray(base)
files = {
    "gray.png": Image.fromarray(arr[:, :, 0], "L"),
    "rgba.png": Image.fromarray(np.concatenate([arr, rng.integers(0, 256, size=(16, 24, 1), dtype=np.uint8)], -1), "RGBA"),
    "gray-alpha.png": Image.fromarray(np.stack([arr[:, :, 1], arr[:, :, 2]], -1), "LA"),
    "palette.png": base.convert("P", palette=Image.ADAPTIVE, colors=16),
    "photo.jpg": base,
}
decoded = {}
for name, im in files.items():
    path = os.path.join(decode_dir, name)
    if name.endswith(".jpg"):
        im.save(path, quality=90)
    else:
        im.save(path)
    decoded[name] = encode(Image.open(path).convert("RGB"))
with open(os.path.join(decode_dir, "expected.json"), "w") as f:
    json.dump(decoded, f)
print("wrote", len(cases), "cases")
