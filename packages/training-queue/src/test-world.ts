/** A small random feature table, shared initial weights and a few label sets: a synthetic curriculum for the tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { clipVGConfig, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { DEMO_SHAPE_CLIP } from '@clip-vg/test-utils';
import { fusionParams, selectRows, type FeatureRows, type FusionRecipe, type FusionWeights } from '@clip-vg/onnx-engine';
import type { TrainingSetup } from './artifacts';
import type { TrainingWorkerOptions } from './worker';

export function tinyConfig(): ClipVGConfig {
  return clipVGConfig(DEMO_SHAPE_CLIP, [0, 1, 2, 3], { vlLayers: 1, vlHeads: 4, vlFfnDim: 64, dropout: 0 });
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32 - 0.5;
  };
}

export function tinySetup(seed = 1, batchSize = 8): { setup: TrainingSetup; all: FeatureRows; val: FeatureRows } {
  const config = tinyConfig();
  const rand = random(seed);
  const images = 12;
  const texts = 48;
  const L = config.maxQueryLen;
  const visual = Float32Array.from({ length: images * 37 * 256 }, rand);
  const text = Float32Array.from({ length: texts * L * 64 }, rand);
  const textPadding = new Uint8Array(texts * L).fill(1);
  for (let t = 0; t < texts; t++) for (let i = 0; i < 3 + (t % 5); i++) textPadding[t * L + i] = 0;
  const init: FusionWeights = {};
  for (const p of fusionParams(config)) init[p.name] = Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => 0.04 * rand());
  const all: FeatureRows = { image: new Int32Array(texts), text: new Int32Array(texts), boxes: new Float32Array(4 * texts) };
  for (let i = 0; i < texts; i++) {
    all.image[i] = i % images;
    all.text[i] = i;
    all.boxes.set([0.3 + 0.4 * ((i % images) / images), 0.5, 0.2 + 0.1 * (i % 3), 0.3], 4 * i);
  }
  const val = selectRows(
    all,
    Array.from({ length: 8 }, (_, k) => 40 + k),
  );
  return { setup: { config, table: { visual, text, textPadding }, init, batchSize }, all, val };
}

/** Label sets of a toy curriculum: growing prefixes and a few strided subsets. */
export function labelSets(all: FeatureRows, count: number): FeatureRows[] {
  return Array.from({ length: count }, (_, k) =>
    selectRows(
      all,
      Array.from({ length: 16 + 4 * k }, (_, i) => (i * (k + 1)) % 40),
    ),
  );
}

export function recipe(steps: number, batchSize = 8): FusionRecipe {
  return { steps, batchSize, lr: 1e-3, weightDecay: 1e-4, warmupSteps: 2, evalEvery: 5 };
}

/** A worker in its own process (the package's build), its log lines collected. */
export interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  ready: Promise<void>;
  exited: Promise<number | null>;
}

export function spawnWorker(options: Omit<TrainingWorkerOptions, 'log'>): WorkerProcess {
  const dist = path.resolve(__dirname, '..', 'dist', 'index.js');
  const script = `require(${JSON.stringify(dist)}).startTrainingWorker({ ...${JSON.stringify(options)}, log: (l) => console.log(l) })
    .catch((e) => { console.log('fatal: ' + e.message); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      if (/waiting for jobs/.test(line)) resolveReady();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      resolveReady();
      r(code);
    }),
  );
  return { child, lines, ready, exited };
}
