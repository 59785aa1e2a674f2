import * as tf from '@tensorflow/tfjs-core';

/**
 * The source rows (or columns) and weights of torch's bilinear resize with align_corners=False and no
 * antialias: output index i samples `(i + 0.5) · in/out − 0.5`, clamped at 0, between its two neighbours.
 */
function bilinearTaps(inSize: number, outSize: number): { lo: number[]; hi: number[]; wHi: number[] } {
  const scale = inSize / outSize;
  const lo: number[] = [];
  const hi: number[] = [];
  const wHi: number[] = [];
  for (let i = 0; i < outSize; i += 1) {
    const src = Math.max((i + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    lo.push(i0);
    hi.push(Math.min(i0 + 1, inSize - 1));
    wHi.push(src - i0);
  }
  return { lo, hi, wHi };
}

/** Resize `[B, H, W]` bilinearly along `axis` (1 = rows, 2 = columns) to `outSize`. */
function resizeAxis(x: tf.Tensor3D, axis: 1 | 2, outSize: number): tf.Tensor3D {
  return tf.tidy(() => {
    const { lo, hi, wHi } = bilinearTaps(x.shape[axis], outSize);
    const weightShape = axis === 1 ? [1, outSize, 1] : [1, 1, outSize];
    const w = tf.tensor(wHi, weightShape, 'float32');
    const a = tf.gather(x, tf.tensor1d(lo, 'int32'), axis);
    const b = tf.gather(x, tf.tensor1d(hi, 'int32'), axis);
    return tf.add(a, tf.mul(tf.sub(b, a), w)) as tf.Tensor3D;
  });
}

/**
 * The image-patch key-padding mask: the pixel mask `[B, H, W]` (1 = padding) resized to the
 * `patchGrid × patchGrid` grid the way CLIP-VG's pinned torchvision 0.10 `Resize` does on an integer
 * tensor: bilinear (align_corners=False, no antialias), then round half to even, then cast back. With a
 * factor of 16 a patch is masked iff ≥ 3 of its 4 centre pixels are padding (0.5 rounds to 0).
 * Returns `[B, patchGrid²]` bool, true = ignored as a key, patches in row-major order.
 */
export function visualPatchMask(pixelMask: tf.Tensor3D, patchGrid: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch] = pixelMask.shape;
    const asFloat = tf.cast(pixelMask, 'float32') as tf.Tensor3D;
    const small = resizeAxis(resizeAxis(asFloat, 1, patchGrid), 2, patchGrid);
    // tf.round rounds half to even, as torch.round.
    const rounded = tf.round(small);
    return tf.reshape(tf.notEqual(rounded, 0), [batch, patchGrid * patchGrid]) as tf.Tensor2D;
  });
}

/** Text key-padding mask `[B, L]` bool from token ids: true where the id is 0 (padding). */
export function textPaddingMask(ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.equal(ids, 0) as tf.Tensor2D);
}

/**
 * The fusion sequence's key-padding mask `[B, 1 + L + 1 + P]` in sequence order
 * `[REG] | text | visual CLS | patches`; [REG] and CLS are never masked.
 */
export function fusionKeyPaddingMask(ids: tf.Tensor2D, pixelMask: tf.Tensor3D, patchGrid: number): tf.Tensor2D {
  return tf.tidy(() => {
    const batch = ids.shape[0];
    const never = tf.zeros([batch, 1], 'bool');
    return tf.concat([never, textPaddingMask(ids), never, visualPatchMask(pixelMask, patchGrid)], 1) as tf.Tensor2D;
  });
}
