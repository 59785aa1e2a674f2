/**
 * `clip-vg worker --queue redis://host:port [--concurrency 1] [--artifacts DIR]`: a training worker for
 * coordinators started with `--queue` (`clip-vg demo --queue`, `clip-vg curriculum --host demo|model --queue`).
 * Runs until SIGINT/SIGTERM, then lets its running trainings finish (a second signal abandons them to another
 * worker).
 */
import type { Command } from 'commander';
import { initBackend } from '@clip-vg/backend';
import {
  DEFAULT_LOCK_DURATION,
  DEFAULT_QUEUE,
  DEFAULT_STALLED_INTERVAL,
  MODEL_JOB,
  modelJobHandler,
  startTrainingWorker,
  type JobHandler,
} from '@clip-vg/training-queue';
import { CliError, oneLine } from '../util/errors';
import { DEFAULT_ARTIFACTS } from '../util/queue';

interface WorkerFlags {
  queue: string;
  queueName: string;
  concurrency: string;
  artifacts: string;
  dataRoot: string[];
  lockDuration: string;
  stalledInterval: string;
  backend?: string;
  quiet?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('train jobs from a Redis queue for coordinators started with --queue (clip-vg demo, clip-vg curriculum --host demo|model)')
    .requiredOption('--queue <url>', 'required: redis://[:password@]host:port[/db] or rediss://… (TLS)')
    .option('--queue-name <name>', "BullMQ queue name (the coordinator's --queue-name)", DEFAULT_QUEUE)
    .option('--concurrency <n>', 'trainings at once, one thread each', '1')
    .option(
      '--artifacts <dir>',
      'shared artifact folder: experiment setups are read from it, trained weights written to it (a volume every machine mounts)',
      DEFAULT_ARTIFACTS,
    )
    .option(
      '--data-root <dir>',
      "a further folder jobs may read from (a model job's dataset, CLIP weights, vocabulary), repeatable; nothing outside these and --artifacts is read",
      collect,
      [],
    )
    .option(
      '--lock-duration <ms>',
      "job lock, renewed every half of it; a dead worker's job is taken over after this (+ --stalled-interval)",
      String(DEFAULT_LOCK_DURATION),
    )
    .option('--stalled-interval <ms>', 'how often to look for jobs whose worker died', String(DEFAULT_STALLED_INTERVAL))
    .option(
      '--backend <name>',
      'TensorFlow.js backend for model jobs (curriculum --host model): tensorflow, wasm or cpu (default: CLIP_VG_BACKEND or the best installed)',
    )
    .option('--quiet', 'no log lines on stderr')
    .action(async (flags: WorkerFlags) => {
      const concurrency = positive(flags.concurrency, '--concurrency', 64);
      const lockDuration = positive(flags.lockDuration, '--lock-duration', 86_400_000);
      const stalledInterval = positive(flags.stalledInterval, '--stalled-interval', 86_400_000);
      const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
      // the handlers come first: a signal during the start must stop the worker, not kill it half-way
      let signals = 0;
      let stopped!: () => void;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      let worker: Awaited<ReturnType<typeof startTrainingWorker>> | undefined;
      const stop = () => {
        signals++;
        if (!worker) return;
        if (signals === 1) {
          log?.(`${worker.name}: stopping after the running trainings (signal again to abandon them)`);
          void worker.close().then(stopped, stopped);
          return;
        }
        // A graceful close can wait forever (on running trainings, or on a Redis that is gone): leave now. The
        // running jobs' locks lapse and another worker takes them over.
        log?.(`${worker.name}: abandoning the running trainings`);
        const leave = () => process.exit(1);
        setTimeout(leave, 2000).unref();
        void worker.close(true).then(leave, leave);
      };
      // a bad --backend fails here in one line, not at the first model job
      if (flags.backend !== undefined)
        await initBackend(flags.backend, { log: log ?? null }).catch((error: unknown) => Promise.reject(new CliError(oneLine(error))));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        worker = await startTrainingWorker({
          url: flags.queue,
          queue: flags.queueName,
          artifacts: flags.artifacts,
          dataRoots: flags.dataRoot,
          concurrency,
          lockDuration,
          stalledInterval,
          handlers: { [MODEL_JOB]: onBackend(modelJobHandler(), flags.backend, log) },
          log,
        });
      } catch (error) {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        throw new CliError(oneLine(error));
      }
      if (signals > 0) {
        signals = 0;
        stop();
      }
      await done;
    });
}

/** The handler, with the TensorFlow.js backend started before its first job (fusion jobs never need it). */
function onBackend<P>(handler: JobHandler<P>, backend: string | undefined, log?: (line: string) => void): JobHandler<P> {
  let ready: Promise<unknown> | undefined;
  return {
    ...handler,
    async run(payload, job) {
      ready ??= initBackend(backend, { log: log ?? null });
      await ready;
      return handler.run(payload, job);
    },
  };
}

function positive(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${flag}: expected an integer from 1 to ${max}, got "${text}"`);
  return n;
}
