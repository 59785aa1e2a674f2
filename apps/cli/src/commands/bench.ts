/**
 * `clip-vg bench [--engine tfjs|onnx] [--backend NAME] [--batch 8] [--json]`: full CLIP-VG inference speed
 * (preprocessed tensors in, boxes out) on a model with random weights (no download): images/s, ms per batch,
 * peak memory. The median of `--runs` timed batches after a warm-up. `--train` times training steps instead
 * (forward with dropout, L1 + GIoU, backward, AdamW on the trainable part) on TensorFlow.js. `--queue [URL]` times
 * what the Redis training queue adds per job (bench-queue.ts).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Command } from 'commander';
import { ensureGradients, initBackend } from '@clip-vg/backend';
import { ClipVG, groundingLoss } from '@clip-vg/fusion-transformer';
import { benchConfig, benchInputs, benchmarkInference, BENCH_MODELS, parseEngine, type InferenceBenchResult } from '@clip-vg/onnx-engine';
import { AdamW } from '@clip-vg/training';
import { CliError, oneLine } from '../util/errors';
import { benchmarkDemoTraining, type DemoTrainBenchResult } from './bench-train-demo';
import { benchmarkQueue, formatQueueBench } from './bench-queue';
import { median } from '../util/stats';

interface BenchCliOptions {
  engine?: string;
  backend?: string;
  model: string;
  batch: string;
  runs: string;
  warmup: string;
  textTokens: string;
  padding: string;
  perImage: string;
  threads?: string;
  chunk?: string;
  provider: string;
  profile?: string;
  spin: boolean;
  train?: boolean;
  preset?: string;
  fusionLayers?: string;
  queue?: string | true;
  jobs: string;
  json?: boolean;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time full CLIP-VG inference (tensors in, boxes out) with random weights: images/s, ms per batch, peak memory')
    .option(
      '--engine <name>',
      'tfjs (TensorFlow.js model; the default) or onnx (ONNX Runtime graph built from the same weights; the default of --train --preset demo)',
    )
    .option('--backend <name>', 'TensorFlow.js backend (tensorflow, wasm, cpu; default: CLIP_VG_BACKEND or the best installed)')
    .option('--model <name>', `CLIP backbone (${BENCH_MODELS.join(', ')}; tiny is test-sized)`, 'ViT-B/16')
    .option('--batch <n>', 'images per batch', '8')
    .option('--runs <n>', 'timed batches (the median is reported)', '5')
    .option('--warmup <n>', 'untimed batches first', '1')
    .option('--text-tokens <n>', 'tokens per expression including SOT/EOT, the rest padding (RefCOCO: ~6-20)', '20')
    .option('--padding <fraction>', 'letterbox padding as a fraction of image rows (0 = square images)', '0')
    .option(
      '--per-image <n>',
      'consecutive rows that share an image (different expressions; RefCOCO: ~3); the onnx engine runs the image tower once per image',
      '1',
    )
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)')
    .option('--chunk <n>', 'ONNX Runtime: the most distinct images per run; a batch runs as chunks of this size (default: 4 on cpu, the whole batch on cuda)')
    .option('--provider <name>', 'ONNX Runtime execution provider: cpu or cuda', 'cpu')
    .option('--profile <prefix>', "write ONNX Runtime's per-op profile (JSON) with this file prefix")
    .option('--no-spin', "stop ONNX Runtime's idle threads from spinning (fairer on a machine shared with other work)")
    .option('--train', 'time training steps (forward + backward + AdamW of the trainable part, TensorFlow.js) instead of inference')
    .option(
      '--preset <name>',
      "with --train: demo = the curriculum demo's fusion step on cached features (batch 64, one thread; ONNX Runtime unless --engine tfjs)",
    )
    .option('--fusion-layers <n>', "with --preset demo: fusion layers (default: the demo's full preset; the recipe's prototype has 2)")
    .option(
      '--queue [url]',
      "time the Redis queue's cost per training job against a local thread (a throwaway redis-server on a free port when no URL is given)",
    )
    .option('--jobs <n>', 'with --queue: timed 1-step trainings per runner (the median is reported)', '20')
    .option('--json', 'print one JSON object {"images_per_s", "engine", "backend", "batch", ...}')
    .action((options: BenchCliOptions) => bench(options));
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`bench: ${flag} must be a positive integer, got "${value}"`);
  return n;
}

const MAX_BENCH_BATCH = 4096;

/** ONNX Runtime writes `<prefix>_<date>.json` at the end, silently skipping a folder it cannot write: check it first. */
function checkProfilePrefix(prefix: string, engine: string): void {
  if (engine !== 'onnx') throw new CliError('bench: --profile applies to --engine onnx');
  const dir = path.dirname(path.resolve(prefix));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${prefix}: --profile folder ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(`${prefix}: cannot write into ${dir} (permission denied)`);
  }
}

