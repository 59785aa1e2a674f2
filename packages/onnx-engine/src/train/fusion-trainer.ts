/**
 * Training CLIP-VG's fusion and box head on cached CLIP features with ONNX Runtime: one `session.run` per step
 * computes the loss and every gradient (`buildFusionGraph`), AdamW updates the weights in plain typed arrays.
 * The recipe is step-based (linear warm-up, then cosine per step; validation every `evalEvery` steps; the best
 * validation weights are kept). Batches are consecutive slices of a stream of seeded shuffles, so a run is a
 * pure function of (rows, recipe, seed, initial weights) and two runs of the same job give the same bits.
 */
import * as ort from 'onnxruntime-node';
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import { buildFusionGraph, type FusionGraph } from './fusion-graph';
import { gatherBatch, rowCount, type BatchBuffers, type FeatureRows, type FeatureTable } from './features';
import { shuffledStream } from './shuffle';

export interface FusionRecipe {
  steps: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Linear warm-up from lr/warmupSteps to lr, then cosine decay to 0 at `steps`. */
  warmupSteps: number;
  /** Validate every this many steps (and after the last); 0 = only after the last. */
  evalEvery: number;
}

/** Weights by official state-dict name (see `fusionParams`). */
export type FusionWeights = Record<string, Float32Array>;

export interface FusionTrainResult {
  /** The best validation weights (the last ones without validation rows). */
  weights: FusionWeights;
  /** Val Acc@0.5 of `weights` (NaN without validation rows). */
  valAccuracy: number;
  bestStep: number;
  /** Mean training loss since the previous point, and the val accuracy there. */
  curve: { step: number; loss: number; val: number }[];
  seconds: number;
}

/** The compiled training and prediction graphs of one configuration, reusable across trainings. */
export class FusionSessions {
  private constructor(
    readonly config: ClipVGConfig,
    readonly batchSize: number,
    readonly predictBatch: number,
    private readonly train: ort.InferenceSession,
    private readonly predict: ort.InferenceSession,
    readonly graph: FusionGraph,
  ) {}

  /** Single-threaded sessions: parallelism comes from running several trainings side by side. */
  static async create(config: ClipVGConfig, options: { batchSize: number; predictBatch?: number; threads?: number }): Promise<FusionSessions> {
    if (config.dropout !== 0) throw new Error(`fusion training on ONNX Runtime supports dropout 0 only (the configuration has ${config.dropout})`);
    const predictBatch = options.predictBatch ?? 256;
    const settings: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    };
    const graph = buildFusionGraph({ config, batch: options.batchSize, training: true });
    const train = await ort.InferenceSession.create(graph.bytes, settings);
    const predict = await ort.InferenceSession.create(buildFusionGraph({ config, batch: predictBatch, training: false }).bytes, settings);
    return new FusionSessions(config, options.batchSize, predictBatch, train, predict, graph);
  }

  /** One step's loss and gradients on `batch`. */
  async lossAndGradients(weights: FusionWeights, batch: BatchBuffers): Promise<{ loss: number; grads: FusionWeights }> {
    const out = await this.train.run(this.feeds(weights, batch, this.batchSize, true));
    const grads: FusionWeights = {};
    for (const p of this.graph.params) grads[p.name] = out[`grad.${p.name}`].data as Float32Array;
    return { loss: (out.loss.data as Float32Array)[0], grads };
  }

  /** Boxes `[n, 4]` (normalised cxcywh, unclamped) for every row of `rows`. */
  async predictRows(weights: FusionWeights, table: FeatureTable, rows: FeatureRows): Promise<Float32Array> {
    const n = rowCount(rows);
    const boxes = new Float32Array(4 * n);
    let buffers: BatchBuffers | undefined;
    for (let start = 0; start < n; start += this.predictBatch) {
      const indices = Array.from({ length: Math.min(this.predictBatch, n - start) }, (_, k) => start + k);
      buffers = gatherBatch(table, rows, indices, this.config, this.predictBatch, buffers);
      const out = await this.predict.run(this.feeds(weights, buffers, this.predictBatch, false));
      boxes.set((out.boxes.data as Float32Array).subarray(0, 4 * indices.length), 4 * start);
    }
    return boxes;
  }

  async release(): Promise<void> {
    await this.train.release();
    await this.predict.release();
  }

  private feeds(weights: FusionWeights, batch: BatchBuffers, size: number, training: boolean): Record<string, ort.Tensor> {
    const [nv, wv] = this.graph.visualShape;
    const [nt, wt] = this.graph.textShape;
    const feeds: Record<string, ort.Tensor> = {
      visual: new ort.Tensor('float32', batch.visual, [size, nv, wv]),
      text: new ort.Tensor('float32', batch.text, [size, nt, wt]),
      key_bias: new ort.Tensor('float32', batch.keyBias, [size, batch.keyBias.length / size]),
    };
    if (training) feeds.target = new ort.Tensor('float32', batch.target, [size, 4]);
    for (const p of this.graph.params) {
      const value = weights[p.name];
      if (!value) throw new Error(`fusion training: missing weight ${p.name}`);
      feeds[p.name] = new ort.Tensor('float32', value, p.shape);
    }
    return feeds;
  }
}

