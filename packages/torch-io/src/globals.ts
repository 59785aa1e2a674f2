/**
 * What `GLOBAL`, `REDUCE`, `NEWOBJ` and `BUILD` mean to this reader. Nothing is ever executed: known callables
 * (torch/numpy rebuild functions, OrderedDict, Counter, set, ...) are interpreted by code written here, every
 * other class becomes an inert `PyObject`, and globals that can only be there to run something are refused.
 */
import { copyBytes, DTYPE_BYTES, TORCH_DTYPE_NAME, type TorchDType } from './dtype';
import { NumpyArray, NumpyDType, numpyScalar } from './numpy';
import { PyObject, markTuple, type PyValue } from './py-value';
import { TorchStorage, TorchTensor } from './tensor';

/** A reference to `module.name`, pushed by GLOBAL / STACK_GLOBAL. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A Python set while unpickling (becomes an array at the end). */
export class PySet {
  readonly items: unknown[] = [];
}

const REFUSED_MODULES = new Set([
  'os',
  'posix',
  'nt',
  'subprocess',
  'sys',
  'shutil',
  'socket',
  'pty',
  'importlib',
  'runpy',
  'pickle',
  '_pickle',
  'marshal',
  'ctypes',
  'code',
  'codeop',
  'webbrowser',
  'commands',
  'popen2',
  'multiprocessing',
  'asyncio',
  'signal',
  'platform',
  'pdb',
  'timeit',
  'bdb',
  'cProfile',
  'profile',
  'trace',
  'pydoc',
  'ensurepip',
  'venv',
  'urllib',
  'http',
  'ftplib',
  'smtplib',
  'telnetlib',
  'zipimport',
  'operator',
  'torch._C',
  'torch.hub',
  'torch.ops',
  'numpy.testing',
  'numpy.f2py',
  'numpy.distutils',
]);

const REFUSED_BUILTINS = new Set([
  'eval',
  'exec',
  'execfile',
  'compile',
  '__import__',
  'open',
  'file',
  'input',
  'raw_input',
  'getattr',
  'setattr',
  'delattr',
  'globals',
  'locals',
  'vars',
  'breakpoint',
  'reload',
  'apply',
  'memoryview',
  'help',
  'exit',
  'quit',
]);

/** GLOBAL `module name`: a reference, or an error naming a global that only code execution would need. */
export function resolveGlobal(module: string, name: string): PyGlobal {
  const root = module.split('.')[0];
  const refused =
    REFUSED_MODULES.has(module) ||
    REFUSED_MODULES.has(root) ||
    [...REFUSED_MODULES].some((m) => module.startsWith(`${m}.`)) ||
    ((module === 'builtins' || module === '__builtin__') && REFUSED_BUILTINS.has(name)) ||
    (name.startsWith('__') && name !== '__builtin__');
  if (refused) throw new Error(`refused to load global '${module}.${name}': it could execute code`);
  return new PyGlobal(module, name);
}

const NUMPY_MULTIARRAY = new Set(['numpy.core.multiarray', 'numpy._core.multiarray']);

/** REDUCE: `callable(*args)`, interpreted. */
export function reduceGlobal(callable: unknown, args: unknown[]): unknown {
  if (!(callable instanceof PyGlobal)) throw new Error('corrupt pickle: REDUCE on something that is not a global');
  const { module, name } = callable;
  const q = callable.qualified;
  if (module === 'torch._utils') {
    if (name === '_rebuild_tensor_v2' || name === '_rebuild_tensor') return rebuildTensor(args, q);
    if (name === '_rebuild_tensor_v3') return rebuildTensor(args, q, args[6]);
    if (name === '_rebuild_parameter' || name === '_rebuild_parameter_with_state') {
      const data = args[0];
      if (!(data instanceof TorchTensor)) throw new Error(`${q} expects a tensor`);
      data.requiresGrad = args[1] === true;
      return data;
    }
  }
  if (q === 'torch._tensor._rebuild_from_type_v2') {
    // Tensor subclasses: (rebuild function, subclass, its args, state); the data is what the inner call builds.
    return reduceGlobal(args[0], asArray(args[2], q));
  }
  if (module === 'torch.jit._pickle') {
    // TorchScript tags typed containers; the value itself is the first argument.
    if (name === 'restore_type_tag' || name.startsWith('build_')) return args[0];
  }
  if (NUMPY_MULTIARRAY.has(module) && name === '_reconstruct') return new NumpyArray();
  if (NUMPY_MULTIARRAY.has(module) && name === 'scalar') return numpyScalar(args[0] as PyValue, args[1] as PyValue);
  if (module === 'numpy' && name === 'dtype') return new NumpyDType(String(args[0]));
  if (module === '_codecs' && name === 'encode') return encodeString(args);
  if (q === 'torch.Size') return markTuple([...((args[0] as unknown[]) ?? [])]);
  if (q === 'torch.device') return args.map(String).join(':');
  if (module === 'builtins' || module === '__builtin__') {
    if (name === 'set' || name === 'frozenset') return fillSet(new PySet(), args[0]);
    if (name === 'bytearray' || name === 'bytes') return toBytes(args);
    if (name === 'list') return [...((args[0] as unknown[]) ?? [])];
    if (name === 'tuple') return markTuple([...((args[0] as unknown[]) ?? [])]);
    if (name === 'dict') return mapFrom(args[0]);
  }
  if (isDictClass(q)) return mapFrom(args[0]);
  if (q === 'copy_reg._reconstructor' || q === 'copyreg._reconstructor') {
    const cls = args[0];
    if (!(cls instanceof PyGlobal)) throw new Error(`${q} expects a class`);
    if (isDictClass(cls.qualified)) return new Map();
    return new PyObject(cls.qualified, args[2] == null ? [] : [args[2] as PyValue]);
  }
  return new PyObject(q, args as PyValue[]);
}

