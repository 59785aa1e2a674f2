/**
 * Full-model inference benchmark (preprocessed tensors in, boxes out) for either engine, on a CLIP-VG with random
 * weights: what `clip-vg bench` runs. Timing lives here and in the CLI, never in tests.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { CLIP_CONFIGS, type ClipConfig, type ClipModelName } from '@clip-vg/clip-encoders';
import { ClipVG, clipVGConfig, extractLayersFor, type ClipVGConfig, type EngineName } from '@clip-vg/fusion-transformer';
import { OnnxClipVG, type ExecutionProvider } from './engine';

export const ENGINE_NAMES: readonly EngineName[] = ['tfjs', 'onnx'];

/** A test-sized CLIP (the golden tiny model's shape) for smoke runs of the benchmark. */
export const TINY_CLIP: ClipConfig = {
  embedDim: 64,
  imageResolution: 64,
  visionLayers: 12,
  visionWidth: 128,
  visionPatchSize: 16,
  visionHeads: 2,
  contextLength: 77,
  vocabSize: 49408,
  transformerWidth: 64,
  transformerHeads: 1,
  transformerLayers: 12,
};

export const BENCH_MODELS = [...Object.keys(CLIP_CONFIGS), 'tiny'] as const;

/** CLIP-VG's configuration for a CLIP model name (`ViT-B/16`, ... or `tiny`). */
export function benchConfig(model: string): ClipVGConfig {
  if (model === 'tiny') return clipVGConfig(TINY_CLIP, [0, 3, 7, 11], { vlFfnDim: 256 });
  const clip = CLIP_CONFIGS[model as ClipModelName];
  if (!clip) throw new Error(`unknown model "${model}" (expected one of ${BENCH_MODELS.join(', ')})`);
  return clipVGConfig(clip, extractLayersFor(model));
}

export interface InferenceBenchOptions {
  engine: EngineName;
  model?: string;
  batch?: number;
  /** Timed runs (the median is reported). Default 5. */
  runs?: number;
  warmup?: number;
  /** Tokens of each text including SOT and EOT, the rest padding (a RefCOCO expression is ~6-20). Default 20. */
  textTokens?: number;
  /** Fraction of each image's rows that are letterbox padding (0 = square images, the worst case). Default 0. */
  padding?: number;
  /**
   * Consecutive rows that show the same image with different expressions (RefCOCO: ~3 per image). Default 1
   * (every row its own image, the worst case).
   */
  expressionsPerImage?: number;
  threads?: number;
  /** ONNX engine: the most distinct images per ORT run (see `OnnxEngineOptions.chunkSize`). */
  chunkSize?: number;
  executionProvider?: ExecutionProvider;
  profilePrefix?: string;
  spinning?: boolean;
  /** Called before each timed run (progress). */
  onRun?: (run: number) => void;
}

