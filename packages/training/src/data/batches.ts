/**
 * One interface over the two ways samples reach the model: decoded images (the batch pipeline, with or without
 * augmentation) and cached CLIP features. Batches arrive as typed arrays and become tensors only inside the
 * step, so nothing outlives it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchLoader, createRng, deriveSeed, type AugmentOptions, type GroundingRecord, type TextTokenizer } from '@clip-vg/datasets';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import type { FeatureTable } from '../features/feature-cache';

export interface HostBatch {
  size: number;
  records: GroundingRecord[];
  /** [B, S, S], 1 = padding */
  pixelMasks: Uint8Array;
  /** [B, L] */
  tokenIds: Int32Array;
  /** [B, 4] normalised cxcywh */
  boxes: Float32Array;
  /** Image mode: [B, S, S, 3] NHWC. */
  images?: Float32Array;
  /** Cached mode: [B, 1 + P, C] visual tokens and [B, L, E] text tokens. */
  visual?: Float32Array;
  text?: Float32Array;
}

export interface BatchSource {
  /** Batches per epoch. */
  readonly length: number;
  epoch(epoch: number): AsyncGenerator<HostBatch>;
  close(): Promise<void>;
}

export interface ImageSourceOptions {
  records: readonly GroundingRecord[];
  imageRoot: string;
  tokenizer: TextTokenizer;
  imsize: number;
  contextLength: number;
  batchSize: number;
  augment: false | Omit<AugmentOptions, 'imsize'>;
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  workers?: number;
}

/** Decoded (and optionally augmented) images from the worker-thread pipeline. */
export function imageSource(options: ImageSourceOptions): BatchSource {
  const loader = new BatchLoader({
    records: options.records,
    imageRoot: options.imageRoot,
    imsize: options.imsize,
    batchSize: options.batchSize,
    tokenizer: options.tokenizer,
    contextLength: options.contextLength,
    augment: options.augment,
    shuffle: options.shuffle,
    dropLast: options.dropLast,
    seed: options.seed,
    workers: options.workers,
  });
  return {
    length: loader.length,
    async *epoch(epoch) {
      for await (const b of loader.epoch(epoch)) {
        yield { size: b.size, records: b.records, pixelMasks: b.pixelMasks, tokenIds: b.tokenIds!, boxes: b.boxes, images: b.images };
      }
    },
    close: () => loader.close(),
  };
}

/** Batches gathered from a feature table; shuffled with the same seed stream as the image pipeline. */
export function cachedSource(table: FeatureTable, batchSize: number, options: { shuffle: boolean; dropLast: boolean; seed: number }): BatchSource {
  const n = table.records.length;
  const length = options.dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
  return {
    length,
    async *epoch(epoch) {
      let order = table.records.map((_, i) => i);
      if (options.shuffle) order = createRng(deriveSeed(options.seed, 1, epoch)).shuffle(order);
      for (let b = 0; b < length; b++) yield gather(table, order.slice(b * batchSize, (b + 1) * batchSize));
    },
    close: async () => undefined,
  };
}

function gather(table: FeatureTable, indices: number[]): HostBatch {
  const b = indices.length;
  const maskSize = table.visual[0]?.mask.length ?? 0;
  const L = table.contextLength;
  const batch: HostBatch = {
    size: b,
    records: indices.map((i) => table.records[i]),
    pixelMasks: new Uint8Array(b * maskSize),
    tokenIds: new Int32Array(b * L),
    boxes: new Float32Array(b * 4),
    visual: new Float32Array(b * table.visualSize),
    text: new Float32Array(b * table.textSize),
  };
  indices.forEach((i, k) => {
    const v = table.visual[i];
    batch.visual!.set(v.visual, k * table.visualSize);
    batch.text!.set(table.text[i], k * table.textSize);
    batch.pixelMasks.set(v.mask, k * maskSize);
    batch.tokenIds.set(table.ids.subarray(i * L, (i + 1) * L), k * L);
    batch.boxes.set(table.boxes.subarray(i * 4, (i + 1) * 4), k * 4);
  });
  return batch;
}

/** Predicted boxes `[B, 4]` for a host batch: the whole model on images, or the fusion part on cached features. */
export function predictBatch(model: ClipVG, batch: HostBatch, training: boolean): tf.Tensor2D {
  const { imsize, maxQueryLen: L } = model.config;
  const B = batch.size;
  return tf.tidy(() => {
    const pixelMask = tf.tensor3d(batch.pixelMasks, [B, imsize, imsize], 'int32');
    const ids = tf.tensor2d(batch.tokenIds, [B, L], 'int32');
    if (batch.visual && batch.text) {
      const visual = tf.tensor3d(batch.visual, [B, batch.visual.length / B / visualWidth(model), visualWidth(model)]);
      const text = tf.tensor3d(batch.text, [B, L, model.config.clip.embedDim]);
      return model.fuse(visual, text, pixelMask, ids, training);
    }
    if (!batch.images) throw new Error('predictBatch: the batch has neither images nor cached features');
    return model.predict(tf.tensor4d(batch.images, [B, imsize, imsize, 3]), pixelMask, ids, training);
  });
}

function visualWidth(model: ClipVG): number {
  return model.config.extractLayers.length * model.config.clip.visionWidth;
}
