/**
 * `clip-vg bench --train --preset demo`: one training step of the demo's fusion (batch 64, 1 + 16 + 37 = 54
 * tokens, d 64, 4 heads, the full preset's fusion layers unless told, FFN 128) on cached features of the shipped tiny CLIP's shape, on one thread.
 * `--engine onnx` (the default here) times what the demo runs: loss and every gradient in one ONNX Runtime run, then
 * AdamW; `--engine tfjs` times the same step on TensorFlow.js (`ClipVG.fuse`, autograd, AdamW) for comparison.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { ClipVG, clipVGConfig, groundingLoss, sequenceLength, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { demoClipConfig, DEMO_PRESETS } from '@clip-vg/experiments';
import { fusionParams, FusionSessions, sharedFloat32, trainFusion, type FeatureRows, type FeatureTable } from '@clip-vg/onnx-engine';
import { AdamW } from '@clip-vg/training';
import { ensureGradients } from '@clip-vg/backend';
import { median } from '../util/stats';

export interface DemoTrainBenchResult {
  mode: 'train';
  preset: 'demo';
  engine: 'onnx' | 'tfjs';
  backend: string;
  threads: 1;
  batch: number;
  tokens: number;
  fusion_layers: number;
  trainable_parameters: number;
  ms_per_step: number;
  samples_per_s: number;
  runs_ms: number[];
  peak_rss_mb: number;
  load_average: number;
}

export async function benchmarkDemoTraining(engine: 'onnx' | 'tfjs', runs: number, warmup: number, fusionLayers?: number): Promise<DemoTrainBenchResult> {
  const s = { ...DEMO_PRESETS.full, ...(fusionLayers ? { fusionLayers } : {}) };
  const clip = demoClipConfig();
  const config = clipVGConfig(clip, [0, 1, 2, 3], { vlLayers: s.fusionLayers, vlHeads: s.fusionHeads, vlFfnDim: s.fusionFfn, dropout: 0 });
  const B = s.batchSize;
  const { table, rows } = randomFeatures(config, B);
  const model = ClipVG.create(config, { seed: 0 });
  const state = model.stateDict();
  const init = Object.fromEntries(fusionParams(config).map((p) => [p.name, state[p.name].toFloat32Array().slice()]));
  const parameters = fusionParams(config).reduce((sum, p) => sum + init[p.name].length, 0);
  const times: number[] = [];
  try {
    if (engine === 'onnx') {
      const sessions = await FusionSessions.create(config, { batchSize: B });
      const recipe = { steps: 1, batchSize: B, lr: 1e-3, weightDecay: 1e-4, warmupSteps: 0, evalEvery: 0 };
      // one run of `steps` steps per timing: the per-step figure includes batch gathering and AdamW
      const steps = 10;
      await trainFusion({ sessions, init, table, train: rows, recipe: { ...recipe, steps: Math.max(1, warmup) }, seed: 0 });
      for (let r = 0; r < runs; r++) {
        const result = await trainFusion({ sessions, init, table, train: rows, recipe: { ...recipe, steps }, seed: r });
        times.push((result.seconds * 1000) / steps);
      }
      await sessions.release();
    } else {
      times.push(...(await tfjsSteps(model, config, table, rows, runs, warmup)));
    }
  } finally {
    model.dispose();
  }
  const ms = median(times);
  return {
    mode: 'train',
    preset: 'demo',
    engine,
    backend: engine === 'onnx' ? 'onnxruntime-cpu' : tf.getBackend(),
    threads: 1,
    batch: B,
    tokens: sequenceLength(config),
    fusion_layers: s.fusionLayers,
    trainable_parameters: parameters,
    ms_per_step: ms,
    samples_per_s: (B * 1000) / ms,
    runs_ms: times.map((t) => Math.round(t * 10) / 10),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    load_average: os.loadavg()[0],
  };
}

/** The same step on TensorFlow.js: fuse → L1 + GIoU → gradients of the fusion → AdamW. */
async function tfjsSteps(model: ClipVG, config: ClipVGConfig, table: FeatureTable, rows: FeatureRows, runs: number, warmup: number): Promise<number[]> {
  ensureGradients();
  const B = rows.image.length;
  const L = config.maxQueryLen;
  const width = config.extractLayers.length * config.clip.visionWidth;
  const visual = tf.tensor3d(table.visual, [B, table.visual.length / B / width, width]);
  const text = tf.tensor3d(table.text, [B, L, config.clip.embedDim]);
  const ids = tf.tensor2d(
    Int32Array.from(table.textPadding, (p, i) => (p ? 0 : 1 + (i % L))),
    [B, L],
    'int32',
  );
  const mask = tf.zeros([B, config.imsize, config.imsize], 'int32') as tf.Tensor3D;
  const target = tf.tensor2d(rows.boxes, [B, 4]);
  model.clip.setTrainable(() => true, false);
  const variables = new Map(model.trainableVariables().map((v, i) => [`param.${i}`, v]));
  const byTfName = new Map([...variables].map(([name, v]) => [v.name, name]));
  const optimizer = new AdamW({ lr: 1e-3, weightDecay: 1e-4 });
  const step = () => {
    const start = performance.now();
    const { value, grads } = tf.variableGrads(() => groundingLoss(model.fuse(visual, text, mask, ids, true), target).loss, [...variables.values()]);
    optimizer.applyGradients(variables, Object.fromEntries(Object.entries(grads).map(([k, g]) => [byTfName.get(k)!, g])));
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - start;
  };
  try {
    for (let i = 0; i < warmup; i++) step();
    return Array.from({ length: runs }, step);
  } finally {
    optimizer.dispose();
    tf.dispose([visual, text, ids, mask, target]);
  }
}

/**
 * One image and one expression (5 real tokens) per row, random features and boxes; `shared` puts the features on
 * shared memory, as a pool's threads read them.
 */
export function randomFeatures(config: ClipVGConfig, n: number, shared = false): { table: FeatureTable; rows: FeatureRows } {
  const L = config.maxQueryLen;
  const visualTokens = sequenceLength(config) - L - 1;
  const random = (length: number) => {
    // filled in place: `map` would return an array on a new, unshared buffer
    const values = shared ? sharedFloat32(length) : new Float32Array(length);
    for (let i = 0; i < length; i++) values[i] = Math.sin(i * 12.9898) * 0.5;
    return values;
  };
  const textPadding = Uint8Array.from({ length: n * L }, (_, i) => (i % L < 5 ? 0 : 1));
  const rows: FeatureRows = {
    image: Int32Array.from({ length: n }, (_, i) => i),
    text: Int32Array.from({ length: n }, (_, i) => i),
    boxes: Float32Array.from({ length: 4 * n }, (_, i) => (i % 4 < 2 ? 0.5 : 0.25)),
  };
  return {
    table: {
      visual: random(n * visualTokens * config.extractLayers.length * config.clip.visionWidth),
      text: random(n * L * config.clip.embedDim),
      textPadding,
    },
    rows,
  };
}
