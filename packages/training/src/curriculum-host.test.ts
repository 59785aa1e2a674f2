import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@clip-vg/backend';
import { loadHost } from '@clip-vg/curriculum';
import { generateSyntheticWorld } from '@clip-vg/datasets';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { TINY_CONFIG } from '../test/tiny';
import { createHost, registerModelHost } from './curriculum-host';
import type { ModelTrainingEvent } from './host';
import { loadTrainedModel } from './model-source';

describeShared('curriculum host factory (tiny synthetic world)', () => {
  let root: string;

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    root = mkdtempSync(path.join(tmpdir(), 'clip-vg-host-'));
    await generateSyntheticWorld({ out: path.join(root, 'world'), seed: 6, train: 3, val: 2, test: 0, imageSize: 40 });
    const { clip, extractLayers, ...rest } = TINY_CONFIG;
    writeFileSync(path.join(root, 'tiny.json'), JSON.stringify({ clip, extractLayers, ...rest }));
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('loads every pseudo-label source with unique ids, trains, evaluates and saves a model eval can reload', async () => {
    registerModelHost();
    const options = {
      dataset: 'synthetic',
      splitRoot: path.join(root, 'world'),
      dataRoot: path.join(root, 'world'),
      modelConfig: path.join(root, 'tiny.json'),
      vocab: sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'),
      epochs: 1,
      batchSize: 4,
      lr: 0.001,
      cacheFeatures: true,
      workers: 0,
      onTraining: (e: ModelTrainingEvent) => events.push(e),
    };
    const events: ModelTrainingEvent[] = [];
    const session = await loadHost('model', { hostOptions: options });
    expect(Object.keys(session.sources)).toEqual(['template', 'relation', 'caption']);
    const ids = Object.values(session.sources)
      .flat()
      .map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);

    const model = (await session.host.train(session.sources.template, { stage: 'measurer' })) as ClipVG;
    // progress: from step 0 to done, every event of training 1, steps counted over all epochs
    const samples = session.sources.template.length;
    const steps = Math.ceil(samples / 4);
    expect(events[0]).toEqual({ id: 1, stage: 'measurer', samples, step: 0, steps, done: false });
    expect(events.at(-1)).toEqual({ id: 1, stage: 'measurer', samples, step: steps, steps, done: true });
    expect(events.map((e) => e.step)).toEqual([...events.map((e) => e.step)].sort((a, b) => a - b));
    const accuracy = await session.host.evaluate(model);
    expect(accuracy).toBeGreaterThanOrEqual(0);
    const folder = await session.saveModel!(model, path.join(root, 'report'));
    const reloaded = await loadTrainedModel(folder);
    expect(reloaded.model.config).toEqual(model.config);
    expect(reloaded.model.stateDict()['reg_token.weight'].toFloat32Array()).toEqual(model.stateDict()['reg_token.weight'].toFloat32Array());
    reloaded.model.dispose();
    session.host.release!(model);
    await expect(createHost({ dataset: 'synthetic' })).rejects.toThrow('option splitRoot is required');
    await expect(createHost({ ...options, onTraining: 'bar' })).rejects.toThrow('model host: option onTraining takes a function');
  }, 120_000);
});
