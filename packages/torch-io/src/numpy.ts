/**
 * numpy arrays and scalars inside pickles (`numpy.core.multiarray._reconstruct` + `BUILD`, and
 * `numpy.core.multiarray.scalar`), decoded into typed arrays without numpy.
 */
import { copyBytes, halfToFloat32, swapBytes, type TypedArray } from './dtype';
import type { PyValue } from './py-value';

/** `numpy.dtype(...)` as the pickle builds it: a type code ('f8', 'i4', 'b1', ...) and a byte order. */
export class NumpyDType {
  byteorder = '=';
  constructor(readonly code: string) {}

  /** Human name: 'float64', 'int32', 'bool', ... */
  get name(): string {
    const info = NUMPY_CODES[this.code.replace(/^[<>=|]/, '')];
    return info ? info.name : this.code;
  }
}

interface CodeInfo {
  name: string;
  size: number;
  view: (buffer: ArrayBufferLike, count: number) => TypedArray;
}

export const NUMPY_CODES: Record<string, CodeInfo> = {
  f8: { name: 'float64', size: 8, view: (b, n) => new Float64Array(b, 0, n) },
  f4: { name: 'float32', size: 4, view: (b, n) => new Float32Array(b, 0, n) },
  f2: { name: 'float16', size: 2, view: (b, n) => halfToFloat32(new Uint16Array(b, 0, n)) },
  i8: { name: 'int64', size: 8, view: (b, n) => new BigInt64Array(b, 0, n) },
  u8: { name: 'uint64', size: 8, view: (b, n) => new BigUint64Array(b, 0, n) },
  i4: { name: 'int32', size: 4, view: (b, n) => new Int32Array(b, 0, n) },
  u4: { name: 'uint32', size: 4, view: (b, n) => new Uint32Array(b, 0, n) },
  i2: { name: 'int16', size: 2, view: (b, n) => new Int16Array(b, 0, n) },
  u2: { name: 'uint16', size: 2, view: (b, n) => new Uint16Array(b, 0, n) },
  i1: { name: 'int8', size: 1, view: (b, n) => new Int8Array(b, 0, n) },
  u1: { name: 'uint8', size: 1, view: (b, n) => new Uint8Array(b, 0, n) },
  b1: { name: 'bool', size: 1, view: (b, n) => new Uint8Array(b, 0, n) },
};

/** A numpy ndarray: `data` is row-major (Fortran-ordered arrays are reordered), float16 widened to float32. */
export class NumpyArray {
  dtype = 'float64';
  shape: number[] = [];
  data: TypedArray = new Float64Array(0);
  /** Elements of an object (`dtype('O')`) array, which pickles its items instead of raw bytes. */
  objects: PyValue[] | undefined;

  /** Applies the `__setstate__` tuple `(version, shape, dtype, is_fortran, rawdata)`. */
  setState(state: PyValue): void {
    if (!Array.isArray(state)) throw new Error('numpy array state is not a tuple');
    const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state;
    if (!Array.isArray(shape) || !(dtype instanceof NumpyDType)) throw new Error('numpy array state is malformed');
    this.shape = shape.map(Number);
    this.dtype = dtype.name;
    const count = this.shape.reduce((a, b) => a * b, 1);
    if (Array.isArray(raw)) {
      this.dtype = 'object';
      this.objects = raw;
      this.data = new Uint8Array(0);
      return;
    }
    const bytes = typeof raw === 'string' ? latin1Bytes(raw) : raw;
    if (!(bytes instanceof Uint8Array)) throw new Error(`numpy array of dtype ${dtype.code} has no raw bytes`);
    this.data = decodeNumpyBytes(dtype, bytes, count);
    if (fortran === true && this.shape.length > 1) this.data = fortranToRowMajor(this.data, this.shape);
  }
}

export function isNumpyArray(x: unknown): x is NumpyArray {
  return x instanceof NumpyArray;
}

function decodeNumpyBytes(dtype: NumpyDType, raw: Uint8Array, count: number): TypedArray {
  const info = NUMPY_CODES[dtype.code.replace(/^[<>=|]/, '')];
  if (!info) throw new Error(`numpy dtype '${dtype.code}' is not supported`);
  if (raw.byteLength < count * info.size) {
    throw new Error(`numpy array data is ${raw.byteLength} bytes, expected ${count * info.size}`);
  }
  const copy = copyBytes(raw, 0, count * info.size);
  if (dtype.byteorder === '>' || dtype.code.startsWith('>')) swapBytes(copy, info.size);
  return info.view(copy.buffer, count);
}

/**
 * Python 2 pickles carry numpy's raw bytes as a `str`, which this reader decodes as text; when it was not
 * valid UTF-8 it arrived as latin-1, one char per byte, which is what `encoding='latin1'` gives in Python 3.
 */
function latin1Bytes(text: string): Uint8Array {
  // A char above 0xFF means the bytes were valid UTF-8 and were decoded as such; encoding them back is exact.
  // (Valid UTF-8 whose chars all stay below 0x100 is ambiguous and read as latin-1: a known limit.)
  if (/[\u0100-\uffff]/.test(text)) return new TextEncoder().encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function fortranToRowMajor(data: TypedArray, shape: number[]): TypedArray {
  const out = new (data.constructor as new (n: number) => TypedArray)(data.length);
  const index = new Array<number>(shape.length).fill(0);
  // Column-major strides: the first axis varies fastest.
  const strides = shape.map((_, d) => shape.slice(0, d).reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at += index[d] * strides[d];
    (out as unknown as unknown[])[i] = (data as unknown as unknown[])[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** `numpy.core.multiarray.scalar(dtype, bytes)` → a JS number, boolean or (beyond 2^53) bigint. */
export function numpyScalar(dtype: PyValue, raw: PyValue): PyValue {
  const bytes = typeof raw === 'string' ? latin1Bytes(raw) : raw;
  if (!(dtype instanceof NumpyDType) || !(bytes instanceof Uint8Array)) throw new Error('numpy scalar is malformed');
  const values = decodeNumpyBytes(dtype, bytes, 1);
  const value = values[0];
  if (dtype.name === 'bool') return value !== 0;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  return value;
}
