/** Element types shared by torch storages and safetensors, and the conversions between their bytes. */

export type TorchDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'uint8' | 'int8' | 'bool';

export type TypedArray =
  Float32Array | Float64Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Uint8Array | Int8Array;

export const DTYPE_BYTES: Record<TorchDType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  uint8: 1,
  int8: 1,
  bool: 1,
};

/** `torch.FloatStorage` etc. (the class names torch.save writes) → dtype. */
export const STORAGE_CLASS_DTYPE: Record<string, TorchDType> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  ByteStorage: 'uint8',
  CharStorage: 'int8',
  BoolStorage: 'bool',
};

/** `torch.float32` etc. (the dtype globals torch ≥ 2 may write inside `UntypedStorage` ids) → dtype. */
export const TORCH_DTYPE_NAME: Record<string, TorchDType> = {
  float32: 'float32',
  float: 'float32',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  float64: 'float64',
  double: 'float64',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  uint8: 'uint8',
  int8: 'int8',
  bool: 'bool',
};

/** A real copy in a fresh ArrayBuffer (a Node Buffer's `slice` would only make a view). */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}

/** Copies `count` elements starting at byte `byteOffset` of `bytes` into the dtype's natural typed array. */
export function typedCopy(
  dtype: TorchDType,
  bytes: Uint8Array,
  byteOffset = 0,
  count = (bytes.byteLength - byteOffset) / DTYPE_BYTES[dtype],
): Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Uint8Array | Int8Array {
  const size = DTYPE_BYTES[dtype];
  // A fresh buffer is always aligned, whatever the alignment of the source bytes.
  const raw = copyBytes(bytes, byteOffset, byteOffset + count * size);
  const buffer = raw.buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, count);
    case 'float64':
      return new Float64Array(buffer, 0, count);
    case 'int64':
      return new BigInt64Array(buffer, 0, count);
    case 'int32':
      return new Int32Array(buffer, 0, count);
    case 'int16':
      return new Int16Array(buffer, 0, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, 0, count);
    case 'int8':
      return new Int8Array(buffer, 0, count);
    case 'float16':
      return halfToFloat32(new Uint16Array(buffer, 0, count));
    case 'bfloat16':
      return bfloat16ToFloat32(new Uint16Array(buffer, 0, count));
  }
}

export function halfToFloat32(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = halfBitsToNumber(half[i]);
  return out;
}

export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
  return new Float32Array(wide.buffer);
}

/** Reverses the bytes of every element in place (storages written on a big-endian machine). */
export function swapBytes(bytes: Uint8Array, elementSize: number): void {
  if (elementSize === 1) return;
  for (let i = 0; i + elementSize <= bytes.length; i += elementSize) {
    for (let a = i, b = i + elementSize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
