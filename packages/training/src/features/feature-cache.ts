/**
 * Frozen CLIP features of the eval transform, computed once and reused: visual tokens per image (with its pixel
 * mask and letterbox geometry) and text tokens per lower-cased text. Several expressions share an image, and a
 * curriculum retrains many models on the same samples, so each encoder runs once per image / text.
 *
 * Only valid while CLIP (including the visual positional embedding) stays frozen; the trainer freezes it in
 * cached mode. Entries are kept in memory and, with `dir`, also on disk as small safetensors files keyed by a
 * hash of the CLIP weights, the image file (path, size, mtime), the image size and the extract layers.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { evalTransformRecord, recordImagePath, type GroundingRecord, type TextTokenizer } from '@clip-vg/datasets';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { boxToLetterbox, type LetterboxGeometry } from '@clip-vg/image';
import { openSafetensors, writeSafetensors } from '@clip-vg/torch-io';

export interface VisualEntry {
  /** [1 + P, layers · visionWidth] */
  visual: Float32Array;
  /** [imsize, imsize], 1 = padding */
  mask: Uint8Array;
  geometry: LetterboxGeometry;
}

export interface FeatureCacheOptions {
  /** Folder for the on-disk copy (created if missing); omitted: memory only. */
  dir?: string;
  /** Images / texts encoded per forward pass (default 32). */
  batchSize?: number;
}

/** The cached inputs of a list of records, in order: what the fusion transformer needs. */
export interface FeatureTable {
  records: readonly GroundingRecord[];
  visual: VisualEntry[];
  text: Float32Array[];
  /** [N, L] token ids. */
  ids: Int32Array;
  /** [N, 4] eval-transform boxes, normalised cxcywh. */
  boxes: Float32Array;
  visualSize: number;
  textSize: number;
  contextLength: number;
}

export class FeatureCache {
  readonly dir: string | undefined;
  private readonly batchSize: number;
  private readonly visual = new Map<string, VisualEntry>();
  private readonly text = new Map<string, Float32Array>();
  private clipKeys = new WeakMap<object, string>();

  constructor(options: FeatureCacheOptions = {}) {
    this.dir = options.dir === undefined ? undefined : path.resolve(options.dir);
    this.batchSize = options.batchSize ?? 32;
    if (this.dir) mkdirSync(this.dir, { recursive: true });
  }

  /** Features of `records` under `model`'s frozen CLIP, computing only what neither memory nor disk holds. */
  async table(model: ClipVG, records: readonly GroundingRecord[], imageRoot: string, tokenizer: TextTokenizer): Promise<FeatureTable> {
    const { imsize, maxQueryLen: contextLength } = model.config;
    const clipKey = this.clipKey(model);
    const imageKeys = records.map((r) => this.imageKey(clipKey, recordImagePath(r, imageRoot), imsize, model.config.extractLayers));
    const texts = records.map((r) => r.text.toLowerCase());
    const { ids } = tokenizer.tokenize(texts, { contextLength });
    const textKeys = texts.map((t) => hash(`${clipKey}|text|${contextLength}|${t}`));

    await this.fillVisual(model, records, imageRoot, imageKeys);
    await this.fillText(model, textKeys, ids, contextLength);

    const visual = imageKeys.map((k) => this.visual.get(k)!);
    const boxes = new Float32Array(records.length * 4);
    records.forEach((r, i) => boxes.set(boxToLetterbox(r.box, visual[i].geometry), i * 4));
    return {
      records,
      visual,
      text: textKeys.map((k) => this.text.get(k)!),
      ids,
      boxes,
      visualSize: visual[0]?.visual.length ?? 0,
      textSize: contextLength * model.config.clip.embedDim,
      contextLength,
    };
  }

  /** Forget the in-memory entries (the disk copy stays). */
  clear(): void {
    this.visual.clear();
    this.text.clear();
  }