/** NEWOBJ / NEWOBJ_EX / OBJ / INST: `cls.__new__(cls, *args)`. */
export function newObject(cls: unknown, args: unknown[]): unknown {
  if (!(cls instanceof PyGlobal)) throw new Error('corrupt pickle: NEWOBJ on something that is not a class');
  const q = cls.qualified;
  if (isDictClass(q) || q === 'builtins.dict') return new Map();
  if (q === 'builtins.set' || q === 'builtins.frozenset') return fillSet(new PySet(), args[0]);
  if (q === 'builtins.object' || q === '__builtin__.object') return new PyObject(q);
  return new PyObject(q, args as PyValue[]);
}

/** BUILD: `obj.__setstate__(state)` or `obj.__dict__.update(state)`, for the types that need it. */
export function buildObject(obj: unknown, state: unknown): void {
  if (obj instanceof NumpyArray) obj.setState(state as PyValue);
  else if (obj instanceof NumpyDType) {
    if (Array.isArray(state) && typeof state[1] === 'string') obj.byteorder = state[1];
  } else if (obj instanceof PyObject) {
    if (obj.state instanceof Map && state instanceof Map) for (const [k, v] of state) obj.state.set(k, v);
    else obj.state = state as PyValue;
  }
  // Maps (OrderedDict `_metadata`) and tensors (backward hooks state) carry nothing a reader needs.
}

function isDictClass(q: string): boolean {
  return q === 'collections.OrderedDict' || q === 'collections.Counter' || q === 'collections.defaultdict' || q === 'torch.nn.modules.module._IncompatibleKeys';
}

function mapFrom(source: unknown): Map<unknown, unknown> {
  if (source instanceof Map) return new Map(source);
  const map = new Map();
  if (Array.isArray(source)) {
    for (const pair of source) if (Array.isArray(pair) && pair.length === 2) map.set(pair[0], pair[1]);
  }
  return map;
}

function fillSet(set: PySet, items: unknown): PySet {
  if (Array.isArray(items)) set.items.push(...items);
  return set;
}

function encodeString(args: unknown[]): Uint8Array {
  const [text, encoding] = args;
  if (typeof text !== 'string') throw new Error('_codecs.encode expects a str');
  if (encoding === 'latin1' || encoding === 'latin-1' || encoding === 'iso-8859-1') {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
    return out;
  }
  return new TextEncoder().encode(text);
}

function toBytes(args: unknown[]): Uint8Array {
  const first = args[0];
  if (first instanceof Uint8Array) return copyBytes(first);
  if (typeof first === 'string') return encodeString([first, args[1] ?? 'latin1']);
  if (Array.isArray(first)) return Uint8Array.from(first.map(Number));
  return new Uint8Array(0);
}

function rebuildTensor(args: unknown[], q: string, dtype?: unknown): TorchTensor {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof TorchStorage)) throw new Error(`${q}: first argument is not a storage`);
  if (!Array.isArray(size) || !Array.isArray(stride)) throw new Error(`${q}: size and stride must be tuples`);
  const typed = dtype === undefined ? storage : retype(storage, dtype, q);
  return new TorchTensor(typed, Number(offset), size.map(Number), stride.map(Number), args[4] === true);
}

// `_rebuild_tensor_v3` names the dtype beside an untyped (byte) storage; views of one storage share one retyped copy.
const retyped = new WeakMap<TorchStorage, Map<TorchDType, TorchStorage>>();

function retype(storage: TorchStorage, dtype: unknown, q: string): TorchStorage {
  const name = dtype instanceof PyGlobal && dtype.module === 'torch' ? TORCH_DTYPE_NAME[dtype.name] : undefined;
  if (!name) throw new Error(`${q}: unsupported dtype ${dtype instanceof PyGlobal ? dtype.qualified : String(dtype)}`);
  if (storage.dtype === name) return storage;
  let byDtype = retyped.get(storage);
  if (!byDtype) retyped.set(storage, (byDtype = new Map()));
  let result = byDtype.get(name);
  if (!result) {
    const bytes = storage.numel * DTYPE_BYTES[storage.dtype];
    result = new TorchStorage(name, storage.key, Math.floor(bytes / DTYPE_BYTES[name]), storage.device, () => storage.bytes);
    byDtype.set(name, result);
  }
  return result;
}

function asArray(value: unknown, q: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${q}: arguments are not a tuple`);
  return value;
}
