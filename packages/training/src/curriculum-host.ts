/**
 * The `HostFactory` for `clip-vg curriculum --host @clip-vg/training` (or the name `model` once
 * `registerModelHost()` ran): real CLIP-VG trainings on a dataset's pseudo-label sources.
 *
 * Options (`--host-option key=value`): `dataset`, `splitRoot`, `dataRoot` (required); `modelConfig` (JSON, random
 * CLIP) or `clip` (+ `model`); `vocab`; `valSplit` (val); `epochs` (110), `batchSize` (64), `lr`, `weightDecay`,
 * `lrScheduler`, `seed` (13); `cacheFeatures` (a folder, or true for memory only: frozen features, no
 * augmentation); `workers`; `evalBatchSize`. Programmatic only: `train`, a `ModelHostTrain` that replaces the local
 * trainings (`@clip-vg/training-queue`'s `queuedModelTraining(jobs)`: `clip-vg curriculum --host model --queue URL`),
 * and `onTraining`, called with every training's progress (`ModelTrainingEvent`).
 */
import * as path from 'node:path';
import { registerHostFactory, type HostFactory, type HostSession } from '@clip-vg/curriculum';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { writeFileAtomic } from '@clip-vg/torch-io';
import type { GroundingSample, ModelTrainingEvent } from './host';
import { loadModelHostData, modelHostOf, readModelHostSettings, type ModelHostTrain } from './model-host-data';
import { sourceMeta } from './model-source';

export { MODEL_HOST_OPTIONS } from './model-host-data';

export const createHost: HostFactory = async (options) => {
  const settings = readModelHostSettings(options);
  const train = options.train as ModelHostTrain | undefined;
  if (train !== undefined && typeof train !== 'function') throw new Error('model host: option train takes a function (from the command line: --queue URL)');
  const onTraining = options.onTraining as ((event: ModelTrainingEvent) => void) | undefined;
  if (onTraining !== undefined && typeof onTraining !== 'function') throw new Error('model host: option onTraining takes a function');
  const data = await loadModelHostData(settings);
  const host = modelHostOf(settings, data, { onTraining });
  if (train) host.train = train(settings, data, onTraining);
  const session: HostSession<ClipVG, GroundingSample> = {
    dataset: settings.dataset,
    host,
    sources: data.sources,
    async saveModel(model, dir) {
      const folder = path.join(dir, 'model');
      await model.save(folder);
      writeFileAtomic(path.join(folder, 'best.json'), `${JSON.stringify({ meta: sourceMeta(data.source) }, null, 2)}\n`);
      return folder;
    },
  };
  return session;
};

/** Register `createHost` as the curriculum host `model`. */
export function registerModelHost(): void {
  registerHostFactory('model', createHost);
}
