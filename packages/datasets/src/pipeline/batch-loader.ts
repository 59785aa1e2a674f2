/**
 * Batches for training and evaluation: `{images, pixelMasks, tokenIds, textMasks, boxes}` as typed arrays (no
 * tfjs here). Decoding and augmentation run in worker threads; at most `prefetch` batches are in flight, so
 * memory stays bounded while the model trains on the current one.
 */
import { availableParallelism } from 'node:os';
import type { LetterboxGeometry } from '@clip-vg/image';
import type { AugmentOptions } from '../augment';
import type { GroundingRecord } from '../record';
import { createRng, deriveSeed } from '../synthetic/rng';
import { processSample, recordImagePath, type ImageLayout, type SampleResult, type SampleTask } from './sample-task';
import { WorkerPool } from './worker-pool';

/** What the pipeline needs of a tokenizer; `ClipTokenizer` from @clip-vg/clip-encoders fits. */
export interface TextTokenizer {
  tokenize(texts: string[], options: { contextLength?: number }): { ids: Int32Array; mask: Uint8Array };
}

export interface BatchLoaderOptions {
  records: readonly GroundingRecord[];
  /** Folder that relative `record.image` paths live in. */
  imageRoot: string;
  imsize: number;
  batchSize: number;
  /** Tokenise texts into `tokenIds`/`textMasks` (omitted: batches carry texts only). */
  tokenizer?: TextTokenizer;
  contextLength?: number;
  /** Training augmentation: true for the official settings, options to change them, false for the eval transform. */
  augment?: boolean | Omit<AugmentOptions, 'imsize'>;
  /** Shuffle each epoch (default: same as `augment`). */
  shuffle?: boolean;
  /** Drop a last partial batch (the official train loader does). Default false. */
  dropLast?: boolean;
  seed?: number;
  /** Worker threads; 0 runs everything on the calling thread. Default: min(2, cores − 1), at least 1. */
  workers?: number;
  /** Batches in flight ahead of the consumer (default 2). */
  prefetch?: number;
  layout?: ImageLayout;
}

export interface Batch {
  /** Number of samples (the last batch may be smaller). */
  size: number;
  imsize: number;
  layout: ImageLayout;
  /** [B, S, S, 3] (nhwc) or [B, 3, S, S] (nchw), ImageNet-normalised, 0 on padding. */
  images: Float32Array;
  /** [B, S, S], 1 = padding. */
  pixelMasks: Uint8Array;
  /** [B, L] CLIP token ids and [B, L] text masks (1 = token), when a tokenizer was given. */
  tokenIds?: Int32Array;
  textMasks?: Uint8Array;
  contextLength?: number;
  /** [B, 4] normalised (cx, cy, w, h) in the padded square. */
  boxes: Float32Array;
  /** Lower-cased texts, as the model reads them. */
  texts: string[];
  records: GroundingRecord[];
  /** Eval transform only: per-sample letterbox geometry, to map predictions back to image pixels. */
  geometry?: LetterboxGeometry[];
}

export class BatchLoader {
  private readonly options: Required<Omit<BatchLoaderOptions, 'tokenizer' | 'augment'>> & Pick<BatchLoaderOptions, 'tokenizer'>;
  private readonly augment: AugmentOptions | null;
  private pool: WorkerPool | undefined;

  constructor(options: BatchLoaderOptions) {
    const { imsize, batchSize } = options;
    if (!Number.isInteger(imsize) || imsize < 8) throw new Error(`batch pipeline: imsize must be an integer ≥ 8, got ${imsize}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch pipeline: batchSize must be a positive integer, got ${batchSize}`);
    const augment = options.augment ?? false;
    this.augment = augment === false ? null : { ...(augment === true ? {} : augment), imsize };
    this.options = {
      contextLength: 77,
      shuffle: this.augment !== null,
      dropLast: false,
      seed: 0,
      workers: Math.max(1, Math.min(2, availableParallelism() - 1)),
      prefetch: 2,
      layout: 'nhwc',
      ...definedOnly(options),
    } as BatchLoader['options'];
    if (!Number.isInteger(this.options.workers) || this.options.workers < 0) {
      throw new Error(`batch pipeline: workers must be a non-negative integer, got ${this.options.workers}`);
    }
    if (!Number.isInteger(this.options.prefetch) || this.options.prefetch < 1) {
      throw new Error(`batch pipeline: prefetch must be a positive integer, got ${this.options.prefetch}`);
    }
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.options.records.length;
    const b = this.options.batchSize;
    return this.options.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
  }

  /** The batches of one epoch, in order. The epoch number seeds the shuffle and the augmentation. */
  async *epoch(epoch = 0): AsyncGenerator<Batch> {
    const { records, batchSize, seed, prefetch } = this.options;
    let order = records.map((_, i) => i);
    if (this.options.shuffle) order = createRng(deriveSeed(seed, 1, epoch)).shuffle(order);
    const batches: number[][] = [];
    for (let i = 0; i < this.length; i++) batches.push(order.slice(i * batchSize, (i + 1) * batchSize));
    const inFlight: Promise<Batch>[] = [];
    let next = 0;
    while (next < batches.length || inFlight.length > 0) {
      while (inFlight.length < prefetch && next < batches.length) {
        const batch = this.buildBatch(batches[next], epoch, next * batchSize);
        batch.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
        inFlight.push(batch);
        next++;
      }
      yield await inFlight.shift()!;
    }
  }

  /** Stop the worker threads (idle workers never keep the process alive, but they hold memory). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  private async buildBatch(indices: number[], epoch: number, position: number): Promise<Batch> {
    const { records, imageRoot, imsize, layout, tokenizer, contextLength, seed } = this.options;
    const batchRecords = indices.map((i) => records[i]);
    const texts = batchRecords.map((r) => r.text.toLowerCase());
    const tasks: SampleTask[] = batchRecords.map((record, k) => ({
      image: recordImagePath(record, imageRoot),
      box: record.box,
      text: texts[k],
      imsize,
      augment: this.augment,
      // per position in the epoch, not per worker: the output does not depend on the number of workers
      seed: deriveSeed(seed, 2 + epoch, position + k),
      layout,
    }));
    const results = await Promise.all(tasks.map((t) => this.run(t)));
    const b = results.length;
    const plane = imsize * imsize;
    const images = new Float32Array(b * plane * 3);
    const pixelMasks = new Uint8Array(b * plane);
    const boxes = new Float32Array(b * 4);
    results.forEach((r, k) => {
      images.set(r.pixels, k * plane * 3);
      pixelMasks.set(r.mask, k * plane);
      boxes.set(r.box, k * 4);
    });
    const batch: Batch = { size: b, imsize, layout, images, pixelMasks, boxes, texts, records: batchRecords };
    if (tokenizer) {
      const { ids, mask } = tokenizer.tokenize(texts, { contextLength });
      Object.assign(batch, { tokenIds: ids, textMasks: mask, contextLength });
    }
    if (!this.augment) batch.geometry = results.map((r) => r.geometry!);
    return batch;
  }

  private run(task: SampleTask): Promise<SampleResult> {
    if (this.options.workers === 0) return processSample(task);
    this.pool ??= new WorkerPool(this.options.workers);
    return this.pool.run(task);
  }
}

/** One epoch of batches; the worker threads stop when the iteration ends (or breaks). */
export async function* createBatchStream(options: BatchLoaderOptions & { epoch?: number }): AsyncGenerator<Batch> {
  const loader = new BatchLoader(options);
  try {
    yield* loader.epoch(options.epoch ?? 0);
  } finally {
    await loader.close();
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
