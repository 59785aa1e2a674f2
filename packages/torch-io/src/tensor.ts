/**
 * A torch tensor as `torch.load` rebuilds it: a view (shape, stride, offset) into a typed storage whose bytes
 * are, where possible, a zero-copy window onto the file that was read.
 */
import { copyBytes, DTYPE_BYTES, typedCopy, halfToFloat32, bfloat16ToFloat32, type TorchDType, type TypedArray } from './dtype';

export type { TorchDType } from './dtype';

/** One `torch.*Storage`: `numel` elements of `dtype`. Several tensors may share it (views). */
export class TorchStorage {
  private resolved: Uint8Array | undefined;

  constructor(
    readonly dtype: TorchDType,
    /** The storage key in the file (`data/{key}` in a zip, or the legacy id). */
    readonly key: string,
    readonly numel: number,
    readonly device: string,
    /** The bytes, or a function that fetches them once (legacy files know them only after the object pickle). */
    bytes: Uint8Array | (() => Uint8Array),
  ) {
    if (bytes instanceof Uint8Array) this.resolved = bytes;
    else this.fetch = bytes;
  }

  private fetch: (() => Uint8Array) | undefined;

  /** Little-endian element bytes (`numel * elementSize` of them). */
  get bytes(): Uint8Array {
    if (!this.resolved) {
      this.resolved = this.fetch!();
      this.fetch = undefined;
    }
    return this.resolved;
  }
}

export class TorchTensor {
  /**
   * A contiguous tensor over a copy-free view of `data` (for writing). The dtype follows the array type;
   * pass 'bool' for a Uint8Array of 0/1, or 'float16' / 'bfloat16' for a Uint16Array of raw bits.
   */
  static fromTypedArray(data: TypedArray, shape: number[], dtype: TorchDType = dtypeOf(data)): TorchTensor {
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel !== data.length) throw new Error(`shape [${shape}] needs ${numel} elements, the array has ${data.length}`);
    if (DTYPE_BYTES[dtype] !== data.BYTES_PER_ELEMENT) throw new Error(`a ${data.constructor.name} cannot hold ${dtype}`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const stride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    return new TorchTensor(new TorchStorage(dtype, '0', numel, 'cpu', bytes), 0, [...shape], stride);
  }

  constructor(
    readonly storage: TorchStorage,
    /** In elements, not bytes. */
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
    public requiresGrad = false,
  ) {}

  get dtype(): TorchDType {
    return this.storage.dtype;
  }

  numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** True when the elements are laid out row-major without gaps, so a single slice copies them. */
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.stride[d] !== expected) return false;
      expected *= this.shape[d];
    }
    return true;
  }

  /** Row-major copy in the dtype's natural array type (float16 and bfloat16 become Float32Array). */
  toTypedArray(): Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Uint8Array | Int8Array {
    const size = DTYPE_BYTES[this.dtype];
    const count = this.numel();
    if (this.storageOffset + this.maxReach() > this.storage.numel) {
      throw new Error(`tensor view (offset ${this.storageOffset}, shape [${this.shape}]) reaches past its storage of ${this.storage.numel} elements`);
    }
    if (this.isContiguous()) return typedCopy(this.dtype, this.storage.bytes, this.storageOffset * size, count);
    return this.gather();
  }

  /** Row-major bytes in the storage's own encoding (float16 stays 16-bit): what a writer stores. */
  rawBytes(): Uint8Array {
    const size = DTYPE_BYTES[this.dtype];
    const count = this.numel();
    if (this.storageOffset + this.maxReach() > this.storage.numel) {
      throw new Error(`tensor view (offset ${this.storageOffset}, shape [${this.shape}]) reaches past its storage of ${this.storage.numel} elements`);
    }
    const source = this.storage.bytes;
    if (this.isContiguous()) return copyBytes(source, this.storageOffset * size, (this.storageOffset + count) * size);
    const out = new Uint8Array(count * size);
    const index = new Array<number>(this.shape.length).fill(0);
    for (let i = 0; i < count; i++) {
      let at = this.storageOffset;
      for (let d = 0; d < index.length; d++) at += index[d] * this.stride[d];
      out.set(source.subarray(at * size, at * size + size), i * size);
      for (let d = index.length - 1; d >= 0; d--) {
        if (++index[d] < this.shape[d]) break;
        index[d] = 0;
      }
    }
    return out;
  }

  /** Row-major Float32Array whatever the dtype (int64 beyond 2^24 loses precision, as in torch `.float()`). */
  toFloat32Array(): Float32Array {
    const data = this.toTypedArray();
    if (data instanceof Float32Array) return data;
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }

  /** Largest element index (relative to the offset) the view touches, plus one. */
  private maxReach(): number {
    if (this.shape.some((s) => s === 0)) return 0;
    return this.shape.reduce((acc, s, d) => acc + (s - 1) * this.stride[d], 0) + 1;
  }

  /** Strided copy for non-contiguous views (transposes, expanded dims). */
  private gather(): Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Uint8Array | Int8Array {
    const size = DTYPE_BYTES[this.dtype];
    const whole = typedCopyRaw(this.dtype, this.storage.bytes, size);
    const count = this.numel();
    const out = new (whole.constructor as new (n: number) => typeof whole)(count);
    const index = new Array<number>(this.shape.length).fill(0);
    for (let i = 0; i < count; i++) {
      let at = this.storageOffset;
      for (let d = 0; d < index.length; d++) at += index[d] * this.stride[d];
      (out as unknown as number[])[i] = (whole as unknown as number[])[at]!;
      for (let d = index.length - 1; d >= 0; d--) {
        if (++index[d] < this.shape[d]) break;
        index[d] = 0;
      }
    }
    if (this.dtype === 'float16') return halfToFloat32(out as Uint16Array);
    if (this.dtype === 'bfloat16') return bfloat16ToFloat32(out as Uint16Array);
    return out as Float32Array;
  }
}

/** The whole storage as an aligned typed array of raw element bits (16-bit floats stay Uint16Array). */
function typedCopyRaw(dtype: TorchDType, bytes: Uint8Array, size: number) {
  if (dtype === 'float16' || dtype === 'bfloat16') {
    return new Uint16Array(copyBytes(bytes).buffer, 0, bytes.byteLength / size);
  }
  return typedCopy(dtype, bytes);
}

function dtypeOf(data: TypedArray): TorchDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  throw new Error(`${data.constructor.name} needs an explicit dtype`);
}

export function isTensor(x: unknown): x is TorchTensor {
  return x instanceof TorchTensor;
}
