/**
 * `train-model`: one training of the model curriculum host (`@clip-vg/training`: the full CLIP-VG on a dataset's
 * pseudo-labels) as a queue job. The payload holds the host's settings (paths every machine sees at the same
 * place: a shared volume), which samples of which source to train on, a hash of those samples' content and the
 * training's index (the fusion's initialisation seed is `seed + index`). The worker loads the same data, checks
 * the hash, trains exactly as the local host would and writes the trained weights as an artifact; the coordinator
 * rebuilds the model from its source and puts them in. Scoring and evaluation stay on the coordinator.
 */
import * as path from 'node:path';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import {
  createModelFromSource,
  loadModelHostData,
  modelHostOf,
  namedTrainables,
  restoreTrainables,
  SCHEDULE_NAMES,
  snapshotTrainables,
  trainingSteps,
  type GroundingSample,
  type ModelHostData,
  type ModelHostSettings,
  type ModelHostTrain,
} from '@clip-vg/training';
import { encodeArtifact, readArtifact, sha256, writeArtifact, type ArtifactRef } from './artifacts';
import type { JobClient } from './job-client';
import { insideRoots, integer, object, PayloadError } from './payload';
import type { JobContext, JobHandler } from './worker';

export const MODEL_JOB = 'train-model';

/** The settings a job carries: everything but the worker's own thread count. */
export type JobSettings = Omit<ModelHostSettings, 'workers'>;

export interface ModelJobPayload {
  v: 1;
  host: JobSettings;
  /** Indices into each source's samples. */
  samples: Record<string, number[]>;
  /** sha256 of the chosen samples (as JSON): the worker's data must give the same. */
  labels: string;
  /** The training's number in the experiment: its fusion initialisation seed is `host.seed + index`. */
  index: number;
}

const hashSamples = (samples: readonly GroundingSample[]) => sha256(JSON.stringify(samples));

/** The payload of a training of `samples` and its content id (a rerun of the experiment reuses it). */
export function modelJob(settings: ModelHostSettings, sources: ModelHostData['sources'], samples: readonly GroundingSample[], index: number) {
  const { workers: _workers, ...host } = settings;
  const positions = new Map<string, [string, number]>();
  for (const [name, list] of Object.entries(sources)) list.forEach((s, i) => positions.set(s.id, [name, i]));
  const chosen: Record<string, number[]> = {};
  for (const s of samples) {
    const at = positions.get(s.id);
    if (!at) throw new Error(`model host: sample ${s.id} is in no source (a queue job names samples by source and position)`);
    (chosen[at[0]] ??= []).push(at[1]);
  }
  const payload: ModelJobPayload = { v: 1, host, samples: chosen, labels: hashSamples(samples), index };
  return { payload, jobId: `model-${sha256(JSON.stringify(payload))}` };
}

/**
 * The model host's `train` option for a coordinator (`createHost({ ..., train: queuedModelTraining(jobs) })`): each
 * training runs on a queue worker, the model is rebuilt here from its source and the trained weights.
 */
export function queuedModelTraining(jobs: JobClient): ModelHostTrain {
  return (settings, data, onTraining) => {
    let trainings = 0;
    return async (samples: GroundingSample[], info: { stage: string }): Promise<ClipVG> => {
      const index = trainings++;
      const { payload, jobId } = modelJob(settings, data.sources, samples, index);
      const file = (ref: ArtifactRef) => path.join(jobs.options.artifacts, ref.file);
      const training = { id: index + 1, stage: info.stage, samples: samples.length, steps: trainingSteps(settings, samples.length) };
      onTraining?.({ ...training, step: 0, done: false });
      const request = { name: MODEL_JOB, jobId, payload, steps: training.steps, readable: (ref: ArtifactRef) => Boolean(readWeights(file(ref), ref.hash)) };
      const reply = await jobs.run(request, (step) => onTraining?.({ ...training, step: Math.min(step, training.steps), done: false }));
      onTraining?.({ ...training, step: training.steps, done: true });
      const model = await createModelFromSource(data.source, settings.seed + index);
      try {
        restoreTrainables(namedTrainables(model), readWeights(file(reply.result), reply.result.hash));
      } catch (error) {
        model.dispose();
        throw error;
      }
      return model;
    };
  };
}

function readWeights(file: string, hash: string): Map<string, Float32Array> {
  const { meta, arrays } = readArtifact(file, hash);
  if ((meta as { kind?: string })?.kind !== 'model-weights') throw new Error(`${file}: not a trained-model artifact`);
  return new Map(Object.entries(arrays) as [string, Float32Array][]);
}

/**
 * The worker's handler for `train-model` (pass it to `startTrainingWorker({ handlers })`). Data loaded for one
 * experiment's settings are kept for its next jobs. A TF.js training runs on the worker's main thread and yields
 * between steps: `lockDuration` must exceed two training steps.
 */
