/**
 * The coordinator's side of a job, whatever it trains: add it under its content id (or find it finished and reuse
 * its result), wait for it, and report what happens to it. Completion is learnt from BullMQ's event stream and, as
 * a fallback, by polling each pending job's state: an event missed while Redis restarted must not leave the
 * experiment waiting forever.
 */
import * as path from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import type { ArtifactRef } from './artifacts';
import { checkRedis, createRedis } from './connection';
import { DEFAULT_QUEUE } from './payload';
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

export interface JobClientOptions {
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

/** A job to run: its name (what workers dispatch on), content id, payload and length in steps (for progress). */
export interface JobRequest {
  name: string;
  jobId: string;
  payload: object;
  steps: number;
  /** Whether a finished job's result artifact is still there and intact (else the job runs again). */
  readable: (result: ArtifactRef) => boolean;
}

interface Waiter {
  resolve(value: TrainJobResult): void;
  reject(error: Error): void;
  onProgress?: (step: number, steps: number) => void;
}

export class JobClient {
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly requests = new Map<string, JobRequest>();
  private readonly timer: NodeJS.Timeout;
  private polling = false;
  /** Jobs found finished when asked for (a rerun's reuse). */
  reused = 0;

  private constructor(
    readonly options: JobClientOptions,
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

  /** Checks Redis (one line when unreachable or refused), then connects a queue and its event stream. */
  static async start(options: JobClientOptions): Promise<JobClient> {
    await checkRedis(options.url);
    const connections = [createRedis(options.url), createRedis(options.url)];
    const name = options.queue ?? DEFAULT_QUEUE;
    const queue = new Queue(name, { connection: connections[0] });
    const events = new QueueEvents(name, { connection: connections[1] });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new JobClient({ ...options, artifacts: path.resolve(options.artifacts) }, queue, events, connections);
  }

  /** Runs the job (or reuses its finished result); resolves with the worker's reply. */
  async run(request: JobRequest, onProgress?: (step: number, steps: number) => void): Promise<TrainJobResult> {
    const { jobId, steps } = request;
    const done = new Promise<TrainJobResult>((resolve, reject) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push({ resolve, reject, onProgress });
      this.waiters.set(jobId, list);
    });
    this.requests.set(jobId, request);
    const { job: existing, state } = await this.jobAndState(jobId);
    if (existing && state === 'completed' && this.resultReadable(existing, request)) {
      this.reused++;
      this.emit({ type: 'reused', jobId, steps });
      this.settle(jobId, settled(existing.returnvalue), false);
    } else if (existing && state === 'failed') {
      // an earlier run gave up on it: this run tries again
      await existing.retry('failed');
      this.emit({ type: 'queued', jobId, steps });
    } else if (!existing || state === 'completed') {
      if (existing) await existing.remove();
      await this.add(request);
      this.emit({ type: 'queued', jobId, steps });
    } else {
      this.emit({ type: 'queued', jobId, steps });
    }
    return done;
  }

  /**
   * Withdraws the jobs still waited for that no worker has started (trainings a policy announced and never used:
   * workers would spend hours on them), then disconnects. Started ones run to the end; their results stay for a
   * rerun. A job another coordinator also waits for is queued again by that one's poll.
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
  }

  private add(request: JobRequest): Promise<Job> {
    return this.queue.add(request.name, request.payload, {
      jobId: request.jobId,
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

  private resultReadable(job: Job, request: JobRequest): boolean {
    try {
      return request.readable(parseReturn(job.returnvalue).result);
    } catch {
      return false;
    }
  }

  private emit(event: QueueEvent): void {
    this.options.onEvent?.(event);
  }

  /** `completed` is emitted unless the result was reused (that job completed in an earlier run). */
  private settle(jobId: string, outcome: { value: TrainJobResult } | { error: Error }, completedNow = true): void {
    const list = this.waiters.get(jobId);
    if (!list) return;
    this.waiters.delete(jobId);
    this.requests.delete(jobId);
    if ('value' in outcome && completedNow) this.emit({ type: 'completed', jobId, worker: outcome.value.worker, seconds: outcome.value.seconds });
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
          const request = this.requests.get(jobId);
          if (request) await this.add(request);
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
