/**
 * The built-in job, `train-fusion`: a fusion training on the experiment's cached features. The setup is loaded from
 * the shared artifact folder once per content hash and trained on a pool of worker threads, so that the worker's
 * main thread stays free to renew BullMQ's job locks (a CPU-bound training on it would let the lock lapse, and
 * another worker would take over a job that is still running).
 */
import { UnrecoverableError } from 'bullmq';
import { sequenceLength } from '@clip-vg/fusion-transformer';
import { FusionTrainingPool } from '@clip-vg/onnx-engine';
import { encodeResult, readSetup, writeArtifact, type TrainingSetup } from './artifacts';
import { decodeRows, TRAIN_JOB, validateJob, type TrainPayload } from './payload';
import type { JobHandler } from './worker';

interface LoadedSetup {
  setup: TrainingSetup;
  pool: FusionTrainingPool;
  used: number;
  running: number;
}

type Validated = { payload: TrainPayload; setupPath: string };

/** The `train-fusion` handler; `threads` trainings at once, one worker thread each. */
export function fusionJobHandler(threads: number): JobHandler<Validated> {
  const setups = new Map<string, Promise<LoadedSetup>>();

  const loadSetup = (file: string, hash: string, log: (line: string) => void): Promise<LoadedSetup> => {
    let loading = setups.get(hash);
    if (!loading) {
      loading = (async () => {
        const setup = readSetup(file, hash);
        const pool = await FusionTrainingPool.start({ ...setup, workers: threads });
        log(`loaded setup ${hash.slice(0, 12)} (${((setup.table.visual.length * 4) / 2 ** 20).toFixed(0)} MiB of features)`);
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

  return {
    validate: (data, roots) => validateJob(TRAIN_JOB, data, roots),
    async run({ payload, setupPath }, job) {
      const loaded = await loadSetup(setupPath, payload.setup.hash, job.log);
      const rows = decodeRows(payload.rows);
      const val = payload.val ? decodeRows(payload.val) : undefined;
      checkFits(loaded.setup, payload, rows.image, rows.text, 'rows');
      if (val) checkFits(loaded.setup, payload, val.image, val.text, 'val');
      loaded.used = Date.now();
      loaded.running++;
      const steps = payload.recipe.steps;
      try {
        job.progress(0, steps);
        job.log(`started (${rows.image.length} rows, ${steps} steps, attempt ${job.attempt})`);
        const result = await loaded.pool.train({ rows, val, recipe: payload.recipe, seed: payload.seed }, (step) => job.progress(step, steps));
        return writeArtifact(job.artifacts, `result-${job.id.replace(/^fusion-/, '').slice(0, 16)}-`, encodeResult(result));
      } finally {
        loaded.running--;
        void evictIdle(payload.setup.hash);
      }
    },
    async close() {
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
