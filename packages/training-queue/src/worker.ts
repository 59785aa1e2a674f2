/**
 * The worker side: pulls jobs, checks each payload against its kind's schema (a job of an unknown kind or a payload
 * that fails its schema is logged and failed without retry, never run), runs it and returns the artifact its result
 * was written to. The built-in kind is `train-fusion`; others are plugged in as handlers.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { ArtifactRef } from './artifacts';
import { checkRedis, createRedis, redactUrl } from './connection';
import { fusionJobHandler } from './fusion-job';
import { DEFAULT_QUEUE, PayloadError, TRAIN_JOB } from './payload';

/** One kind of job a worker runs. */
export interface JobHandler<P> {
  /** The payload as received, checked: throws a `PayloadError` for one that must never run. */
  validate(data: unknown, roots: string[]): P;
  /** Runs it and writes its result as an artifact under `job.artifacts`. */
  run(payload: P, job: JobContext): Promise<ArtifactRef>;
  /** Frees what the handler keeps between jobs (loaded setups, thread pools). */
  close?(): Promise<void>;
}

/** What a running job may use: its id, try, artifact folder, progress reports and log. */
export interface JobContext {
  id: string;
  /** 1-based try. */
  attempt: number;
  artifacts: string;
  /** Other folders payloads may name files in. */
  roots: string[];
  /** The job lock's duration (ms): work that blocks this thread for half of it lets the lock lapse. */
  lockDuration: number;
  progress(step: number, steps: number): void;
  /** A line about this job (the worker's name and the job id are prepended). */
  log(line: string): void;
}

export interface TrainingWorkerOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  queue?: string;
  /** The shared artifact folder: setups are read from it, trained weights written to it. */
  artifacts: string;
  /** Further folders a setup file may be read from (the artifact folder always may). */
  dataRoots?: string[];
  /** Jobs at once (a fusion training: one thread each). */
  concurrency?: number;
  /**
   * Job kinds besides the built-in `train-fusion`, by job name (e.g. `@clip-vg/training`'s `train-model`). A job
   * of any other name is rejected.
   */
  handlers?: Record<string, JobHandler<unknown>>;
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

export async function startTrainingWorker(options: TrainingWorkerOptions): Promise<TrainingWorker> {
  await checkRedis(options.url);
  const log = options.log ?? (() => undefined);
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  const artifacts = path.resolve(options.artifacts);
  const roots = [artifacts, ...(options.dataRoots ?? []).map((r) => path.resolve(r))];
  const concurrency = options.concurrency ?? 1;
  const lockDuration = options.lockDuration ?? DEFAULT_LOCK_DURATION;
  const handlers: Record<string, JobHandler<unknown>> = { ...options.handlers, [TRAIN_JOB]: fusionJobHandler(concurrency) };

  let running = 0;
  const processor = async (job: Job): Promise<TrainJobResult> => {
    const handler = Object.hasOwn(handlers, job.name) ? handlers[job.name] : undefined;
    let payload: unknown;
    try {
      if (!handler)
        throw new PayloadError(`unknown job name ${JSON.stringify(String(job.name).slice(0, 60))} (workers run only ${Object.keys(handlers).join(', ')})`);
      payload = handler.validate(job.data, roots);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      log(`${name}: rejected job ${job.id} (${String(job.name).slice(0, 60)}): ${error.message}`);
      throw new UnrecoverableError(`rejected by ${name}: ${error.message}`);
    }
    const started = performance.now();
    running++;
    let ref: ArtifactRef;
    try {
      ref = await handler!.run(payload, {
        id: String(job.id),
        attempt: job.attemptsMade + 1,
        artifacts,
        roots,
        lockDuration,
        progress: (step, steps) => void job.updateProgress({ step, steps, worker: name }).catch(() => undefined),
        log: (line) => log(`${name}: job ${job.id} ${line}`),
      });
    } finally {
      running--;
    }
    const seconds = (performance.now() - started) / 1000;
    log(`${name}: job ${job.id} done in ${seconds.toFixed(1)} s`);
    return { result: ref, worker: name, seconds };
  };

  // BullMQ leaves a connection it was given open on close: this one is closed below, or the process never exits
  const connection = createRedis(options.url);
  const worker = new Worker(options.queue ?? DEFAULT_QUEUE, processor, {
    connection,
    concurrency,
    lockDuration,
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
      // an idle worker whose Redis is gone would wait for it forever to close gracefully: nothing to lose by not
      await worker.close(force || (running === 0 && connection.status !== 'ready'));
      connection.disconnect();
      for (const handler of Object.values(handlers)) await handler.close?.();
    },
  };
}