export interface InferenceBenchResult {
  engine: EngineName;
  backend: string;
  model: string;
  batch: number;
  text_tokens: number;
  expressions_per_image: number;
  threads: number | null;
  /** ONNX engine: the most distinct images per ORT run (the batch runs as consecutive chunks); null for tfjs. */
  chunk_size: number | null;
  /** Rows (image–expression pairs) per second: with `expressions_per_image` 1, images per second. */
  images_per_s: number;
  /** Distinct images per second (the image tower's rate): `images_per_s / expressions_per_image`, rounded up per batch. */
  distinct_images_per_s: number;
  ms_per_batch: number;
  runs_ms: number[];
  /** Process CPU time (user + system) per batch, median: what the batch costs whatever else runs beside it. */
  cpu_ms_per_batch: number;
  /** Seconds to build the ONNX session from the weights (onnx engine). */
  build_s: number | null;
  peak_rss_mb: number;
  load_average: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Deterministic inputs: images ~ N(0, 1), optional bottom padding, SOT + tokens + EOT then zeros. */
export function benchInputs(config: ClipVGConfig, batch: number, textTokens: number, padding: number, expressionsPerImage = 1) {
  const size = config.imsize;
  const L = config.maxQueryLen;
  if (!Number.isInteger(textTokens) || textTokens < 2 || textTokens > L) throw new Error(`text tokens must be 2..${L}, got ${textTokens}`);
  if (!(padding >= 0 && padding < 1)) throw new Error(`padding must be in [0, 1), got ${padding}`);
  if (!Number.isInteger(expressionsPerImage) || expressionsPerImage < 1)
    throw new Error(`expressions per image must be a positive integer, got ${expressionsPerImage}`);
  const ids = new Int32Array(batch * L);
  for (let b = 0; b < batch; b++) {
    ids[b * L] = 49406;
    for (let t = 1; t < textTokens - 1; t++) ids[b * L + t] = 320 + ((b * 131 + t * 17) % 40000);
    ids[b * L + textTokens - 1] = 49407;
  }
  const padRows = Math.floor(size * padding);
  const mask = new Int32Array(batch * size * size);
  for (let b = 0; b < batch; b++) mask.fill(1, (b * size + size - padRows) * size, (b + 1) * size * size);
  return {
    images: tf.tidy(() => {
      const distinct = tf.randomNormal([Math.ceil(batch / expressionsPerImage), size, size, 3], 0, 1, 'float32', 1);
      const rows = Array.from({ length: batch }, (_, b) => Math.floor(b / expressionsPerImage));
      return tf.gather(distinct, tf.tensor1d(rows, 'int32')) as tf.Tensor4D;
    }),
    pixelMask: tf.tensor3d(mask, [batch, size, size], 'int32'),
    ids: tf.tensor2d(ids, [batch, L], 'int32'),
  };
}

/** Build the model, warm up, time `runs` batches; reports the median. */
export async function benchmarkInference(options: InferenceBenchOptions): Promise<InferenceBenchResult> {
  const modelName = options.model ?? 'ViT-B/16';
  const batch = options.batch ?? 8;
  const runs = options.runs ?? 5;
  const textTokens = options.textTokens ?? 20;
  const config = benchConfig(modelName);
  const model = ClipVG.create(config, { seed: 0 });
  const inputs = benchInputs(config, batch, textTokens, options.padding ?? 0, options.expressionsPerImage ?? 1);
  let engine: OnnxClipVG | undefined;
  let buildSeconds: number | null = null;
  try {
    if (options.engine === 'onnx') {
      const start = performance.now();
      engine = await OnnxClipVG.fromModel(model, {
        threads: options.threads,
        chunkSize: options.chunkSize,
        executionProvider: options.executionProvider,
        profilePrefix: options.profilePrefix,
        spinning: options.spinning,
      });
      buildSeconds = (performance.now() - start) / 1000;
      model.dispose(); // the ONNX session holds its own copy of the weights
    }
    const cpuTimes: number[] = [];
    const once = async (): Promise<number> => {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      if (engine) await engine.predictArrays(inputs.images, inputs.pixelMask, inputs.ids);
      else {
        const boxes = model.predict(inputs.images, inputs.pixelMask, inputs.ids);
        await boxes.data();
        boxes.dispose();
      }
      const cpu = process.cpuUsage(cpuStart);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      return performance.now() - start;
    };
    for (let i = 0; i < (options.warmup ?? 1); i++) await once();
    const times: number[] = [];
    cpuTimes.length = 0;
    for (let i = 0; i < runs; i++) {
      options.onRun?.(i);
      times.push(await once());
    }
    if (options.profilePrefix) engine?.endProfiling();
    const ms = median(times);
    return {
      engine: options.engine,
      backend: options.engine === 'onnx' ? `ort-${engine!.executionProvider}` : tf.getBackend(),
      model: modelName,
      batch,
      text_tokens: textTokens,
      expressions_per_image: options.expressionsPerImage ?? 1,
      threads: options.engine === 'onnx' ? (options.threads ?? os.availableParallelism()) : null,
      chunk_size: engine ? Math.min(batch, engine.chunkSize) : null,
      images_per_s: (batch * 1000) / ms,
      distinct_images_per_s: (Math.ceil(batch / (options.expressionsPerImage ?? 1)) * 1000) / ms,
      ms_per_batch: ms,
      runs_ms: times.map((t) => Math.round(t * 10) / 10),
      cpu_ms_per_batch: median(cpuTimes),
      build_s: buildSeconds,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      load_average: os.loadavg()[0],
    };
  } finally {
    tf.dispose([inputs.images, inputs.pixelMask, inputs.ids]);
    if (engine) await engine.dispose();
    else model.dispose();
  }
}
