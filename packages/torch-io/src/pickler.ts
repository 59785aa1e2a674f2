/**
 * A protocol-2 pickle writer (the protocol torch.save uses) for the values split files and state dicts hold:
 * None, bool, int, float, str, bytes, lists, tuples, dicts, tensors (as persistent storage ids) and inert
 * objects read earlier. It memoises like Python's pickler, so repeated strings and shared lists cost one BINGET.
 */
import { DTYPE_BYTES, type TorchDType } from './dtype';
import { NUMPY_CODES, NumpyArray } from './numpy';
import { PyFloat, PyObject, isPyTuple, markTuple, type PyWritable } from './py-value';
import { TorchStorage, TorchTensor } from './tensor';

const STORAGE_CLASS: Record<TorchDType, string> = {
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  float64: 'DoubleStorage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  uint8: 'ByteStorage',
  int8: 'CharStorage',
  bool: 'BoolStorage',
};

const BATCH = 1000; // Python's pickler batches APPENDS / SETITEMS by 1000 items too.

export interface PickleOptions {
  /** How tensors' storages are named; every distinct storage is reported once through `onStorage`. */
  onStorage?: (storage: TorchStorage, key: string) => void;
  /** Legacy torch.save ids carry a sixth element (view metadata, None). */
  legacyStorageIds?: boolean;
}

/** Encodes `value` as one protocol-2 pickle. Integral numbers are written as Python ints, others as floats. */
export function encodePickle(value: PyWritable, options: PickleOptions = {}): Uint8Array {
  const writer = new Pickler(options);
  writer.op(0x80, 2); // PROTO 2
  writer.save(value);
  writer.op(0x2e); // STOP
  return writer.result();
}

class Pickler {
  private chunks: Uint8Array[] = [];
  private buffer = Buffer.allocUnsafe(1 << 16);
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  private length = 0;
  // Python memoises by identity; strings are values here, so equal strings share one entry. Two maps keep
  // each monomorphic, which matters for the millions of entries of a large split.
  private stringMemo = new Map<string, number>();
  private objectMemo = new Map<unknown, number>();
  private storageKeys = new Map<TorchStorage, string>();

  constructor(private readonly options: PickleOptions) {}

  save(value: PyWritable | undefined): void {
    if (value === null || value === undefined) return this.op(0x4e); // NONE
    if (value === true) return this.op(0x88);
    if (value === false) return this.op(0x89);
    if (typeof value === 'number') return this.saveNumber(value);
    if (typeof value === 'bigint') return this.saveLong(value);
    if (typeof value === 'string') return this.saveString(value);
    if (this.memoGet(value)) return;
    if (value instanceof Uint8Array) return this.saveBytes(value);
    if (Array.isArray(value)) return isPyTuple(value) ? this.saveTuple(value) : this.saveList(value);
    if (value instanceof Map) return this.saveDict([...value.entries()], value);
    if (value instanceof TorchTensor) return this.saveTensor(value);
    if (value instanceof PyFloat) return this.saveFloat(value.value);
    if (value instanceof NumpyArray) return this.saveNdarray(value);
    if (value instanceof PyObject) return this.saveObject(value);
    if (typeof value === 'object') return this.saveDict(Object.entries(value), value);
    throw new Error(`cannot pickle a value of type ${typeof value}`);
  }

  private saveFloat(x: number): void {
    this.op(0x47); // BINFLOAT, big-endian
    this.reserve(8);
    this.view.setFloat64(this.length, x, false);
    this.length += 8;
  }

  private saveNumber(x: number): void {
    if (!Number.isInteger(x) || Object.is(x, -0)) this.saveFloat(x);
    else if (x >= 0 && x < 0x100) this.op(0x4b, x);
    else if (x >= 0 && x < 0x10000) this.op(0x4d, x & 0xff, x >> 8);
    else if (x >= -0x80000000 && x <= 0x7fffffff) {
      this.op(0x4a);
      this.int32(x);
    } else this.saveLong(BigInt(x));
  }

