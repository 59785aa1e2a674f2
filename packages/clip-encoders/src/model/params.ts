/**
 * The parameter store: every CLIP weight as a `tf.Variable` under its OpenAI state-dict name, plus a cache of
 * tensors derived from frozen weights. The forward passes read weights from it by name, so loading, saving
 * and freezing all work on one flat map.
 *
 * Why the cache: PyTorch keeps Linear weights as [out, in]. On the wasm backend `matMul(x, w, false, true)`
 * leaves XNNPACK's fast path and runs about 10× slower than `matMul(x, wT)`, and transposing on every call
 * costs a further ~40% of the product. Frozen weights (all of CLIP in CLIP-VG) are therefore transposed once.
 * This holds a second copy of each cached matrix; trainable weights are never cached, so gradients reach them.
 */
import * as tf from '@tensorflow/tfjs-core';

interface CacheEntry {
  /** The variable's data when the entry was made; `assign` replaces it, which makes the entry stale. */
  dataId: object;
  value: tf.Tensor;
}

export class ParamStore {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly variables: ReadonlyMap<string, tf.Variable>) {}

  /** The weight called `name`; a missing one is a bug in the caller, not bad input (loading validates names). */
  get(name: string): tf.Variable {
    const value = this.variables.get(name);
    if (!value) throw new Error(`CLIP has no parameter "${name}"`);
    return value;
  }

  /**
   * `derive(weight)`, computed once while the weight is frozen and unchanged, recomputed on every call
   * (inside the caller's tidy, differentiably) while it is trainable. `key` must name one derivation.
   */
  derived(key: string, name: string, derive: (weight: tf.Variable) => tf.Tensor): tf.Tensor {
    const variable = this.get(name);
    if (variable.trainable) return derive(variable);
    const cached = this.cache.get(key);
    if (cached && cached.dataId === variable.dataId) return cached.value;
    cached?.value.dispose();
    const value = tf.keep(tf.tidy(() => derive(variable)));
    this.cache.set(key, { dataId: variable.dataId, value });
    return value;
  }

  /** A PyTorch [out, in] Linear weight as [in, out], ready for `matMul(x, w)`. */
  linearWeight(name: string): tf.Tensor {
    return this.derived(`${name}#T`, name, (w) => tf.transpose(w));
  }

  /** Free the derived tensors (the variables belong to the model). */
  clearCache(): void {
    for (const entry of this.cache.values()) entry.value.dispose();
    this.cache.clear();
  }
}