  private async fillVisual(model: ClipVG, records: readonly GroundingRecord[], imageRoot: string, keys: string[]): Promise<void> {
    const missing: Array<{ key: string; record: GroundingRecord }> = [];
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (seen.has(key) || this.visual.has(key)) return;
      seen.add(key);
      const fromDisk = this.readVisual(key);
      if (fromDisk) this.visual.set(key, fromDisk);
      else missing.push({ key, record: records[i] });
    });
    const { imsize } = model.config;
    for (let start = 0; start < missing.length; start += this.batchSize) {
      const chunk = missing.slice(start, start + this.batchSize);
      const samples = await Promise.all(chunk.map(({ record }) => evalTransformRecord(record, imageRoot, imsize)));
      const pixels = new Float32Array(chunk.length * imsize * imsize * 3);
      samples.forEach((s, k) => pixels.set(s.pixels, k * imsize * imsize * 3));
      const features = tf.tidy(() => model.encodeVisual(tf.tensor4d(pixels, [chunk.length, imsize, imsize, 3])));
      const data = features.dataSync() as Float32Array;
      const size = data.length / chunk.length;
      features.dispose();
      chunk.forEach(({ key }, k) => {
        const entry = { visual: data.slice(k * size, (k + 1) * size), mask: samples[k].mask, geometry: samples[k].geometry! };
        this.visual.set(key, entry);
        this.writeVisual(key, entry);
      });
    }
  }

  private async fillText(model: ClipVG, keys: string[], ids: Int32Array, contextLength: number): Promise<void> {
    const missing: Array<{ key: string; row: number }> = [];
    const seen = new Set<string>();
    keys.forEach((key, row) => {
      if (seen.has(key) || this.text.has(key)) return;
      seen.add(key);
      const fromDisk = this.readEntry(`t-${key}`)?.get('text');
      if (fromDisk) this.text.set(key, fromDisk.data as Float32Array);
      else missing.push({ key, row });
    });
    for (let start = 0; start < missing.length; start += this.batchSize) {
      const chunk = missing.slice(start, start + this.batchSize);
      const batchIds = new Int32Array(chunk.length * contextLength);
      chunk.forEach(({ row }, k) => batchIds.set(ids.subarray(row * contextLength, (row + 1) * contextLength), k * contextLength));
      const features = tf.tidy(() => model.encodeText(tf.tensor2d(batchIds, [chunk.length, contextLength], 'int32')));
      const data = features.dataSync() as Float32Array;
      const size = data.length / chunk.length;
      features.dispose();
      chunk.forEach(({ key }, k) => {
        const text = data.slice(k * size, (k + 1) * size);
        this.text.set(key, text);
        if (this.dir) writeSafetensors(this.file(`t-${key}`), { text: { dtype: 'F32', shape: [text.length], data: text } });
      });
    }
  }

  private readVisual(key: string): VisualEntry | undefined {
    const reader = this.readEntry(`v-${key}`);
    if (!reader) return undefined;
    const [visual, mask, geo] = ['visual', 'mask', 'geometry'].map((n) => reader.get(n)?.data);
    if (!(visual instanceof Float32Array && mask instanceof Uint8Array && geo instanceof Float64Array)) return undefined;
    const geometry = geo;
    return {
      visual,
      mask,
      geometry: { imsize: geometry[0], ratio: geometry[1], top: geometry[2], left: geometry[3] },
    };
  }

  private writeVisual(key: string, entry: VisualEntry): void {
    if (!this.dir) return;
    const { imsize, ratio, top, left } = entry.geometry;
    // ratio is a double; float64 keeps the box mapping identical to the uncached path
    writeSafetensors(this.file(`v-${key}`), {
      visual: { dtype: 'F32', shape: [entry.visual.length], data: entry.visual },
      mask: { dtype: 'U8', shape: [entry.mask.length], data: entry.mask },
      geometry: { dtype: 'F64', shape: [4], data: new Float64Array([imsize, ratio, top, left]) },
    });
  }

  /** All tensors of one cache file, or undefined when absent or unreadable (it is then recomputed). */
  private readEntry(name: string): Map<string, { data: unknown }> | undefined {
    if (!this.dir) return undefined;
    const file = this.file(name);
    if (!existsSync(file)) return undefined;
    try {
      const reader = openSafetensors(file);
      try {
        return new Map(reader.names().map((n) => [n, reader.get(n)]));
      } finally {
        reader.close();
      }
    } catch {
      return undefined;
    }
  }

  private file(name: string): string {
    return path.join(this.dir!, `${name}.safetensors`);
  }

  private imageKey(clipKey: string, file: string, imsize: number, layers: readonly number[]): string {
    let stamp = 'missing';
    try {
      const s = statSync(file);
      stamp = `${s.size}:${s.mtimeMs}`;
    } catch {
      // evalTransformRecord reports the missing image with its path
    }
    return hash(`${clipKey}|image|${path.resolve(file)}|${stamp}|${imsize}|${layers.join(',')}`);
  }

  /** A hash of every CLIP weight, once per CLIP instance. */
  private clipKey(model: ClipVG): string {
    const known = this.clipKeys.get(model.clip);
    if (known) return known;
    const h = createHash('sha256');
    for (const [name, variable] of model.clip.variables()) {
      h.update(name);
      const data = variable.dataSync() as Float32Array;
      h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    const key = h.digest('hex').slice(0, 16);
    this.clipKeys.set(model.clip, key);
    return key;
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