  /** LONG1: little-endian two's complement, as few bytes as keep the sign. */
  private saveLong(x: bigint): void {
    const bytes: number[] = [];
    let v = x;
    while (true) {
      const byte = Number(v & 0xffn);
      bytes.push(byte);
      v >>= 8n;
      if ((v === 0n && !(byte & 0x80)) || (v === -1n && byte & 0x80)) break;
    }
    if (x === 0n) bytes.length = 0;
    if (bytes.length < 256) this.op(0x8a, bytes.length);
    else {
      this.op(0x8b);
      this.int32(bytes.length);
    }
    this.raw(Uint8Array.from(bytes));
  }

  private saveString(s: string): void {
    if (this.memoGet(s)) return;
    const n = Buffer.byteLength(s, 'utf8');
    this.op(0x58); // BINUNICODE
    this.int32(n);
    this.reserve(n);
    this.length += this.buffer.write(s, this.length, n, 'utf8');
    this.memoPut(s);
  }

  /** Protocol 2 has no bytes opcode: Python writes `_codecs.encode(latin1_text, 'latin1')`. */
  private saveBytes(b: Uint8Array): void {
    if (b.length === 0) {
      this.global('__builtin__', 'bytes');
      this.op(0x29); // EMPTY_TUPLE
    } else {
      this.global('_codecs', 'encode');
      let text = '';
      for (let i = 0; i < b.length; i += 8192) text += String.fromCharCode(...b.subarray(i, i + 8192));
      this.tuple(2, () => {
        this.saveString(text);
        this.saveString('latin1');
      });
    }
    this.reduce(b);
  }

  private saveTuple(items: PyWritable[]): void {
    this.tuple(items.length, () => items.forEach((item) => this.save(item)), items);
  }

  /** A tuple of `n` items written by `writeItems`, memoised as Python does (TUPLE1..3 up to three items). */
  private tuple(n: number, writeItems: () => void, identity: object = {}): void {
    if (n === 0) return this.op(0x29); // EMPTY_TUPLE
    if (n > 3) this.op(0x28);
    writeItems();
    this.op(n > 3 ? 0x74 : 0x84 + n);
    this.memoPut(identity);
  }

  /** REDUCE, with its result memoised. */
  private reduce(identity: object = {}): void {
    this.op(0x52);
    this.memoPut(identity);
  }

  private saveList(items: PyWritable[]): void {
    this.op(0x5d); // EMPTY_LIST
    this.memoPut(items);
    for (let i = 0; i < items.length; i += BATCH) {
      const batch = items.slice(i, i + BATCH);
      if (batch.length === 1) {
        this.save(batch[0]);
        this.op(0x61); // APPEND
      } else {
        this.op(0x28);
        for (const item of batch) this.save(item);
        this.op(0x65); // APPENDS
      }
    }
  }

