/**
 * The coordinator side: a `TrainingRunner` whose trainings are BullMQ jobs. The setup (config, feature table,
 * initial weights) goes to the shared artifact folder once; each job carries references and its rows. Jobs are
 * keyed by content, so a rerun of an experiment collects the finished jobs' results instead of training again.
 * Predictions run here, on the coordinator's own copy of the table: they are cheap next to a training.
 *
 * Completion is learnt from BullMQ's event stream and, as a fallback, by polling each pending job's state: an
 * event missed while Redis restarted must not leave the experiment waiting forever.
 */
import * as path from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { FusionTrainingPool, type FeatureRows, type FusionTrainResult, type FusionWeights, type TrainingJob, type TrainingRunner } from '@clip-vg/onnx-engine';
import { encodeSetup, readResult, writeArtifact, type ArtifactRef, type TrainingSetup } from './artifacts';
import { checkRedis, createRedis } from './connection';
import { DEFAULT_QUEUE, encodeJob, jobIdOf, TRAIN_JOB, type TrainPayload } from './payload';
import type { TrainJobResult } from './worker';

export type QueueEvent =
  | { type: 'queued'; jobId: string; steps: number }
  | { type: 'reused'; jobId: string; steps: number }
  | { type: 'progress'; jobId: string; worker: string; step: number; steps: number }
  | { type: 'stalled'; jobId: string }
  | { type: 'retry'; jobId: string; reason: string }
  | { type: 'completed'; jobId: string; worker: string; seconds: number }
  | { type: 'failed'; jobId: string; reason: string }
  /** Taken off the queue at `close()`: asked for (e.g. announced by a policy) but never started, and no longer needed. */
  | { type: 'withdrawn'; jobId: string };

export interface QueueRunnerOptions extends TrainingSetup {
  url: string;
  queue?: string;
  /** The artifact folder, as this machine sees the shared volume. */
  artifacts: string;
  /** Tries per job before the experiment stops (a worker that dies mid-job does not use one up). */
  attempts?: number;
  /** Wait between tries. */
  backoffMs?: number;
  /** How often pending jobs' states are read, besides the events. */
  pollMs?: number;
  onEvent?: (event: QueueEvent) => void;
}

interface Waiter {
  resolve(value: TrainJobResult): void;
  reject(error: Error): void;
  onProgress?: (step: number, steps: number) => void;
}

export class QueueTrainingRunner implements TrainingRunner {
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly payloads = new Map<string, TrainPayload>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;
  /** Jobs found finished when asked for (a rerun's reuse). */
  reused = 0;

  private constructor(
    private readonly options: QueueRunnerOptions,
    private readonly setupRef: ArtifactRef,
    private readonly local: FusionTrainingPool,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly connections: IORedis[],
  ) {
    events.on('progress', ({ jobId, data }) => {
      const p = data as { step?: number; steps?: number; worker?: string };
      if (typeof p?.step !== 'number' || typeof p.steps !== 'number') return;
      for (const w of this.waiters.get(jobId) ?? []) w.onProgress?.(p.step, p.steps);
      this.emit({ type: 'progress', jobId, worker: String(p.worker ?? '?'), step: p.step, steps: p.steps });
    });
    events.on('stalled', ({ jobId }) => this.emit({ type: 'stalled', jobId }));
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, settled(returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => void this.onFailed(jobId, failedReason));
    this.timer = setInterval(() => void this.poll(), options.pollMs ?? 2000);
  }

  static async start(options: QueueRunnerOptions): Promise<QueueTrainingRunner> {
    await checkRedis(options.url);
    const artifacts = path.resolve(options.artifacts);
    const setupRef = writeArtifact(artifacts, 'setup-', encodeSetup(options));
    const local = await FusionTrainingPool.start({
      config: options.config,
      table: options.table,
      init: options.init,
      batchSize: options.batchSize,
      workers: 0,
    });
    const connections = [createRedis(options.url), createRedis(options.url)];
    const name = options.queue ?? DEFAULT_QUEUE;
    const queue = new Queue(name, { connection: connections[0] });
    const events = new QueueEvents(name, { connection: connections[1] });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new QueueTrainingRunner({ ...options, artifacts }, setupRef, local, queue, events, connections);
  }

  /** Where this experiment's setup was written (for workers' logs and the docs). */
  get setup(): ArtifactRef {
    return this.setupRef;
  }

