/**
 * The JavaScript shapes a Python value decodes to. Nothing here can execute: classes the reader does not
 * know become `PyObject`s that only hold what the pickle gave them.
 */
import type { TorchTensor } from './tensor';
import type { NumpyArray } from './numpy';

/** A Python dict / OrderedDict / Counter / argparse.Namespace whose keys are all strings. */
export interface PyDict {
  [key: string]: PyValue;
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyDict | Map<PyValue, PyValue> | TorchTensor | NumpyArray | PyObject;

/** A Python float for the writer, where the number is integral (1.0) and must not be written as an int. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** `pyFloat(200)` is written as `200.0`; plain integral numbers are written as ints. */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** What the writer accepts: any `PyValue`, with `PyFloat` wherever a float must stay a float. */
export type PyWritable = PyValue | PyFloat | PyWritable[] | { [key: string]: PyWritable } | Map<PyWritable, PyWritable>;

/**
 * An instance of a class the reader does not map (e.g. `utils.word_utils.Corpus`): inert, it keeps the
 * constructor arguments and the state `BUILD` gave it (usually its `__dict__`).
 */
export class PyObject {
  constructor(
    /** `module.Name`, e.g. `utils.word_utils.Corpus`. */
    readonly __class__: string,
    public args: PyValue[] = [],
    public state: PyValue | undefined = undefined,
  ) {}
}

export function isPyObject(x: unknown): x is PyObject {
  return x instanceof PyObject;
}

// Tuples are arrays with a non-enumerable symbol mark: invisible to keys, JSON and deep equality, and much
// cheaper than a WeakSet when a split file holds hundreds of thousands of them.
const TUPLE = Symbol.for('clip-vg.torch-io.tuple');

/** Marks an array as a Python tuple (for `encodePth`); returns the same array. */
export function pyTuple<T extends PyWritable[]>(...items: T): T {
  return markTuple(items);
}

/** Marks an existing array as a tuple in place. */
export function markTuple<T extends unknown[]>(items: T): T {
  Object.defineProperty(items, TUPLE, { value: true });
  return items;
}

export function isPyTuple(x: unknown): boolean {
  return Array.isArray(x) && (x as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** Sets `key` on a plain object even when it is `__proto__`, which plain assignment would swallow. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** True for a plain object produced from a Python dict (not a tensor, array, Map or inert object). */
export function isPyDict(x: unknown): x is PyDict {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