async function bench(options: BenchCliOptions): Promise<void> {
  if (options.queue !== undefined) {
    if (options.train) throw new CliError('bench: --queue times whole trainings through the queue; it does not combine with --train');
    const jobs = positiveInteger(options.jobs, '--jobs');
    await initBackend(options.backend, { log: options.json ? null : undefined });
    const result = await benchmarkQueue({ url: options.queue === true ? undefined : options.queue, jobs, steps: 1 });
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatQueueBench(result));
    return;
  }
  let engine: ReturnType<typeof parseEngine>;
  try {
    engine = parseEngine(options.engine ?? (options.train && options.preset === 'demo' ? 'onnx' : 'tfjs'));
  } catch (error) {
    throw new CliError(`bench: ${oneLine(error)}`);
  }
  if (options.provider !== 'cpu' && options.provider !== 'cuda') throw new CliError(`bench: --provider must be cpu or cuda, got "${options.provider}"`);
  const settings = {
    engine,
    model: options.model,
    batch: positiveInteger(options.batch, '--batch'),
    runs: positiveInteger(options.runs, '--runs'),
    warmup: Number(options.warmup),
    textTokens: positiveInteger(options.textTokens, '--text-tokens'),
    padding: Number(options.padding),
    expressionsPerImage: positiveInteger(options.perImage, '--per-image'),
    threads: options.threads === undefined ? undefined : positiveInteger(options.threads, '--threads'),
    chunkSize: options.chunk === undefined ? undefined : positiveInteger(options.chunk, '--chunk'),
    executionProvider: options.provider as 'cpu' | 'cuda',
    profilePrefix: options.profile,
    spinning: options.spin,
  };
  if (!Number.isInteger(settings.warmup) || settings.warmup < 0) throw new CliError(`bench: --warmup must be 0 or more, got "${options.warmup}"`);
  // a batch is one tensor: past this, its typed array cannot be allocated (ViT-B/16: 4096 × 224² × 3 floats = 2.5 GB)
  if (settings.batch > MAX_BENCH_BATCH) throw new CliError(`bench: --batch must be at most ${MAX_BENCH_BATCH}, got ${settings.batch}`);
  if (options.profile !== undefined) checkProfilePrefix(options.profile, engine);
  await initBackend(options.backend, { log: options.json ? null : undefined });
  if (options.preset !== undefined && (options.preset !== 'demo' || !options.train)) {
    throw new CliError(`bench: --preset takes demo, with --train (got "${options.preset}"${options.train ? '' : ' without --train'})`);
  }
  if (options.fusionLayers !== undefined && options.preset !== 'demo') throw new CliError('bench: --fusion-layers needs --train --preset demo');
  if (options.train && options.preset === 'demo') {
    const trained = await benchmarkDemoTraining(engine, settings.runs, settings.warmup, parseFusionLayers(options.fusionLayers));
    process.stdout.write(options.json ? `${JSON.stringify(trained)}\n` : formatDemoTraining(trained));
    return;
  }
  if (options.train) {
    if (engine !== 'tfjs') throw new CliError('bench: --train runs on the tfjs engine (ONNX Runtime here is inference only)');
    const trained = await benchmarkTraining(settings);
    process.stdout.write(options.json ? `${JSON.stringify(trained)}\n` : formatTraining(trained));
    return;
  }
  let result: InferenceBenchResult;
  try {
    result = await benchmarkInference(settings);
  } catch (error) {
    throw new CliError(`bench: ${oneLine(error)}`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(formatResult(result));
}

function formatResult(r: InferenceBenchResult): string {
  const lines = [
    `CLIP-VG ${r.model}, engine ${r.engine} on ${r.backend}${r.threads ? ` (${r.threads} threads)` : ''}, batch ${r.batch}${r.expressions_per_image > 1 ? ` (${r.expressions_per_image} expressions per image)` : ''}${r.chunk_size !== null && r.chunk_size < r.batch ? ` (run in chunks of ${r.chunk_size})` : ''}, ${r.text_tokens} text tokens`,
    `  ${r.expressions_per_image > 1 ? `${r.images_per_s.toFixed(2)} image–expression pairs/s (${r.distinct_images_per_s.toFixed(2)} distinct images/s)` : `${r.images_per_s.toFixed(2)} images/s`}   ${r.ms_per_batch.toFixed(0)} ms per batch (median of ${r.runs_ms.length}: ${r.runs_ms.map((t) => t.toFixed(0)).join(', ')} ms)`,
    `  ${r.cpu_ms_per_batch.toFixed(0)} ms of CPU time per batch (user + system, all threads)`,
    `  peak memory ${r.peak_rss_mb} MB RSS${r.build_s !== null ? `   session built in ${r.build_s.toFixed(1)} s` : ''}   load average ${r.load_average.toFixed(2)}`,
  ];
  return `${lines.join('\n')}\n`;
}

interface TrainingBenchResult {
  mode: 'train';
  engine: 'tfjs';
  backend: string;
  model: string;
  batch: number;
  text_tokens: number;
  images_per_s: number;
  ms_per_step: number;
  runs_ms: number[];
  trainable_parameters: number;
  peak_rss_mb: number;
  load_average: number;
}

/** Median time of one optimisation step of CLIP-VG (dropout on, gradients into the fusion, box head and CLIP's visual positions). */
async function benchmarkTraining(settings: {
  model: string;
  batch: number;
  runs: number;
  warmup: number;
  textTokens: number;
  padding: number;
}): Promise<TrainingBenchResult> {
  ensureGradients();
  let config;
  try {
    config = benchConfig(settings.model);
  } catch (error) {
    throw new CliError(`bench: ${oneLine(error)}`);
  }
  const model = ClipVG.create(config, { seed: 0 });
  const inputs = benchInputs(config, settings.batch, settings.textTokens, settings.padding);
  const target = tf.tidy(
    () =>
      tf.concat(
        [tf.randomUniform([settings.batch, 2], 0.3, 0.7, 'float32', 2), tf.randomUniform([settings.batch, 2], 0.1, 0.4, 'float32', 3)],
        1,
      ) as tf.Tensor2D,
  );
  const variables = new Map(model.trainableVariables().map((v, i) => [`param.${i}`, v]));
  const byTfName = new Map([...variables].map(([name, v]) => [v.name, name]));
  const optimizer = new AdamW({ lr: 1e-4, weightDecay: 1e-4 });
  const step = async (): Promise<number> => {
    const start = performance.now();
    const { value, grads } = tf.variableGrads(
      () => groundingLoss(model.predict(inputs.images, inputs.pixelMask, inputs.ids, true), target).loss,
      [...variables.values()],
    );
    const named: Record<string, tf.Tensor> = {};
    for (const [tfName, grad] of Object.entries(grads)) named[byTfName.get(tfName)!] = grad;
    optimizer.applyGradients(variables, named);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - start;
  };
  try {
    for (let i = 0; i < settings.warmup; i++) await step();
    const times: number[] = [];
    for (let i = 0; i < settings.runs; i++) times.push(await step());
    const ms = median(times);
    return {
      mode: 'train',
      engine: 'tfjs',
      backend: tf.getBackend(),
      model: settings.model,
      batch: settings.batch,
      text_tokens: settings.textTokens,
      images_per_s: (settings.batch * 1000) / ms,
      ms_per_step: ms,
      runs_ms: times.map((t) => Math.round(t * 10) / 10),
      trainable_parameters: model.countTrainableParameters(),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      load_average: os.loadavg()[0],
    };
  } finally {
    tf.dispose([inputs.images, inputs.pixelMask, inputs.ids, target]);
    model.dispose();
  }
}

function formatTraining(r: TrainingBenchResult): string {
  return (
    [
      `CLIP-VG ${r.model} training step on tfjs/${r.backend}, batch ${r.batch}, ${r.text_tokens} text tokens, ${r.trainable_parameters.toLocaleString('en-US')} trainable parameters`,
      `  ${r.images_per_s.toFixed(2)} images/s   ${r.ms_per_step.toFixed(0)} ms per step (median of ${r.runs_ms.length}: ${r.runs_ms.map((t) => t.toFixed(0)).join(', ')} ms)`,
      `  peak memory ${r.peak_rss_mb} MB RSS   load average ${r.load_average.toFixed(2)}`,
    ].join('\n') + '\n'
  );
}

function parseFusionLayers(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 12) throw new CliError(`bench: --fusion-layers must be an integer from 1 to 12, got "${text}"`);
  return n;
}

function formatDemoTraining(r: DemoTrainBenchResult): string {
  return (
    [
      `demo fusion training step on ${r.engine} (${r.backend}, ${r.threads} thread), batch ${r.batch}, ${r.tokens} tokens, ${r.fusion_layers} fusion layers, ${r.trainable_parameters.toLocaleString('en-US')} trainable parameters`,
      `  ${r.ms_per_step.toFixed(1)} ms per step (median of ${r.runs_ms.length}: ${r.runs_ms.map((t) => t.toFixed(1)).join(', ')} ms)   ${r.samples_per_s.toFixed(0)} samples/s`,
      `  peak memory ${r.peak_rss_mb} MB RSS   load average ${r.load_average.toFixed(2)}`,
    ].join('\n') + '\n'
  );
}
