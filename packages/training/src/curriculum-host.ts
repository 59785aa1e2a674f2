/**
 * The `HostFactory` for `clip-vg curriculum --host @clip-vg/training` (or the name `model` once
 * `registerModelHost()` ran): real CLIP-VG trainings on a dataset's pseudo-label sources.
 *
 * Options (`--host-option key=value`): `dataset`, `splitRoot`, `dataRoot` (required); `modelConfig` (JSON, random
 * CLIP) or `clip` (+ `model`); `vocab`; `valSplit` (val); `epochs` (110), `batchSize` (64), `lr`, `weightDecay`,
 * `lrScheduler`, `seed` (13); `cacheFeatures` (a folder, or true for memory only: frozen features, no
 * augmentation); `workers`; `evalBatchSize`. Programmatic only: `jobs`, a `JobClient` of `@clip-vg/training-queue`
 * whose workers run the trainings (`clip-vg curriculum --host model --queue URL`).
 */
import * as path from 'node:path';
import { registerHostFactory, type HostFactory, type HostSession } from '@clip-vg/curriculum';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import type { JobClient } from '@clip-vg/training-queue';
import { writeFileAtomic } from '@clip-vg/torch-io';
import type { GroundingSample } from './host';
import { loadModelHostData, modelHostOf, readModelHostSettings } from './model-host-data';
import { sourceMeta } from './model-source';
import { queuedTrain } from './queue/model-job';

export { MODEL_HOST_OPTIONS } from './model-host-data';

export const createHost: HostFactory = async (options) => {
  const settings = readModelHostSettings(options);
  const jobs = options.jobs as JobClient | undefined;
  const data = await loadModelHostData(settings);
  const host = modelHostOf(settings, data);
  if (jobs) host.train = queuedTrain(jobs, settings, data);
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
