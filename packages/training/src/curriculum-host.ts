/**
 * The `HostFactory` for `clip-vg curriculum --host @clip-vg/training` (or the name `model` once
 * `registerModelHost()` ran): real CLIP-VG trainings on a dataset's pseudo-label sources.
 *
 * Options (`--host-option key=value`): `dataset`, `splitRoot`, `dataRoot` (required); `modelConfig` (JSON, random
 * CLIP) or `clip` (+ `model`); `vocab`; `valSplit` (val); `epochs` (110), `batchSize` (64), `lr`, `weightDecay`,
 * `lrScheduler`, `seed` (13); `cacheFeatures` (a folder, or true for memory only: frozen features, no
 * augmentation); `workers`; `evalBatchSize`.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { checkHostOptions, registerHostFactory, type HostFactory, type HostSession } from '@clip-vg/curriculum';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { loadGroundingSplit } from './data/splits';
import { FeatureCache } from './features/feature-cache';
import { createModelHost, type GroundingSample } from './host';
import { createModelFromSource, loadTokenizerFor, resolveModelSource, sourceMeta } from './model-source';
import type { ScheduleName } from './optim/schedules';
import { writeFileAtomic } from '@clip-vg/torch-io';

/** Every option key the model host reads (`--host-option key=value`). */
export const MODEL_HOST_OPTIONS = [
  'dataset',
  'splitRoot',
  'dataRoot',
  'modelConfig',
  'clip',
  'model',
  'vocab',
  'valSplit',
  'epochs',
  'batchSize',
  'lr',
  'weightDecay',
  'lrScheduler',
  'seed',
  'cacheFeatures',
  'workers',
  'evalBatchSize',
] as const;

export const createHost: HostFactory = async (options) => {
  checkHostOptions('model', options, MODEL_HOST_OPTIONS);
  const text = (key: string): string | undefined => (options[key] === undefined ? undefined : String(options[key]));
  const need = (key: string): string => {
    const value = text(key);
    if (value === undefined) throw new Error(`model host: option ${key} is required (--host-option ${key}=...)`);
    return value;
  };
  const num = (key: string, fallback: number): number => {
    const value = options[key] === undefined ? fallback : Number(options[key]);
    if (!Number.isFinite(value)) throw new Error(`model host: option ${key} must be a number, got ${JSON.stringify(options[key])}`);
    return value;
  };
  const dataset = need('dataset');
  const splitRoot = need('splitRoot');
  const dataRoot = need('dataRoot');
  const seed = num('seed', 13);
  const source = resolveModelSource({ clip: text('clip'), model: text('model'), modelConfig: text('modelConfig'), vocab: text('vocab'), seed });
  const tokenizer = await loadTokenizerFor(undefined, source);
  const val = loadGroundingSplit({ dataset, split: text('valSplit') ?? 'val', splitRoot, dataRoot });
  const sources: Record<string, GroundingSample[]> = {};
  let imageRoot = val.imageRoot;
  for (const name of sourceNames(path.join(splitRoot, dataset), dataset)) {
    const split =
      name === null
        ? loadGroundingSplit({ dataset, split: 'train_pseudo', splitRoot, dataRoot })
        : loadGroundingSplit({ dataset, split: 'train_pseudo', splitRoot, dataRoot, source: name });
    // ids must be unique across sources: the policies track samples by id
    sources[name ?? 'train_pseudo'] = split.records.map((r, i) => ({ ...r, id: `${name ?? 'train_pseudo'}:${i}` }));
    imageRoot = split.imageRoot;
  }
  const cacheOption = options.cacheFeatures;
  const featureCache =
    cacheOption === undefined || cacheOption === false ? undefined : new FeatureCache(cacheOption === true ? {} : { dir: String(cacheOption) });
  const host = createModelHost({
    createModel: ({ index }) => createModelFromSource(source, seed + index),
    imageRoot,
    valImageRoot: val.imageRoot,
    tokenizer,
    valRecords: val.records,
    epochs: num('epochs', 110),
    batchSize: num('batchSize', 64),
    lr: num('lr', 2.5e-4),
    weightDecay: num('weightDecay', 1e-4),
    lrScheduler: (text('lrScheduler') ?? 'cosine') as ScheduleName,
    seed,
    featureCache,
    augment: featureCache ? false : true,
    evalBatchSize: num('evalBatchSize', 128),
    workers: options.workers === undefined ? undefined : num('workers', 1),
  });
  const session: HostSession<ClipVG, GroundingSample> = {
    dataset,
    host,
    sources,
    async saveModel(model, dir) {
      const folder = path.join(dir, 'model');
      await model.save(folder);
      writeFileAtomic(path.join(folder, 'best.json'), `${JSON.stringify({ meta: sourceMeta(source) }, null, 2)}\n`);
      return folder;
    },
  };
  return session;
};

/** Register `createHost` as the curriculum host `model`. */
export function registerModelHost(): void {
  registerHostFactory('model', createHost);
}

/** Source names of `train_separate/` in k order, or [null] for the single `train_pseudo` split. */
function sourceNames(folder: string, dataset: string): Array<string | null> {
  const dir = path.join(folder, 'train_separate');
  if (!existsSync(dir)) return [null];
  const pattern = new RegExp(`^(\\d+)_${dataset.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_train_pseudo_([A-Za-z][A-Za-z0-9-]*?)(_\\d+(_\\d+)?)?\\.pth$`);
  const found = readdirSync(dir)
    .map((name) => pattern.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => m[2]);
  return found.length > 0 ? found : [null];
}
