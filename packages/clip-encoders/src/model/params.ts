/**
 * The parameter store of CLIP and of CLIP-VG's fusion: every weight as a `tf.Variable` under its official
 * PyTorch state-dict name (so checkpoints map one to one, Linear weights in `[out, in]`), plus a cache of tensors
 * derived from frozen weights. The forward passes read weights from it by name, so loading, saving and freezing
 * all work on one flat map.
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

export class ParameterStore {
  private readonly cache = new Map<string, CacheEntry>();

  /** Over `byName` (shared, not copied: the owner may keep the map), or an empty store to `add` to. */
  constructor(private readonly byName: Map<string, tf.Variable> = new Map()) {}

  /** Register `values` as a variable under `name` (the caller may dispose `values` afterwards). */
  add(name: string, values: tf.Tensor, trainable = true): tf.Variable {
    if (this.byName.has(name)) throw new Error(`parameter ${name} is defined twice`);
    const variable = tf.variable(values.dtype === 'float32' ? values : tf.cast(values, 'float32'), trainable);
    this.byName.set(name, variable);
    return variable;
  }

  /** The weight called `name`; a missing one is a bug in the caller, not bad input (loading validates names). */
  get(name: string): tf.Variable {
    const value = this.byName.get(name);
    if (!value) throw new Error(`unknown parameter "${name}"`);
    return value;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  variables(): tf.Variable[] {
    return [...this.byName.values()];
  }

  /** Overwrite `name` with `values`, checking the shape. */
  assign(name: string, values: tf.Tensor, source = 'checkpoint'): void {
    const variable = this.get(name);
    if (!tf.util.arraysEqual(variable.shape, values.shape)) {
      throw new Error(`${source}: ${name} has shape [${values.shape}], expected [${variable.shape}]`);
    }
    variable.assign(values.dtype === 'float32' ? values : tf.cast(values, 'float32'));
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

  /** Free the derived tensors only. */
  clearCache(): void {
    for (const entry of this.cache.values()) entry.value.dispose();
    this.cache.clear();
  }

  /** Free the derived tensors and every variable. */
  dispose(): void {
    this.clearCache();
    for (const variable of this.byName.values()) variable.dispose();
    this.byName.clear();
  }
}
