/**
 * `torch.save` without Python: the zip container (default, what torch ≥ 1.6 writes) or the legacy stream,
 * loadable by `torch.load` in the official PyTorch code.
 */
import { writeChunksAtomic } from './atomic-write';
import { DTYPE_BYTES } from './dtype';
import { encodePickle } from './pickler';
import type { PyWritable } from './py-value';
import type { TorchStorage } from './tensor';
import { zipChunks } from './zip';

export interface EncodePthOptions {
  /** 'zip' (default) or 'legacy' (`_use_new_zipfile_serialization=False`). */
  format?: 'zip' | 'legacy';
  /** The zip's top-level folder (default 'archive', as torch.save to a buffer writes). */
  archiveName?: string;
}

/** The bytes `torch.save(obj, f)` would write (same layout, not necessarily the same bytes). */
export function encodePth(obj: PyWritable, options: EncodePthOptions = {}): Uint8Array {
  return concat(encodePthChunks(obj, options));
}

/** `torch.save(obj, file)`, written atomically. */
export function savePth(file: string, obj: PyWritable, options: EncodePthOptions = {}): void {
  writeChunksAtomic(file, encodePthChunks(obj, options));
}

function encodePthChunks(obj: PyWritable, options: EncodePthOptions): Uint8Array[] {
  const storages: { key: string; storage: TorchStorage }[] = [];
  const legacy = options.format === 'legacy';
  const data = encodePickle(obj, { legacyStorageIds: legacy, onStorage: (storage, key) => storages.push({ key, storage }) });
  const storageBytes = (s: TorchStorage) => s.bytes.subarray(0, s.numel * DTYPE_BYTES[s.dtype]);
  if (!legacy) {
    const prefix = options.archiveName ?? 'archive';
    if (!/^[\w.-]+$/.test(prefix)) throw new Error(`archive name '${prefix}' must be a plain folder name`);
    return zipChunks([
      { name: `${prefix}/data.pkl`, data },
      { name: `${prefix}/byteorder`, data: new TextEncoder().encode('little') },
      ...storages.map(({ key, storage }) => ({ name: `${prefix}/data/${key}`, data: storageBytes(storage) })),
      { name: `${prefix}/version`, data: new TextEncoder().encode('3\n') },
    ]);
  }
  // Legacy: magic, protocol, sys info, object, sorted keys, then each storage as int64 numel + bytes.
  const keys = storages.map((s) => s.key).sort();
  const chunks = [
    encodePickle(0x1950a86a20f9469cfc6cn),
    encodePickle(1001),
    encodePickle({ protocol_version: 1001, little_endian: true, type_sizes: { short: 2, int: 4, long: 8 } }),
    data,
    encodePickle(keys),
  ];
  const byKey = new Map(storages.map((s) => [s.key, s.storage]));
  for (const key of keys) {
    const storage = byKey.get(key)!;
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, BigInt(storage.numel), true);
    chunks.push(count, storageBytes(storage));
  }
  return chunks;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
