/**
 * `Grounder`: a referring expression in an image → its box in the image's own pixels, with the official
 * preprocessing (Pillow-exact letterbox, CLIP tokenizer) and either engine. The glue every user would otherwise write.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend, initBackend } from '@clip-vg/backend';
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import { letterbox, letterboxToOriginal, loadImage, type Letterboxed, type RgbImage } from '@clip-vg/image';
import { loadModel, type EngineName, type LoadedModel, type LoadModelOptions } from './load-model';

/** A path, encoded bytes (PNG, JPEG, WebP, ...) or a decoded RGB image (`{ width, height, data }`). */
export type ImageInput = string | Uint8Array | RgbImage;

export interface GrounderOptions extends Omit<LoadModelOptions, 'keepModel'> {
  /** TensorFlow.js backend (`tensorflow`, `wasm`, `cpu`); default `CLIP_VG_BACKEND` or the best installed. Used only when none is ready. */
  backend?: string;
  /** Rotate photos by their EXIF orientation first (the official code does not; boxes are then in the rotated frame). */
  exifRotate?: boolean;
  /** Cut expressions longer than the model's text length instead of failing (the official code cuts them). */
  truncate?: boolean;
}

export interface Grounding {
  /** (x1, y1, x2, y2) in the original image's pixels. */
  box: [number, number, number, number];
  /** The network's raw output: (cx, cy, w, h) normalised to the letterboxed (padded, square) input. */
  boxNormalized: [number, number, number, number];
}

export interface GroundingQuery {
  image: ImageInput;
  text: string;
}

export interface GroundBatchOptions {
  /** Images per forward pass (default 8). */
  batchSize?: number;
  /** Called after every batch with the queries done and the total. */
  onProgress?: (done: number, total: number) => void;
}

function isRgbImage(x: unknown): x is RgbImage {
  const img = x as RgbImage;
  return (
    typeof x === 'object' &&
    x !== null &&
    !(x instanceof Uint8Array) &&
    Number.isInteger(img.width) &&
    Number.isInteger(img.height) &&
    img.data instanceof Uint8Array
  );
}

export class Grounder {
  private disposed = false;

  private constructor(
    private readonly loaded: LoadedModel,
    private readonly options: GrounderOptions,
  ) {}

  /**
   * Load a CLIP-VG checkpoint: an official `.pth`, a `clip-vg checkpoint convert` folder, or the output folder of
   * `clip-vg train` / `curriculum`. CLIP comes from the weights or the source the trainer recorded, the vocabulary
   * from the checkpoint when it records one (else pass `vocab`). Initialises a TensorFlow.js backend if none is ready.
   */
  static async fromPretrained(checkpoint: string, options: GrounderOptions = {}): Promise<Grounder> {
    if (!activeBackend() || options.backend) await initBackend(options.backend, { log: null });
    return new Grounder(await loadModel(checkpoint, options), options);
  }

  get config(): ClipVGConfig {
    return this.loaded.config;
  }

  get engine(): EngineName {
    return this.loaded.engine;
  }

  /** Where the weights were read from (a `train` folder resolves to its `best_checkpoint/`). */
  get checkpoint(): string {
    return this.loaded.checkpoint;
  }

  /** The box of `text` in `image`. */
  async ground(image: ImageInput, text: string): Promise<Grounding> {
    const [result] = await this.groundBatch([{ image, text }], { batchSize: 1 });
    return result;
  }

  /** Every query's box, in order, `batchSize` images per forward pass. */
  async groundBatch(queries: readonly GroundingQuery[], options: GroundBatchOptions = {}): Promise<Grounding[]> {
    this.checkAlive();
    const batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    queries.forEach((q, i) => {
      if (typeof q?.text !== 'string' || q.text.trim() === '') throw new Error(`query ${i}: the text is empty`);
    });
    const results: Grounding[] = [];
    for (let start = 0; start < queries.length; start += batchSize) {
      const chunk = queries.slice(start, start + batchSize);
      const images = await Promise.all(chunk.map((q) => this.decode(q.image)));
      results.push(
        ...(await this.groundDecoded(
          images,
          chunk.map((q) => q.text),
        )),
      );
      options.onProgress?.(results.length, queries.length);
    }
    return results;
  }

  /** Decoded images and their expressions, one forward pass (the caller picks the batch size). */
  async groundDecoded(images: readonly RgbImage[], texts: readonly string[]): Promise<Grounding[]> {
    this.checkAlive();
    if (images.length !== texts.length) throw new Error(`${images.length} images but ${texts.length} texts`);
    if (images.length === 0) return [];
    const { imsize, maxQueryLen } = this.loaded.config;
    const boxes: Letterboxed[] = images.map((img) => letterbox(img, imsize));
    const tokens = this.loaded.tokenizer.tokenize([...texts], { contextLength: maxQueryLen, truncate: this.options.truncate ?? false });
    const n = images.length;
    const pixels = new Float32Array(n * imsize * imsize * 3);
    const masks = new Int32Array(n * imsize * imsize);
    boxes.forEach((lb, i) => {
      pixels.set(lb.pixels, i * imsize * imsize * 3);
      masks.set(lb.mask, i * imsize * imsize);
    });
    const imageTensor = tf.tensor4d(pixels, [n, imsize, imsize, 3]);
    const mask = tf.tensor3d(masks, [n, imsize, imsize], 'int32');
    const ids = tf.tensor2d(tokens.ids, [n, maxQueryLen], 'int32');
    let values: Float32Array;
    try {
      const output = await this.loaded.predictor.predict(imageTensor, mask, ids);
      values = output.dataSync() as Float32Array;
      output.dispose();
    } finally {
      tf.dispose([imageTensor, mask, ids]);
    }
    return boxes.map((lb, i) => {
      const boxNormalized = Array.from(values.slice(i * 4, i * 4 + 4)) as Grounding['boxNormalized'];
      return { box: letterboxToOriginal(boxNormalized, lb) as Grounding['box'], boxNormalized };
    });
  }

  /** Frees the model, the predictor and (on onnx) the ONNX Runtime session. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.loaded.dispose();
  }

  private async decode(image: ImageInput): Promise<RgbImage> {
    if (isRgbImage(image)) return image;
    if (typeof image !== 'string' && !(image instanceof Uint8Array)) throw new Error('image must be a path, encoded bytes or { width, height, data }');
    return loadImage(image, { autoOrient: this.options.exifRotate ?? false });
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('this Grounder was disposed');
  }
}
