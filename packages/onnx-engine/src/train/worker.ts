/**
 * The thread side of `FusionTrainingPool`: builds the sessions once, then trains and predicts on request. The
 * feature table arrives once (shared memory, not copied); each job carries only its rows, recipe and seed.
 */
import { parentPort } from 'node:worker_threads';
import type { ClipVGConfig } from '@clip-vg/fusion-transformer';
import type { FeatureRows, FeatureTable } from './features';
import { FusionSessions, trainFusion, type FusionRecipe, type FusionWeights } from './fusion-trainer';

export interface WorkerSetup {
  config: ClipVGConfig;
  table: FeatureTable;
  init: FusionWeights;
  batchSize: number;
}

export type WorkerRequest =
  | { id: number; kind: 'train'; rows: FeatureRows; val?: FeatureRows; recipe: FusionRecipe; seed: number }
  | { id: number; kind: 'predict'; weights: FusionWeights; rows: FeatureRows };

export type WorkerReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { id: number; progress: { step: number; steps: number } };

export function runFusionTrainingWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runFusionTrainingWorker: not in a worker thread');
  let ready: Promise<{ sessions: FusionSessions; setup: WorkerSetup }> | undefined;
  // a close cancels the jobs in flight (a training stops before its next step) and waits for them
  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  port.on('message', (message: { setup: WorkerSetup } | { close: true } | WorkerRequest) => {
    if ('close' in message) {
      closing.abort(new Error('fusion training worker: closed while training'));
      // release the ONNX Runtime sessions before the thread ends: terminating a thread that holds them (even mid-run)
      // aborts the process from native code
      void Promise.allSettled(inFlight)
        .then(() => ready)
        .then(
          (r) => r?.sessions.release(),
          () => undefined,
        )
        .finally(() => port.close());
      return;
    }
    if ('setup' in message) {
      const { setup } = message;
      ready = FusionSessions.create(setup.config, { batchSize: setup.batchSize }).then((sessions) => ({ sessions, setup }));
      ready.catch(() => undefined);
      return;
    }
    const job = handle(message).then(
      (value) => port.postMessage({ id: message.id, ok: true, value } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
    );
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  });

  async function handle(request: WorkerRequest): Promise<unknown> {
    if (!ready) throw new Error('fusion training worker: no setup received');
    const { sessions, setup } = await ready;
    if (request.kind === 'predict') return sessions.predictRows(request.weights, setup.table, request.rows);
    return trainFusion({
      sessions,
      init: setup.init,
      table: setup.table,
      train: request.rows,
      val: request.val,
      recipe: request.recipe,
      seed: request.seed,
      signal: closing.signal,
      onProgress: (p) => port!.postMessage({ id: request.id, progress: { step: p.step, steps: p.steps } } satisfies WorkerReply),
    });
  }
}
