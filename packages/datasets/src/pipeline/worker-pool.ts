/**
 * A fixed pool of worker threads that run `processSample`. Each worker holds up to `perWorker` tasks at once
 * (decoding is asynchronous, so one worker overlaps I/O with transforms); results come back as transferred
 * buffers, so nothing is copied between threads.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResultMessage, TaskMessage } from './sample-worker';
import type { SampleResult, SampleTask } from './sample-task';

interface Pending {
  task: SampleTask;
  resolve: (result: SampleResult) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

/**
 * How a worker loads this code: the CJS bundle itself exports `runSampleWorker`. Run from the TypeScript sources
 * (tests), a worker needs a require hook for them first: the module named by `CLIP_VG_WORKER_PRELOAD`, which the
 * jest preset sets to @clip-vg/test-utils' `register-ts.js`.
 */
function workerSource(): string {
  const here = typeof __filename === 'string' ? __filename : undefined;
  if (here && here.endsWith('.ts')) {
    const preload = process.env.CLIP_VG_WORKER_PRELOAD;
    if (!preload) throw new Error('batch pipeline: workers cannot run the TypeScript sources without a require hook (set CLIP_VG_WORKER_PRELOAD)');
    return `require(${JSON.stringify(preload)});\nrequire(${JSON.stringify(path.join(path.dirname(here), 'sample-worker.ts'))}).runSampleWorker();`;
  }
  const bundle = here ?? createRequire(path.join(process.cwd(), 'noop.js')).resolve('@clip-vg/datasets');
  if (!existsSync(bundle)) throw new Error(`batch pipeline: cannot find the @clip-vg/datasets bundle for workers (${bundle})`);
  return `require(${JSON.stringify(bundle)}).runSampleWorker();`;
}

export class WorkerPool {
  private readonly workers: PooledWorker[] = [];
  private readonly queue: { id: number; pending: Pending }[] = [];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(
    size: number,
    private readonly perWorker = 2,
  ) {
    const source = workerSource();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(source, { eval: true });
      const pooled: PooledWorker = { worker, inFlight: new Map() };
      worker.on('message', (message: ResultMessage) => this.onResult(pooled, message));
      worker.on('error', (error) => this.fail(error instanceof Error ? error : new Error(String(error))));
      // idle workers must not keep the process alive; busy ones must (see dispatch/onResult)
      worker.unref();
      this.workers.push(pooled);
    }
  }

  run(task: SampleTask): Promise<SampleResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, pending: { task, resolve, reject } });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('batch pipeline: closed'));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const free = this.workers.reduce<PooledWorker | undefined>(
        (best, w) => (w.inFlight.size < this.perWorker && (!best || w.inFlight.size < best.inFlight.size) ? w : best),
        undefined,
      );
      if (!free) return;
      const { id, pending } = this.queue.shift()!;
      if (free.inFlight.size === 0) free.worker.ref();
      free.inFlight.set(id, pending);
      free.worker.postMessage({ id, task: pending.task } satisfies TaskMessage);
    }
  }

  private onResult(pooled: PooledWorker, message: ResultMessage): void {
    const pending = pooled.inFlight.get(message.id);
    if (!pending) return;
    pooled.inFlight.delete(message.id);
    if (pooled.inFlight.size === 0) pooled.worker.unref();
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(message.message));
    this.dispatch();
  }

  /** A crashed worker fails everything outstanding: the stream reports the first error and stops. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.workers) {
      for (const pending of w.inFlight.values()) pending.reject(error);
      w.inFlight.clear();
    }
    for (const { pending } of this.queue.splice(0)) pending.reject(error);
  }
}
