/**
 * The coordinator's side of `--queue URL` (demo, curriculum --host demo|model): a `QueueTrainingRunner` factory, a job client and the per-worker state of
 * the queue as lines (which worker took which job, finished, stalled, retried); the demo's progress bar counts
 * the steps of every training whichever runner runs them.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { PoolOptions, TrainingRunner } from '@clip-vg/onnx-engine';
import { checkRedis, JobClient, QueueTrainingRunner, type JobClientOptions, type QueueEvent } from '@clip-vg/training-queue';
import { CliError, oneLine } from './errors';

/** Where coordinator and workers meet when no `--artifacts` is given: right for one machine only. */
export const DEFAULT_ARTIFACTS = path.join(os.tmpdir(), 'clip-vg-artifacts');

export interface QueueFlags {
  queue?: string;
  queueName?: string;
  artifacts?: string;
}

/** Fails with one line before any work when Redis cannot be reached. */
export async function checkQueue(url: string): Promise<void> {
  try {
    await checkRedis(url);
  } catch (error) {
    throw new CliError(oneLine(error));
  }
}

/** What both kinds of coordinator give the queue: where it is, the shared folder, and its events as lines. */
function clientOptions(flags: QueueFlags & { queue: string }, log?: (line: string) => void): JobClientOptions {
  return { url: flags.queue, queue: flags.queueName, artifacts: path.resolve(flags.artifacts ?? DEFAULT_ARTIFACTS), onEvent: queueStatus(log) };
}

export function queueRunner(
  flags: QueueFlags & { queue: string },
  log?: (line: string) => void,
): (setup: Omit<PoolOptions, 'workers'>) => Promise<TrainingRunner> {
  const options = clientOptions(flags, log);
  return (setup) => QueueTrainingRunner.start({ ...setup, ...options });
}

/** A job client for a host that queues its own jobs (`curriculum --host model --queue`), its events as lines. */
export function queueClient(flags: QueueFlags & { queue: string }, log?: (line: string) => void): Promise<JobClient> {
  return JobClient.start(clientOptions(flags, log));
}

/** Per-worker state, said in a line whenever it changes. */
export function queueStatus(log?: (line: string) => void): (event: QueueEvent) => void {
  const busy = new Map<string, { worker: string; step: number; steps: number }>();
  let done = 0;
  let reused = 0;
  const short = (id: string) => id.slice(0, 15);
  const state = () => {
    const workers = [...busy.entries()].map(([id, b]) => `${b.worker} ${short(id)} ${b.step}/${b.steps}`);
    return `${done} done${reused ? ` (${reused} reused)` : ''}, ${busy.size} running${workers.length ? `: ${workers.join(', ')}` : ''}`;
  };
  return (e) => {
    switch (e.type) {
      case 'progress': {
        const before = busy.get(e.jobId);
        busy.set(e.jobId, { worker: e.worker, step: e.step, steps: e.steps });
        if (!before || before.worker !== e.worker)
          log?.(`queue: ${e.worker} took ${short(e.jobId)}${before ? ` over from ${before.worker}` : ''} — ${state()}`);
        break;
      }
      case 'completed':
        busy.delete(e.jobId);
        done++;
        log?.(`queue: ${e.worker} finished ${short(e.jobId)} in ${e.seconds.toFixed(1)} s — ${state()}`);
        break;
      case 'reused':
        done++;
        reused++;
        log?.(`queue: reused ${short(e.jobId)} (finished in an earlier run) — ${state()}`);
        break;
      case 'stalled':
        log?.(`queue: ${short(e.jobId)} stalled (its worker stopped answering); another worker takes it over`);
        break;
      case 'withdrawn':
        log?.(`queue: withdrew ${short(e.jobId)} (announced, never used, not started)`);
        break;
      case 'retry':
        busy.delete(e.jobId);
        log?.(`queue: ${short(e.jobId)} failed, retrying: ${e.reason}`);
        break;
      default:
        break;
    }
  };
}
