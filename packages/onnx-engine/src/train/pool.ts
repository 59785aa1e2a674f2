/**
 * Trainings of the fusion on a pool of worker threads, one ONNX Runtime thread each. A job is a label set, a
 * recipe and a seed; the feature table and the initial weights are the pool's, given once. Trainings are pure
 * functions of their job, so a pool of any size returns what a sequential run returns, only sooner.
 * `workers: 0` runs every job on the calling thread (no threads started).
 */
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import type { FeatureRows, FeatureTable } from './features';
import { FusionSessions, trainFusion, type FusionRecipe, type FusionTrainResult, type FusionWeights } from './fusion-trainer';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker';

/** A training job: what a local pool and a distributed runner both execute. */
export interface TrainingJob {
  rows: FeatureRows;
  val?: FeatureRows;
  recipe: FusionRecipe;
  seed: number;
}

/** What runs training jobs (this pool; a queue of remote workers implements the same). */
export interface TrainingRunner {
  train(job: TrainingJob, onProgress?: (step: number, steps: number) => void): Promise<FusionTrainResult>;
  predict(weights: FusionWeights, rows: FeatureRows): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface PoolOptions {
  config: ClipVGConfig;
  /** Allocate its arrays on a `SharedArrayBuffer` (`sharedFloat32`) so threads read them without a copy. */
  table: FeatureTable;
  init: FusionWeights;
  batchSize: number;
  /** Worker threads (0 = run on this thread). */
  workers: number;
}

/** `WorkerRequest` before the pool numbers it. */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (step: number, steps: number) => void;
}

export class FusionTrainingPool implements TrainingRunner {
  private readonly idle: Worker[] = [];
  private readonly waiting: { request: Request; pending: Pending }[] = [];
  private readonly pending = new Map<number, { worker: Worker; pending: Pending }>();
  private nextId = 0;
  private local?: Promise<FusionSessions>;

  private constructor(private readonly options: PoolOptions) {}

  static async start(options: PoolOptions): Promise<FusionTrainingPool> {
    const pool = new FusionTrainingPool(options);
    if (options.workers === 0) {
      pool.local = FusionSessions.create(options.config, { batchSize: options.batchSize });
      await pool.local;
      return pool;
    }
    const setup: WorkerSetup = { config: options.config, table: options.table, init: options.init, batchSize: options.batchSize };
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(`require(${JSON.stringify(workerBundle())}).runFusionTrainingWorker();`, { eval: true });
      worker.on('message', (reply: WorkerReply) => pool.onReply(worker, reply));
      worker.on('error', (error) => pool.failAll(worker, error));
      worker.postMessage({ setup });
      pool.idle.push(worker);
    }
    return pool;
  }

  train(job: TrainingJob, onProgress?: (step: number, steps: number) => void): Promise<FusionTrainResult> {
    if (this.local) {
      return this.local.then((sessions) =>
        trainFusion({
          sessions,
          init: this.options.init,
          table: this.options.table,
          train: job.rows,
          val: job.val,
          recipe: job.recipe,
          seed: job.seed,
          onProgress: (p) => onProgress?.(p.step, p.steps),
        }),
      );
    }
    return this.dispatch({ kind: 'train', ...job }, onProgress) as Promise<FusionTrainResult>;
  }

  predict(weights: FusionWeights, rows: FeatureRows): Promise<Float32Array> {
    if (this.local) return this.local.then((sessions) => sessions.predictRows(weights, this.options.table, rows));
    return this.dispatch({ kind: 'predict', weights, rows }) as Promise<Float32Array>;
  }

  /**
   * Ends every worker: a busy one stops its training before the next step (its job rejects), releases its ONNX
   * Runtime sessions, then its thread ends. Jobs still waiting for a worker reject.
   */
  async close(): Promise<void> {
    const workers = [...new Set([...this.idle, ...[...this.pending.values()].map((p) => p.worker)])];
    this.idle.length = 0;
    for (const { pending } of this.waiting.splice(0)) pending.reject(new Error('fusion training pool: closed before the job started'));
    await Promise.all(workers.map(closeWorker));
    for (const [id, { pending }] of this.pending) {
      this.pending.delete(id);
      pending.reject(new Error('fusion training pool: closed while the job ran'));
    }
    if (this.local) await (await this.local).release();
  }

  private dispatch(request: Request, onProgress?: Pending['onProgress']): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, pending: { resolve, reject, onProgress } });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.shift()!;
      const { request, pending } = this.waiting.shift()!;
      const id = this.nextId++;
      this.pending.set(id, { worker, pending });
      worker.postMessage({ ...request, id });
    }
  }

  private onReply(worker: Worker, reply: WorkerReply): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    if ('progress' in reply) {
      entry.pending.onProgress?.(reply.progress.step, reply.progress.steps);
      return;
    }
    this.pending.delete(reply.id);
    this.idle.push(worker);
    if (reply.ok) entry.pending.resolve(reply.value);
    else entry.pending.reject(new Error(reply.error));
    this.pump();
  }

  private failAll(worker: Worker, error: Error): void {
    for (const [id, entry] of this.pending) {
      if (entry.worker !== worker) continue;
      this.pending.delete(id);
      entry.pending.reject(error);
    }
  }
}

/** Ask a worker to cancel its job, release its sessions and end; terminate it if it has not within 10 s. */
async function closeWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ close: true });
  const timer = setTimeout(() => void worker.terminate(), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A `Float32Array` on shared memory, for feature tables read by worker threads. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length));
}

/** The built CommonJS bundle of this package (workers run compiled code, also when the caller is a test). */
function workerBundle(): string {
  const here = typeof __filename === 'string' ? __filename : '';
  const bundle = here.endsWith('.ts') ? path.resolve(path.dirname(here), '..', '..', 'dist', 'index.js') : here.replace(/\.mjs$/, '.js');
  if (!existsSync(bundle)) throw new Error(`fusion training pool: cannot find the @clip-vg/onnx-engine bundle for workers (${bundle}); run npm run build`);
  return bundle;
}