export function modelJobHandler(options: { workers?: number } = {}): JobHandler<ModelJobPayload> {
  let loaded: { key: string; data: Promise<ModelHostData> } | undefined;
  return {
    validate: validateModelJob,
    async run(payload, job) {
      const settings: ModelHostSettings = { ...payload.host, workers: options.workers };
      const key = JSON.stringify(payload.host);
      if (loaded?.key !== key) {
        const entry = { key, data: loadModelHostData(settings) };
        // a failed load (volume not mounted yet) is tried again by the job's next attempt
        entry.data.catch(() => loaded === entry && (loaded = undefined));
        loaded = entry;
      }
      const data = await loaded.data;
      const samples: GroundingSample[] = [];
      for (const [name, indices] of Object.entries(payload.samples)) {
        const list = data.sources[name];
        if (!list) throw new Error(`source ${name} is not among this worker's (${Object.keys(data.sources).join(', ')})`);
        for (const i of indices) {
          if (i >= list.length) throw new Error(`source ${name} has ${list.length} samples here, the job names sample ${i}`);
          samples.push(list[i]);
        }
      }
      if (hashSamples(samples) !== payload.labels)
        throw new Error(`the samples under ${settings.splitRoot} differ from the coordinator's (another data version?)`);
      const slow = slowStepWarning(job);
      job.log(`started (${samples.length} samples, ${settings.epochs} epochs, training ${payload.index}, attempt ${job.attempt})`);
      const host = modelHostOf(settings, data, {
        createModel: () => createModelFromSource(data.source, settings.seed + payload.index),
        onStep: (s) => {
          job.progress(s.epoch * s.steps + s.step, settings.epochs * s.steps);
          slow.step();
        },
      });
      const model = await host.train(samples, { stage: 'queue' });
      try {
        const weights = await snapshotTrainables(namedTrainables(model));
        const bytes = encodeArtifact({ kind: 'model-weights', index: payload.index }, Object.fromEntries(weights));
        return writeArtifact(job.artifacts, `model-${job.id.replace(/^model-/, '').slice(0, 16)}-`, bytes);
      } finally {
        model.dispose();
      }
    },
  };
}

/**
 * TensorFlow.js trains on this thread, and BullMQ renews the job's lock from it only between steps: a step longer
 * than half the lock lets the lock lapse and another worker takes over a job that is still running. Said once per job.
 */
export function slowStepWarning(job: Pick<JobContext, 'lockDuration' | 'log'>) {
  let last: number | undefined;
  let warned = false;
  return {
    step() {
      const now = performance.now();
      if (!warned && last !== undefined && now - last > job.lockDuration / 2) {
        warned = true;
        job.log(
          `warning: a training step took ${((now - last) / 1000).toFixed(1)} s, over half the ${job.lockDuration / 1000} s job lock; raise --lock-duration or another worker may take this job over`,
        );
      }
      last = now;
    },
  };
}

const PATH_KEYS = ['splitRoot', 'dataRoot', 'modelConfig', 'vocab'] as const;
const NUMBER_KEYS = ['epochs', 'batchSize', 'lr', 'weightDecay', 'seed', 'evalBatchSize'] as const;
const HOST_KEYS = ['dataset', 'clip', 'model', 'valSplit', 'lrScheduler', 'cacheFeatures', ...PATH_KEYS, ...NUMBER_KEYS];

/** The schema a worker applies: every path inside its roots, numbers in range, nothing else. */
export function validateModelJob(data: unknown, roots: string[]): ModelJobPayload {
  const p = object(data, 'payload', ['v', 'host', 'samples', 'labels', 'index'], []);
  if (p.v !== 1) throw new PayloadError(`payload: unsupported version ${JSON.stringify(p.v)}`);
  const host = object(p.host, 'host', HOST_KEYS, ['dataset', 'splitRoot', 'dataRoot', 'valSplit', 'lrScheduler', ...NUMBER_KEYS]);
  for (const key of ['dataset', 'valSplit'] as const) {
    if (typeof host[key] !== 'string' || !/^[A-Za-z0-9_+-]{1,64}$/.test(host[key] as string)) throw new PayloadError(`host.${key}: expected a name`);
  }
  for (const key of PATH_KEYS) if (host[key] !== undefined) insideRoots(host[key], roots, `host.${key}`);
  if (typeof host.cacheFeatures === 'string') insideRoots(host.cacheFeatures, roots, 'host.cacheFeatures');
  else if (host.cacheFeatures !== undefined && host.cacheFeatures !== true) throw new PayloadError('host.cacheFeatures: expected a folder or true');
  if (host.clip !== undefined) {
    // a file or folder inside the roots, or the name of a model in the worker's own cache
    if (typeof host.clip === 'string' && path.isAbsolute(host.clip)) insideRoots(host.clip, roots, 'host.clip');
    else if (typeof host.clip !== 'string' || !/^[A-Za-z0-9_./-]{1,100}$/.test(host.clip) || host.clip.includes('..'))
      throw new PayloadError('host.clip: expected a path or a model name');
  }
  if (host.model !== undefined && (typeof host.model !== 'string' || host.model.length > 64)) throw new PayloadError('host.model: expected a CLIP model name');
  if (host.modelConfig === undefined && host.clip === undefined) throw new PayloadError('host: needs modelConfig or clip');
  if (!(SCHEDULE_NAMES as readonly unknown[]).includes(host.lrScheduler))
    throw new PayloadError(`host.lrScheduler: expected one of ${SCHEDULE_NAMES.join(', ')}`);
  for (const key of NUMBER_KEYS) {
    const v = host[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e9) throw new PayloadError(`host.${key}: expected a non-negative number`);
  }
  for (const key of ['epochs', 'batchSize', 'evalBatchSize'] as const) {
    if (!Number.isInteger(host[key]) || (host[key] as number) < 1) throw new PayloadError(`host.${key}: expected a positive integer`);
  }
  const samples = object(p.samples, 'samples', null, []);
  let count = 0;
  for (const [name, indices] of Object.entries(samples)) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new PayloadError('samples: expected source names');
    if (!Array.isArray(indices) || !indices.every((i) => Number.isInteger(i) && i >= 0 && i < 1e8))
      throw new PayloadError(`samples.${name}: expected sample indices`);
    count += indices.length;
  }
  if (count === 0) throw new PayloadError('samples: none');
  if (typeof p.labels !== 'string' || !/^[0-9a-f]{64}$/.test(p.labels)) throw new PayloadError('labels: expected 64 hex digits');
  integer(p.index, 'index', 0, 1e6);
  return p as unknown as ModelJobPayload;
}
