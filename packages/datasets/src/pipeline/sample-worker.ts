/**
 * The worker-thread side of the pipeline: receives sample tasks, answers with transferred buffers. Several
 * tasks run concurrently in one worker because decoding (sharp) is asynchronous.
 */
import { parentPort } from 'node:worker_threads';
import { processSample, type SampleTask } from './sample-task';

export interface TaskMessage {
  id: number;
  task: SampleTask;
}

export type ResultMessage = { id: number; ok: true; result: Awaited<ReturnType<typeof processSample>> } | { id: number; ok: false; message: string };

/** @internal Entry point of a pipeline worker thread (started by `BatchLoader`); not for direct use. */
export function runSampleWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runSampleWorker: must run in a worker thread');
  port.on('message', ({ id, task }: TaskMessage) => {
    processSample(task).then(
      (result) => {
        const message: ResultMessage = { id, ok: true, result };
        port.postMessage(message, [result.pixels.buffer as ArrayBuffer, result.mask.buffer as ArrayBuffer]);
      },
      (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        port.postMessage({ id, ok: false, message: text.split('\n')[0] } satisfies ResultMessage);
      },
    );
  });
}
