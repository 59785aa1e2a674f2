/**
 * Turns what the pickle VM built into the public `PyValue` shapes: dicts with all-string keys become plain
 * objects, sets become arrays, `argparse.Namespace` becomes its attributes. It runs once, after STOP, because
 * a dict's keys are only known when the whole stream has been read; shared objects stay shared.
 */
import { PyGlobal, PySet } from './globals';
import { NumpyArray, NumpyDType } from './numpy';
import { PyObject, setOwn, type PyValue } from './py-value';

/** Classes whose instances are nothing but their attribute dict. */
const PLAIN_CLASSES = new Set(['argparse.Namespace', 'types.SimpleNamespace', 'easydict.EasyDict']);

export function finalizeValue(root: unknown, shared?: Set<unknown>): PyValue {
  // Only objects reached twice need remembering; without `shared` (built by the VM from memo reads), all are.
  const done = new Map<unknown, PyValue>();
  const remember = (value: unknown): boolean => shared === undefined || (shared.size > 0 && shared.has(value));

  const visit = (value: unknown): PyValue => {
    if (value === null || typeof value !== 'object') return value as PyValue;
    const tracked = remember(value);
    if (tracked) {
      const seen = done.get(value);
      if (seen !== undefined) return seen;
    }
    const record = <T extends PyValue>(result: T): T => {
      if (tracked) done.set(value, result);
      return result;
    };

    if (Array.isArray(value)) {
      // Arrays are the VM's own, so they are converted in place and keep their tuple mark.
      record(value as PyValue[]);
      for (let i = 0; i < value.length; i++) value[i] = visit(value[i]);
      return value as PyValue[];
    }
    if (value instanceof Map) {
      const allStrings = [...value.keys()].every((k) => typeof k === 'string');
      if (allStrings) {
        const object: Record<string, PyValue> = {};
        record(object);
        for (const [k, v] of value) setOwn(object, k as string, visit(v));
        return object;
      }
      const map = new Map<PyValue, PyValue>();
      record(map);
      for (const [k, v] of value) map.set(visit(k), visit(v));
      return map;
    }
    if (value instanceof PySet) {
      const items: PyValue[] = [];
      record(items);
      for (const item of value.items) items.push(visit(item));
      return items;
    }
    if (value instanceof PyObject) {
      if (PLAIN_CLASSES.has(value.__class__) && (value.state instanceof Map || value.state === undefined)) {
        return record(visit(value.state ?? new Map()));
      }
      record(value);
      value.args = value.args.map(visit);
      if (value.state !== undefined) value.state = visit(value.state);
      return value;
    }
    if (value instanceof PyGlobal) {
      // A bare class or function reference (e.g. `torch.float32`): inert, named.
      return record(new PyObject(value.qualified));
    }
    if (value instanceof NumpyDType) return value.name;
    if (value instanceof NumpyArray) {
      if (value.objects) value.objects = value.objects.map(visit);
      return value;
    }
    return value as PyValue; // tensors, Uint8Array
  };

  return visit(root);
}