  private saveDict(entries: [PyWritable, PyWritable][], identity: object): void {
    this.op(0x7d); // EMPTY_DICT
    this.memoPut(identity);
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch = entries.slice(i, i + BATCH);
      if (batch.length === 1) {
        this.save(batch[0][0]);
        this.save(batch[0][1]);
        this.op(0x73); // SETITEM
      } else {
        this.op(0x28);
        for (const [k, v] of batch) {
          this.save(k);
          this.save(v);
        }
        this.op(0x75); // SETITEMS
      }
    }
  }

  /** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`, as torch writes it. */
  private saveTensor(t: TorchTensor): void {
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.tuple(6, () => {
      const key = this.storageKey(t.storage);
      this.tuple(this.options.legacyStorageIds ? 6 : 5, () => {
        this.saveString('storage');
        this.global('torch', STORAGE_CLASS[t.dtype]);
        this.saveString(key);
        this.saveString(t.storage.device || 'cpu');
        this.saveNumber(t.storage.numel);
        if (this.options.legacyStorageIds) this.op(0x4e); // no view metadata
      });
      this.op(0x51); // BINPERSID
      this.saveNumber(t.storageOffset);
      this.saveIntTuple(t.shape);
      this.saveIntTuple(t.stride);
      this.save(t.requiresGrad);
      this.global('collections', 'OrderedDict');
      this.op(0x29); // EMPTY_TUPLE
      this.reduce();
    });
    this.reduce(t);
  }

  /** numpy's own `__reduce__`: `_reconstruct(ndarray, (0,), b'b')` then BUILD `(1, shape, dtype, False, raw)`. */
  private saveNdarray(a: NumpyArray): void {
    const code = Object.entries(NUMPY_CODES).find(([, info]) => info.name === a.dtype)?.[0];
    if (!code || code === 'f2' || a.objects) throw new Error(`writing numpy arrays of dtype ${a.dtype} is not supported`);
    this.global('numpy.core.multiarray', '_reconstruct');
    this.tuple(3, () => {
      this.global('numpy', 'ndarray');
      this.saveIntTuple([0]);
      this.saveBytes(Uint8Array.of(0x62));
    });
    this.reduce(a);
    this.tuple(5, () => {
      this.saveNumber(1);
      this.saveIntTuple(a.shape);
      this.global('numpy', 'dtype');
      this.tuple(3, () => {
        this.saveString(code);
        this.op(0x89, 0x88); // align=False, copy=True
      });
      this.reduce();
      this.tuple(8, () => {
        this.saveNumber(3);
        this.saveString(NUMPY_CODES[code].size === 1 ? '|' : '<');
        this.op(0x4e, 0x4e, 0x4e);
        [-1, -1, 0].forEach((v) => this.saveNumber(v));
      });
      this.op(0x62); // BUILD the dtype
      this.save(false);
      this.saveBytes(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    });
    this.op(0x62); // BUILD the array
  }

  private storageKey(storage: TorchStorage): string {
    let key = this.storageKeys.get(storage);
    if (key === undefined) {
      key = String(this.storageKeys.size);
      this.storageKeys.set(storage, key);
      if (storage.bytes.length < storage.numel * DTYPE_BYTES[storage.dtype]) throw new Error(`storage '${storage.key}' is shorter than its numel`);
      this.options.onStorage?.(storage, key);
    }
    return key;
  }

  private saveIntTuple(values: number[]): void {
    this.tuple(values.length, () => values.forEach((v) => this.saveNumber(v)));
  }

  /** Inert objects go back as `cls.__new__(cls, *args)` + BUILD(state), which is how Python wrote them. */
  private saveObject(o: PyObject): void {
    const dot = o.__class__.lastIndexOf('.');
    this.global(o.__class__.slice(0, dot), o.__class__.slice(dot + 1));
    this.saveTuple(markTuple([...o.args]));
    this.op(0x81); // NEWOBJ
    this.memoPut(o);
    if (o.state !== undefined) {
      this.save(o.state);
      this.op(0x62); // BUILD
    }
  }

  private global(module: string, name: string): void {
    const id = `\0global ${module} ${name}`;
    if (this.memoGet(id)) return;
    this.op(0x63);
    this.raw(Buffer.from(`${module}\n${name}\n`, 'utf8'));
    this.memoPut(id);
  }

  // --- memo ---

  private memoGet(key: unknown): boolean {
    const index = typeof key === 'string' ? this.stringMemo.get(key) : this.objectMemo.get(key);
    if (index === undefined) return false;
    if (index < 0x100)
      this.op(0x68, index); // BINGET
    else {
      this.op(0x6a); // LONG_BINGET
      this.uint32(index);
    }
    return true;
  }

  private memoPut(key: unknown): void {
    const index = this.stringMemo.size + this.objectMemo.size;
    if (typeof key === 'string') this.stringMemo.set(key, index);
    else this.objectMemo.set(key, index);
    if (index < 0x100)
      this.op(0x71, index); // BINPUT
    else {
      this.op(0x72); // LONG_BINPUT
      this.uint32(index);
    }
  }

  // --- bytes ---

  op(...bytes: number[]): void {
    this.reserve(bytes.length);
    for (const b of bytes) this.buffer[this.length++] = b;
  }

  private int32(x: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, x, true);
    this.length += 4;
  }

  private uint32(x: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, x, true);
    this.length += 4;
  }

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    this.chunks.push(this.buffer.subarray(0, this.length));
    this.buffer = Buffer.allocUnsafe(Math.max(1 << 16, n));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.length = 0;
  }

  result(): Uint8Array {
    const parts = [...this.chunks, this.buffer.subarray(0, this.length)];
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
