/**
 * safetensors files as weight sources: torch-io reads and writes the format; this adapts it to `WeightSource`,
 * whose tensors come out as float32 whatever their stored dtype.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { openSafetensors, safetensorsToFloat32, writeSafetensors, type LazySafetensorsEntry } from '@clip-vg/torch-io';
import { weightTensor, type WeightSource } from './source';

/** Every tensor of `file` as a weight (raw bytes read now, decoded to float32 when asked), and its metadata. */
export function readSafetensorsWeights(file: string): { tensors: WeightSource; metadata: Record<string, string> } {
  const reader = openSafetensors(file);
  try {
    const tensors: WeightSource = {};
    for (const name of reader.names()) {
      const entry = reader.get(name);
      tensors[name] = weightTensor(entry.shape, () => safetensorsToFloat32(entry));
    }
    return { tensors, metadata: { ...reader.metadata } };
  } finally {
    reader.close();
  }
}

/** Writes `weights` as float32, names sorted, fetching each weight only while it is written; makes the folder. */
export function writeSafetensorsWeights(file: string, weights: WeightSource, metadata: Record<string, string> = {}): void {
  const entries: Record<string, LazySafetensorsEntry> = {};
  for (const name of Object.keys(weights).sort()) {
    const weight = weights[name];
    entries[name] = { dtype: 'F32', shape: weight.shape, data: () => weight.toFloat32Array() };
  }
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeSafetensors(file, entries, Object.keys(metadata).length ? metadata : undefined);
}
