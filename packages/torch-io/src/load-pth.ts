/**
 * `torch.load` without Python: the zip container (torch ≥ 1.6), the legacy stream (magic, protocol, sys info,
 * object, storage keys, raw storages) and plain pickles. The file is read once; storages are views into it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { copyBytes, DTYPE_BYTES, STORAGE_CLASS_DTYPE, TORCH_DTYPE_NAME, swapBytes, type TorchDType } from './dtype';
import { PyGlobal } from './globals';
import type { PyValue } from './py-value';
import { TorchStorage } from './tensor';
import { unpickle } from './unpickler';
import { ZipReader, isZip } from './zip';

export interface LoadPthOptions {
  /** Refuse files larger than this many bytes (default: no limit). */
  maxBytes?: number;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** Reads a `torch.save` / `pickle.dump` file (or its bytes). Errors name the file. */
export function loadPth(source: string | Uint8Array, options: LoadPthOptions = {}): PyValue {
  const label = typeof source === 'string' ? source : '<bytes>';
  try {
    const bytes = typeof source === 'string' ? readWholeFile(source, options.maxBytes) : source;
    if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
      throw new Error(`is ${bytes.length} bytes, over the ${options.maxBytes}-byte limit`);
    }
    if (bytes.length === 0) throw new Error('is empty');
    if (isZip(bytes)) return loadZip(bytes);
    return loadLegacyOrPickle(bytes);
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}`);
  }
}

/** One allocation of exactly the file size (not pooled, so it starts aligned), filled in chunks. */
export function readWholeFile(file: string, maxBytes?: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (maxBytes !== undefined && size > maxBytes) throw new Error(`is ${size} bytes, over the ${maxBytes}-byte limit`);
    const buffer = Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buffer, done, Math.min(size - done, 1 << 30), done);
      if (n === 0) throw new Error(`shrank while being read (${done} of ${size} bytes)`);
      done += n;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}

function loadZip(bytes: Uint8Array): PyValue {
  const zip = new ZipReader(bytes);
  const pkl = [...zip.entries.keys()].find((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
  if (!pkl) throw new Error('zip archive has no data.pkl: not a torch.save file');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const byteorder = zip.entries.has(`${prefix}byteorder`) ? new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim() : 'little';
  const storages = new Map<string, TorchStorage>();

  const persistentLoad = (pid: unknown): TorchStorage => {
    const { dtype, key, location, numel } = parseStoragePid(pid);
    const cached = storages.get(key);
    if (cached) return cached;
    const size = DTYPE_BYTES[dtype];
    const member = `${prefix}data/${key}`;
    let data = zip.read(member);
    if (data.length < numel * size) {
      throw new Error(`storage '${member}' holds ${data.length} bytes, but ${numel} ${dtype} elements need ${numel * size}`);
    }
    data = data.subarray(0, numel * size);
    if (byteorder === 'big') {
      data = copyBytes(data);
      swapBytes(data, size);
    }
    const storage = new TorchStorage(dtype, key, numel, location, data);
    storages.set(key, storage);
    return storage;
  };
  return unpickle(zip.read(pkl), { persistentLoad }).value;
}

function loadLegacyOrPickle(bytes: Uint8Array): PyValue {
  const first = unpickle(bytes);
  if (first.value !== LEGACY_MAGIC || first.end >= bytes.length - 1) {
    if (first.value === LEGACY_MAGIC) throw new Error('truncated legacy torch file: nothing after the magic number');
    return first.value;
  }
  const protocol = unpickle(bytes, { start: first.end });
  if (protocol.value !== 1001) throw new Error(`legacy torch file has protocol ${String(protocol.value)}, expected 1001`);
  const sysInfo = unpickle(bytes, { start: protocol.end });
  const info = sysInfo.value as Record<string, PyValue> | null;
  if (info && typeof info === 'object' && info['little_endian'] === false) {
    throw new Error('legacy torch file was written on a big-endian machine, which is not supported');
  }

  // Storages are declared while the object is decoded; their bytes come after it, so they resolve lazily.
  const roots = new Map<string, { dtype: TorchDType; numel: number; bytes?: Uint8Array }>();
  const storages = new Map<string, TorchStorage>();
  const rootBytes = (key: string): Uint8Array => {
    const bytesOf = roots.get(key)?.bytes;
    if (!bytesOf) throw new Error(`storage '${key}' has no data in the file`);
    return bytesOf;
  };
  const persistentLoad = (pid: unknown): TorchStorage => {
    const { dtype, key, location, numel, view } = parseStoragePid(pid);
    if (!roots.has(key)) roots.set(key, { dtype, numel });
    const size = DTYPE_BYTES[dtype];
    if (view) {
      const id = `${key}/${view.key}`;
      const cached = storages.get(id);
      if (cached) return cached;
      const storage = new TorchStorage(dtype, view.key, view.size, location, () =>
        rootBytes(key).subarray(view.offset * size, (view.offset + view.size) * size),
      );
      storages.set(id, storage);
      return storage;
    }
    const cached = storages.get(key);
    if (cached) return cached;
    const storage = new TorchStorage(dtype, key, numel, location, () => rootBytes(key));
    storages.set(key, storage);
    return storage;
  };
  const object = unpickle(bytes, { start: sysInfo.end, persistentLoad });
  const keys = unpickle(bytes, { start: object.end });
  if (!Array.isArray(keys.value)) throw new Error('legacy torch file: storage key list is missing');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = keys.end;
  for (const key of keys.value) {
    const root = roots.get(String(key));
    if (!root) throw new Error(`legacy torch file: storage '${String(key)}' is not used by the object`);
    if (p + 8 > bytes.length) throw new Error(`truncated legacy torch file: storage '${String(key)}' header at byte ${p}`);
    const count = Number(view.getBigInt64(p, true));
    const length = count * DTYPE_BYTES[root.dtype];
    p += 8;
    if (p + length > bytes.length) {
      throw new Error(`truncated legacy torch file: storage '${String(key)}' needs ${length} bytes at byte ${p}, file has ${bytes.length}`);
    }
    root.bytes = bytes.subarray(p, p + length);
    p += length;
  }
  return object.value;
}

interface StoragePid {
  dtype: TorchDType;
  key: string;
  location: string;
  numel: number;
  view?: { key: string; offset: number; size: number };
}

/** `('storage', torch.FloatStorage, key, location, numel[, view_metadata])`. */
function parseStoragePid(pid: unknown): StoragePid {
  if (!Array.isArray(pid) || pid[0] !== 'storage') throw new Error('unknown persistent id (not a torch storage)');
  const [, type, key, location, numel, viewMeta] = pid;
  const dtype = storageDtype(type);
  const result: StoragePid = { dtype, key: String(key), location: String(location), numel: Number(numel) };
  if (Array.isArray(viewMeta)) {
    result.view = { key: String(viewMeta[0]), offset: Number(viewMeta[1]), size: Number(viewMeta[2]) };
  }
  return result;
}

function storageDtype(type: unknown): TorchDType {
  if (type instanceof PyGlobal) {
    const byClass = STORAGE_CLASS_DTYPE[type.name];
    if (byClass) return byClass;
    if (type.name === 'UntypedStorage') return 'uint8';
    // torch ≥ 2 may name the dtype itself (`torch.float32`).
    const byName = TORCH_DTYPE_NAME[type.name];
    if (type.module === 'torch' && byName) return byName;
    throw new Error(`storage type '${type.qualified}' is not supported`);
  }
  throw new Error('storage type in persistent id is not a torch class');
}
