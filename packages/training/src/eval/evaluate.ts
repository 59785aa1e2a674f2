/**
 * Evaluation and reliability scoring: the deterministic eval transform, one pass, Acc@0.5 / IoU exactly as
 * `utils/eval_utils` (prediction clamped to [0, 1], target not, IoU ≥ 0.5 counts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GroundingRecord, TextTokenizer } from '@clip-vg/datasets';
import { evaluationIou, type BoxPredictor, type ClipVG } from '@clip-vg/fusion-transformer';
import { cachedSource, imageSource, predictBatch, type BatchSource, type HostBatch } from '../data/batches';
import type { FeatureCache } from '../features/feature-cache';

export interface EvaluateOptions {
  /** Folder that relative `record.image` paths live in. */
  imageRoot: string;
  tokenizer: TextTokenizer;
  /** Default 128, as the official eval. */
  batchSize?: number;
  /** Read frozen CLIP features from this cache (valid only while the positional embedding is frozen). */
  featureCache?: FeatureCache;
  workers?: number;
  /** Called after each batch with the samples done so far. */
  onBatch?: (done: number, total: number) => void;
  /**
   * Another engine for the full forward pass (e.g. ONNX Runtime from `@clip-vg/onnx-engine`'s `createPredictor`);
   * default: the model itself. Not combined with `featureCache`, which feeds the fusion directly.
   */
  predictor?: Pick<BoxPredictor, 'predict'>;
}

export interface EvaluationResult {
  /** Acc@0.5 as a fraction. */
  accuracy: number;
  meanIoU: number;
  correct: number;
  total: number;
  /** [N] IoU(clamp01(pred), target) per record, in order. */
  ious: Float32Array;
  /** [N, 4] predictions, normalised cxcywh, unclamped. */
  predictions: Float32Array;
  /** [N, 4] targets after the eval transform, normalised cxcywh. */
  targets: Float32Array;
}

export async function evaluateModel(model: ClipVG, records: readonly GroundingRecord[], options: EvaluateOptions): Promise<EvaluationResult> {
  const n = records.length;
  const ious = new Float32Array(n);
  const predictions = new Float32Array(n * 4);
  const targets = new Float32Array(n * 4);
  const source = await evalSource(model, records, options);
  let done = 0;
  try {
    for await (const batch of source.epoch(0)) {
      const pred = options.predictor ? await predictWith(options.predictor, model, batch) : predictBatch(model, batch, false);
      const iou = tf.tidy(() => evaluationIou(pred, tf.tensor2d(batch.boxes, [batch.size, 4])));
      predictions.set(pred.dataSync(), done * 4);
      ious.set(iou.dataSync(), done);
      targets.set(batch.boxes, done * 4);
      tf.dispose([pred, iou]);
      done += batch.size;
      options.onBatch?.(done, n);
    }
  } finally {
    await source.close();
  }
  let correct = 0;
  let sum = 0;
  for (const v of ious) {
    if (v >= 0.5) correct++;
    sum += v;
  }
  return { accuracy: n ? correct / n : 0, meanIoU: n ? sum / n : 0, correct, total: n, ious, predictions, targets };
}

export interface ReliabilityScores {
  /** r = IoU(clamp01(prediction), pseudo box) per record, in [0, 1]. */
  reliabilities: number[];
  predictions: Float32Array;
  /** The pseudo boxes after the eval transform (what `iou_result` stores as gt). */
  targets: Float32Array;
}

/** Reliability of each pseudo-label under `model` (spec §2), with the deterministic eval transform. */
export async function scoreReliability(model: ClipVG, records: readonly GroundingRecord[], options: EvaluateOptions): Promise<ReliabilityScores> {
  const result = await evaluateModel(model, records, options);
  return { reliabilities: Array.from(result.ious), predictions: result.predictions, targets: result.targets };
}

async function predictWith(predictor: Pick<BoxPredictor, 'predict'>, model: ClipVG, batch: HostBatch): Promise<tf.Tensor2D> {
  const { imsize, maxQueryLen: L } = model.config;
  const B = batch.size;
  if (!batch.images) throw new Error('evaluate: a predictor needs image batches, not cached features');
  const images = tf.tensor4d(batch.images, [B, imsize, imsize, 3]);
  const pixelMask = tf.tensor3d(batch.pixelMasks, [B, imsize, imsize], 'int32');
  const ids = tf.tensor2d(batch.tokenIds, [B, L], 'int32');
  try {
    return await predictor.predict(images, pixelMask, ids);
  } finally {
    tf.dispose([images, pixelMask, ids]);
  }
}

async function evalSource(model: ClipVG, records: readonly GroundingRecord[], options: EvaluateOptions): Promise<BatchSource> {
  const batchSize = options.batchSize ?? 128;
  if (options.featureCache) {
    const table = await options.featureCache.table(model, records, options.imageRoot, options.tokenizer);
    return cachedSource(table, batchSize, { shuffle: false, dropLast: false, seed: 0 });
  }
  return imageSource({
    records,
    imageRoot: options.imageRoot,
    tokenizer: options.tokenizer,
    imsize: model.config.imsize,
    contextLength: model.config.maxQueryLen,
    batchSize,
    augment: false,
    shuffle: false,
    dropLast: false,
    seed: 0,
    workers: options.workers,
  });
}
