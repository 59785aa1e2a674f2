/**
 * The worker side: pulls `train-fusion` jobs, checks each payload against the schema (anything else is logged
 * and failed without retry, never run), loads the experiment's setup from the shared artifact folder once per
 * content hash, trains on a pool of worker threads and writes the weights back as an artifact the result names.
 *
 * Trainings run on threads so that this thread stays free to renew BullMQ's job locks: a CPU-bound training on
 * the main thread would let its lock lapse and another worker would take over a job that is still running.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { sequenceLength } from '@clip-vg/fusion-transformer';
import { FusionTrainingPool } from '@clip-vg/onnx-engine';
import { encodeResult, readSetup, writeArtifact, type ArtifactRef, type TrainingSetup } from './artifacts';
import { checkRedis, createRedis, redactUrl } from './connection';
import { decodeRows, DEFAULT_QUEUE, PayloadError, validateJob, type TrainPayload } from './payload';

export interface TrainingWorkerOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  queue?: string;
  /** The shared artifact folder: setups are read from it, trained weights written to it. */
  artifacts: string;
  /** Further folders a setup file may be read from (the artifact folder always may). */
  dataRoots?: string[];
  /** Trainings at once (one thread each). */
  concurrency?: number;
  /**
   * A job's lock lasts this long and is renewed every half of it while the job runs; a worker that dies stops
   * renewing, and after this time plus at most `stalledInterval` another worker takes the job over.
   */
  lockDuration?: number;
  /** How often workers look for jobs whose lock lapsed. */
  stalledInterval?: number;
  /** Takeovers before a job counts as failed (a job that kills every worker that runs it). */
  maxStalledCount?: number;
  /** Worker name in progress reports and logs (default host:pid). */
  name?: string;
  log?: (line: string) => void;
}

/** The reply of a finished job: where its trained weights are. */
export interface TrainJobResult {
  result: ArtifactRef;
  worker: string;
  seconds: number;
}

export interface TrainingWorker {
  name: string;
  /** Stop taking jobs, let running ones finish (or, with `force`, abandon them to the stalled-job takeover). */
  close(force?: boolean): Promise<void>;
}

export const DEFAULT_LOCK_DURATION = 30_000;
export const DEFAULT_STALLED_INTERVAL = 30_000;

interface LoadedSetup {
  setup: TrainingSetup;
  pool: FusionTrainingPool;
  used: number;
  running: number;
}