/** Learning rate of 0-based `step`: linear warm-up, then cosine to 0. */
export function recipeLearningRate(recipe: FusionRecipe, step: number): number {
  if (step < recipe.warmupSteps) return (recipe.lr * (step + 1)) / recipe.warmupSteps;
  const span = Math.max(1, recipe.steps - recipe.warmupSteps);
  return recipe.lr * 0.5 * (1 + Math.cos((Math.PI * (step - recipe.warmupSteps)) / span));
}

export interface TrainFusionOptions {
  sessions: FusionSessions;
  /** Initial weights (copied, never modified). */
  init: FusionWeights;
  table: FeatureTable;
  train: FeatureRows;
  /** Annotated validation rows: Acc@0.5 selects the checkpoint. */
  val?: FeatureRows;
  recipe: FusionRecipe;
  seed: number;
  onProgress?: (info: { step: number; steps: number; loss: number; val?: number }) => void;
  /** Checked before every step: an aborted training rejects with the signal's reason. */
  signal?: AbortSignal;
}

export async function trainFusion(options: TrainFusionOptions): Promise<FusionTrainResult> {
  const { sessions, recipe, table, train, val } = options;
  if (recipe.batchSize !== sessions.batchSize)
    throw new Error(`trainFusion: the sessions were built for batch ${sessions.batchSize}, the recipe asks ${recipe.batchSize}`);
  if (rowCount(train) === 0) throw new Error('trainFusion: no training rows');
  const started = performance.now();
  const weights: FusionWeights = Object.fromEntries(sessions.graph.params.map((p) => [p.name, Float32Array.from(options.init[p.name] ?? missing(p.name))]));
  const optimizer = new FlatAdamW(weights, recipe.weightDecay);
  const next = shuffledStream(rowCount(train), options.seed);
  const curve: FusionTrainResult['curve'] = [];
  let best = { weights, val: Number.NaN, step: -1 };
  let lossSum = 0;
  let lossCount = 0;
  let buffers: BatchBuffers | undefined;
  for (let step = 0; step < recipe.steps; step++) {
    options.signal?.throwIfAborted();
    buffers = gatherBatch(table, train, next(recipe.batchSize), sessions.config, recipe.batchSize, buffers);
    const { loss, grads } = await sessions.lossAndGradients(weights, buffers);
    optimizer.step(grads, recipeLearningRate(recipe, step));
    lossSum += loss;
    lossCount++;
    const done = step + 1;
    const checkpoint = done === recipe.steps || (recipe.evalEvery > 0 && done % recipe.evalEvery === 0);
    if (!checkpoint) continue;
    const accuracy = val && rowCount(val) > 0 ? accuracyAt05(await sessions.predictRows(weights, table, val), val.boxes).accuracy : Number.NaN;
    curve.push({ step: done, loss: lossSum / lossCount, val: accuracy });
    options.onProgress?.({ step: done, steps: recipe.steps, loss: lossSum / lossCount, val: accuracy });
    lossSum = 0;
    lossCount = 0;
    if (Number.isNaN(accuracy) || !(accuracy <= best.val)) best = { weights: copyWeights(weights), val: accuracy, step: done };
  }
  return { weights: best.weights, valAccuracy: best.val, bestStep: best.step, curve, seconds: (performance.now() - started) / 1000 };
}

function missing(name: string): never {
  throw new Error(`trainFusion: the initial weights have no ${name}`);
}

function copyWeights(weights: FusionWeights): FusionWeights {
  return Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, v.slice()]));
}

/**
 * `torch.optim.AdamW` (betas 0.9/0.999, eps 1e-8, decoupled weight decay) on typed arrays, in place: the same
 * update as `@clip-vg/training`'s tensor AdamW.
 */
class FlatAdamW {
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private t = 0;

  constructor(
    private readonly params: FusionWeights,
    private readonly weightDecay: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    for (const [name, p] of Object.entries(params)) {
      this.m.set(name, new Float32Array(p.length));
      this.v.set(name, new Float32Array(p.length));
    }
  }

  step(grads: FusionWeights, lr: number): void {
    this.t++;
    const { beta1, beta2, eps } = this;
    const stepSize = lr / (1 - beta1 ** this.t);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** this.t);
    const decay = 1 - lr * this.weightDecay;
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name];
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / bias2Sqrt + eps);
      }
    }
  }
}

/** IoU(clamp01(prediction), target) per row and Acc@0.5 (inclusive), as `evaluationIou` in fusion-transformer. */
export function accuracyAt05(pred: Float32Array, target: Float32Array): { accuracy: number; ious: Float32Array } {
  const n = pred.length / 4;
  const ious = new Float32Array(n);
  let correct = 0;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  for (let i = 0; i < n; i++) {
    const [cx, cy, w, h] = pred.subarray(4 * i, 4 * i + 4) as unknown as number[];
    const [tx, ty, tw, th] = target.subarray(4 * i, 4 * i + 4) as unknown as number[];
    const a = [clamp(cx - w / 2), clamp(cy - h / 2), clamp(cx + w / 2), clamp(cy + h / 2)];
    const b = [tx - tw / 2, ty - th / 2, tx + tw / 2, ty + th / 2];
    const inter = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    ious[i] = inter / (union + 1e-16);
    if (ious[i] >= 0.5) correct++;
  }
  return { accuracy: n ? correct / n : 0, ious };
}
