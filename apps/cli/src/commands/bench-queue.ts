/**
 * `clip-vg bench --queue [URL]`: what the Redis queue adds to each training. The same short trainings (the quick
 * demo's fusion on random features of its size) run one at a time through a local `FusionTrainingPool` of one
 * thread, then through a `QueueTrainingRunner` and one worker (in this process, one thread): the difference of the
 * medians is the queue's cost per job (enqueue, pick-up, events, the result artifact written and read back).
 * Without a URL it starts a throwaway `redis-server` on a free loopback port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ClipVG, clipVGConfig, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { demoClipConfig, DEMO_PRESETS } from '@clip-vg/experiments';
import { FusionTrainingPool, fusionParams, type FeatureRows, type FeatureTable, type TrainingRunner } from '@clip-vg/onnx-engine';
import { checkRedis, QueueTrainingRunner, redisServerBinary, startLocalRedis, startTrainingWorker, type LocalRedis } from '@clip-vg/training-queue';
import { CliError, oneLine } from '../util/errors';
import { median } from '../util/stats';
import { randomFeatures } from './bench-train-demo';

export interface QueueBenchResult {
  mode: 'queue';
  jobs: number;
  steps_per_job: number;
  rows_per_job: number;
  /** Median wall time of one training, enqueue to result, through each runner. */
  local_ms_per_job: number;
  queue_ms_per_job: number;
  overhead_ms_per_job: number;
  /** The worker's one-off read of the setup artifact (features and initial weights), not in the per-job figures. */
  setup_mb: number;
  local_runs_ms: number[];
  queue_runs_ms: number[];
  redis: 'given' | 'local redis-server';
  load_average: number;
}

export async function benchmarkQueue(options: { url?: string; jobs: number; steps: number }): Promise<QueueBenchResult> {
  let local: LocalRedis | undefined;
  if (options.url === undefined) {
    if (!redisServerBinary()) throw new CliError('bench --queue: no URL given and no redis-server on PATH (Debian: apt-get install redis-server)');
    local = await startLocalRedis();
  } else {
    try {
      await checkRedis(options.url);
    } catch (error) {
      throw new CliError(`bench --queue: ${oneLine(error)}`);
    }
  }
  const url = options.url ?? local!.url;
  const artifacts = mkdtempSync(path.join(os.tmpdir(), 'clip-vg-bench-queue-'));
  const setup = quickDemoSetup();
  const jobs = Array.from({ length: options.jobs + 1 }, (_, seed) => ({
    rows: setup.rows,
    recipe: { steps: options.steps, batchSize: setup.batchSize, lr: 1e-3, weightDecay: 1e-4, warmupSteps: 0, evalEvery: 0 },
    seed,
  }));
  // the first job of each runner warms it up (threads, sessions, the worker's setup read) and is not timed
  const timeJobs = async (runner: TrainingRunner): Promise<number[]> => {
    const times: number[] = [];
    for (const [i, job] of jobs.entries()) {
      const start = performance.now();
      await runner.train(job);
      if (i > 0) times.push(performance.now() - start);
    }
    return times;
  };
  try {
    const pool = await FusionTrainingPool.start({ ...setup, workers: 1 });
    const localTimes = await timeJobs(pool).finally(() => pool.close());
    // a fresh queue name: no finished job of an earlier bench is reused
    const queue = `clip-vg-bench-${randomBytes(4).toString('hex')}`;
    const worker = await startTrainingWorker({ url, queue, artifacts, concurrency: 1 });
    const runner = await QueueTrainingRunner.start({ ...setup, url, queue, artifacts });
    const queueTimes = await timeJobs(runner).finally(async () => {
      await runner.close();
      await worker.close();
    });
    const setupBytes = setup.table.visual.byteLength + setup.table.text.byteLength + Object.values(setup.init).reduce((s, w) => s + w.byteLength, 0);
    const localMs = median(localTimes);
    const queueMs = median(queueTimes);
    return {
      mode: 'queue',
      jobs: options.jobs,
      steps_per_job: options.steps,
      rows_per_job: setup.rows.image.length,
      local_ms_per_job: round(localMs),
      queue_ms_per_job: round(queueMs),
      overhead_ms_per_job: round(queueMs - localMs),
      setup_mb: round(setupBytes / 2 ** 20),
      local_runs_ms: localTimes.map(round),
      queue_runs_ms: queueTimes.map(round),
      redis: local ? 'local redis-server' : 'given',
      load_average: os.loadavg()[0],
    };
  } finally {
    rmSync(artifacts, { recursive: true, force: true });
    await local?.stop();
  }
}

export function formatQueueBench(r: QueueBenchResult): string {
  return (
    [
      `queue overhead: ${r.jobs} trainings of ${r.steps_per_job} step(s) on ${r.rows_per_job} rows (quick demo shape), one at a time, ${r.redis}`,
      `  local pool (1 thread)      ${r.local_ms_per_job.toFixed(1)} ms per job (median)`,
      `  queue + 1 worker           ${r.queue_ms_per_job.toFixed(1)} ms per job (median)`,
      `  overhead                   ${r.overhead_ms_per_job.toFixed(1)} ms per job   (+ the worker's one-off read of a ${r.setup_mb.toFixed(1)} MB setup)`,
      `  load average ${r.load_average.toFixed(2)}`,
    ].join('\n') + '\n'
  );
}

/** The quick demo's fusion and feature table shape (`randomFeatures`: timing only), one label per image. */
function quickDemoSetup(): { config: ClipVGConfig; table: FeatureTable; init: Record<string, Float32Array>; batchSize: number; rows: FeatureRows } {
  const s = DEMO_PRESETS.quick;
  const config = clipVGConfig(demoClipConfig(), [0, 1, 2, 3], { vlLayers: s.fusionLayers, vlHeads: s.fusionHeads, vlFfnDim: s.fusionFfn, dropout: 0 });
  const { table, rows } = randomFeatures(config, s.trainImages, true);
  const model = ClipVG.create(config, { seed: 0 });
  const state = model.stateDict();
  const init = Object.fromEntries(fusionParams(config).map((p) => [p.name, state[p.name].toFloat32Array().slice()]));
  model.dispose();
  return { config, table, init, batchSize: s.batchSize, rows };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