export async function startTrainingWorker(options: TrainingWorkerOptions): Promise<TrainingWorker> {
  await checkRedis(options.url);
  const log = options.log ?? (() => undefined);
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  const artifacts = path.resolve(options.artifacts);
  const roots = [artifacts, ...(options.dataRoots ?? []).map((r) => path.resolve(r))];
  const concurrency = options.concurrency ?? 1;
  const setups = new Map<string, Promise<LoadedSetup>>();

  const loadSetup = (file: string, hash: string): Promise<LoadedSetup> => {
    let loading = setups.get(hash);
    if (!loading) {
      loading = (async () => {
        const setup = readSetup(file, hash);
        const pool = await FusionTrainingPool.start({ ...setup, workers: concurrency });
        log(`${name}: loaded setup ${hash.slice(0, 12)} (${((setup.table.visual.length * 4) / 2 ** 20).toFixed(0)} MiB of features)`);
        return { setup, pool, used: 0, running: 0 };
      })();
      setups.set(hash, loading);
      // a failed load (volume not mounted yet) is tried again by the job's next attempt
      loading.catch(() => setups.delete(hash));
    }
    return loading;
  };

  const evictIdle = async (keep: string) => {
    // an experiment switches setups rarely; keep the latest two, close older idle ones
    const loaded = await Promise.all([...setups.entries()].map(async ([hash, p]) => [hash, await p.catch(() => undefined)] as const));
    const idle = loaded.filter(([hash, s]) => hash !== keep && s && s.running === 0).sort((a, b) => a[1]!.used - b[1]!.used);
    for (const [hash, s] of idle.slice(0, Math.max(0, setups.size - 2))) {
      setups.delete(hash);
      await s!.pool.close();
    }
  };

  const processor = async (job: Job): Promise<TrainJobResult> => {
    let payload: TrainPayload;
    let setupPath: string;
    try {
      ({ payload, setupPath } = validateJob(job.name, job.data, roots));
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      log(`${name}: rejected job ${job.id} (${String(job.name).slice(0, 60)}): ${error.message}`);
      throw new UnrecoverableError(`rejected by ${name}: ${error.message}`);
    }
    const loaded = await loadSetup(setupPath, payload.setup.hash);
    const rows = decodeRows(payload.rows);
    const val = payload.val ? decodeRows(payload.val) : undefined;
    checkFits(loaded.setup, payload, rows.image, rows.text, 'rows');
    if (val) checkFits(loaded.setup, payload, val.image, val.text, 'val');
    loaded.used = Date.now();
    loaded.running++;
    const started = performance.now();
    const steps = payload.recipe.steps;
    try {
      await job.updateProgress({ step: 0, steps, worker: name });
      log(`${name}: job ${job.id} started (${rows.image.length} rows, ${steps} steps, attempt ${job.attemptsMade + 1})`);
      const result = await loaded.pool.train({ rows, val, recipe: payload.recipe, seed: payload.seed }, (step) => {
        void job.updateProgress({ step, steps, worker: name }).catch(() => undefined);
      });
      const ref = writeArtifact(
        artifacts,
        `result-${String(job.id)
          .replace(/^fusion-/, '')
          .slice(0, 16)}-`,
        encodeResult(result),
      );
      const seconds = (performance.now() - started) / 1000;
      log(`${name}: job ${job.id} done in ${seconds.toFixed(1)} s`);
      return { result: ref, worker: name, seconds };
    } finally {
      loaded.running--;
      void evictIdle(payload.setup.hash);
    }
  };

  // BullMQ leaves a connection it was given open on close: this one is closed below, or the process never exits
  const connection = createRedis(options.url);
  const worker = new Worker(options.queue ?? DEFAULT_QUEUE, processor, {
    connection,
    concurrency,
    lockDuration: options.lockDuration ?? DEFAULT_LOCK_DURATION,
    stalledInterval: options.stalledInterval ?? DEFAULT_STALLED_INTERVAL,
    maxStalledCount: options.maxStalledCount ?? 2,
    name,
  });
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof UnrecoverableError)) log(`${name}: job ${job.id} failed (attempt ${job.attemptsMade}): ${error.message.split('\n')[0]}`);
  });
  let lastError = '';
  worker.on('error', (error) => {
    // ioredis repeats the same connection error on every retry while Redis is down: say it once
    const line = error.message.split('\n')[0] ?? '';
    if (line !== lastError) log(`${name}: ${redactUrl(options.url)}: ${line}`);
    lastError = line;
  });
  worker.on('ready', () => {
    if (lastError) log(`${name}: connected again`);
    lastError = '';
  });
  await worker.waitUntilReady();
  log(`${name}: waiting for jobs on ${redactUrl(options.url)} queue ${options.queue ?? DEFAULT_QUEUE} (concurrency ${concurrency}, artifacts ${artifacts})`);
  return {
    name,
    async close(force = false) {
      await worker.close(force);
      connection.disconnect();
      for (const s of setups.values()) await (await s.catch(() => undefined))?.pool.close();
      setups.clear();
    },
  };
}

/** Row indices must point into this setup's table (a payload of another experiment would read garbage). */
function checkFits(setup: TrainingSetup, payload: TrainPayload, image: Int32Array, text: Int32Array, what: string): void {
  const L = setup.config.maxQueryLen;
  const images = imageCount(setup);
  const texts = setup.table.textPadding.length / L;
  const bad = (a: Int32Array, n: number) => a.some((i) => i < 0 || i >= n);
  if (bad(image, images) || bad(text, texts)) throw new UnrecoverableError(`rejected: ${what}: row indices outside the setup's feature table`);
  if (payload.recipe.batchSize !== setup.batchSize)
    throw new UnrecoverableError(`rejected: recipe.batchSize ${payload.recipe.batchSize} differs from the setup's ${setup.batchSize}`);
}

function imageCount(setup: TrainingSetup): number {
  const { config } = setup;
  const tokens = sequenceLength(config) - config.maxQueryLen - 1;
  return setup.table.visual.length / (tokens * config.extractLayers.length * config.clip.visionWidth);
}