  async train(job: TrainingJob, onProgress?: (step: number, steps: number) => void): Promise<FusionTrainResult> {
    const payload = encodeJob(this.setupRef, job);
    const jobId = jobIdOf(payload);
    const steps = job.recipe.steps;
    const done = new Promise<TrainJobResult>((resolve, reject) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push({ resolve, reject, onProgress });
      this.waiters.set(jobId, list);
    });
    this.payloads.set(jobId, payload);
    const { job: existing, state } = await this.jobAndState(jobId);
    if (existing && state === 'completed' && this.resultReadable(existing)) {
      this.reused++;
      this.emit({ type: 'reused', jobId, steps });
      this.settle(jobId, settled(existing.returnvalue));
    } else if (existing && state === 'failed') {
      // an earlier run gave up on it: this run tries again
      await existing.retry('failed');
      this.emit({ type: 'queued', jobId, steps });
    } else if (!existing || state === 'completed') {
      if (existing) await existing.remove();
      await this.add(payload, jobId);
      this.emit({ type: 'queued', jobId, steps });
    } else {
      this.emit({ type: 'queued', jobId, steps });
    }
    const reply = await done;
    return readResult(path.join(this.options.artifacts, reply.result.file), reply.result.hash);
  }

  predict(weights: FusionWeights, rows: FeatureRows): Promise<Float32Array> {
    return this.local.predict(weights, rows);
  }

  /**
   * Withdraws the jobs this runner still waits for that no worker has started (trainings a policy announced and
   * never used: workers would spend hours on them), then disconnects. Started ones run to the end; their results
   * stay for a rerun. A job another coordinator also waits for is queued again by that one's poll.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const jobId of this.waiters.keys()) {
      try {
        const job = await this.queue.getJob(jobId);
        if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState())) {
          await job.remove();
          this.emit({ type: 'withdrawn', jobId });
        }
      } catch {
        // taken by a worker meanwhile (locked), or Redis is away: it stays
      }
    }
    for (const list of this.waiters.values()) for (const w of list) w.reject(new Error('training queue closed'));
    this.waiters.clear();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    for (const c of this.connections) c.disconnect();
    await this.local.close();
  }

  private add(payload: TrainPayload, jobId: string): Promise<Job> {
    return this.queue.add(TRAIN_JOB, payload, {
      jobId,
      attempts: this.options.attempts ?? 3,
      backoff: { type: 'fixed', delay: this.options.backoffMs ?? 1000 },
      // finished jobs stay: they are what a rerun reuses
      removeOnComplete: false,
      removeOnFail: false,
    });
  }

  /**
   * The job's state, then the job: read the other way round, a job that completes in between looks completed with
   * the return value of its earlier read (none).
   */
  private async jobAndState(jobId: string): Promise<{ job: Job | undefined; state: string }> {
    const state = await this.queue.getJobState(jobId);
    const job = await this.queue.getJob(jobId);
    return { job, state: job ? state : 'unknown' };
  }

  private resultReadable(job: Job): boolean {
    try {
      const ref = parseReturn(job.returnvalue).result;
      readResult(path.join(this.options.artifacts, ref.file), ref.hash);
      return true;
    } catch {
      return false;
    }
  }

  private emit(event: QueueEvent): void {
    this.options.onEvent?.(event);
  }

  private settle(jobId: string, outcome: { value: TrainJobResult } | { error: Error }): void {
    const list = this.waiters.get(jobId);
    if (!list) return;
    this.waiters.delete(jobId);
    this.payloads.delete(jobId);
    if ('value' in outcome) this.emit({ type: 'completed', jobId, worker: outcome.value.worker, seconds: outcome.value.seconds });
    for (const w of list) {
      if ('value' in outcome) w.resolve(outcome.value);
      else w.reject(outcome.error);
    }
  }

  private async onFailed(jobId: string, reason: string): Promise<void> {
    if (!this.waiters.has(jobId)) return;
    // the event also fires for attempts that will be retried; only a job in the failed set has given up
    const { job, state } = await this.jobAndState(jobId).catch(() => ({ job: undefined, state: 'unknown' }));
    if (state !== 'failed') {
      this.emit({ type: 'retry', jobId, reason });
      return;
    }
    this.fail(jobId, job!);
  }

  private fail(jobId: string, job: Job): void {
    const reason = (job.failedReason ?? 'unknown cause').split('\n')[0];
    this.emit({ type: 'failed', jobId, reason: reason });
    const tries = `${job.attemptsMade} of ${job.opts.attempts ?? 1} attempt${job.opts.attempts === 1 ? '' : 's'}`;
    this.settle(jobId, { error: new Error(`training job ${jobId.slice(0, 23)}: ${reason} (failed ${tries})`) });
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiters.size === 0) return;
    this.polling = true;
    try {
      for (const jobId of [...this.waiters.keys()]) {
        const { job, state } = await this.jobAndState(jobId);
        if (!job) {
          // gone from Redis (a restart without persistence): queued again, its result is the same
          const payload = this.payloads.get(jobId);
          if (payload) await this.add(payload, jobId);
          continue;
        }
        if (state === 'completed') this.settle(jobId, settled(job.returnvalue));
        else if (state === 'failed') this.fail(jobId, job);
      }
    } catch {
      // Redis is away; the next poll tries again
    } finally {
      this.polling = false;
    }
  }
}

function settled(value: unknown): { value: TrainJobResult } | { error: Error } {
  try {
    return { value: parseReturn(value) };
  } catch (error) {
    return { error: error as Error };
  }
}

function parseReturn(value: unknown): TrainJobResult {
  const v = (typeof value === 'string' ? JSON.parse(value) : value) as TrainJobResult;
  if (!v?.result?.file || !v.result.hash) throw new Error('training queue: a finished job without a result artifact');
  return v;
}
