import { rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { CLIP } from '@clip-vg/clip-encoders';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { TINY_CONFIG, tinyWorld, wordTokenizer, type TinyWorld } from '../test/tiny';
import { createModelHost } from './host';

let world: TinyWorld;

beforeAll(async () => {
  await initBackend('wasm', { log: null });
  world = await tinyWorld({ train: 3, val: 2 });
}, 60_000);

afterAll(() => rmSync(world.root, { recursive: true, force: true }));

test('createModelHost trains fresh models on cached features, scores reliabilities, evaluates and releases', async () => {
  const stages: string[] = [];
  const host = createModelHost({
    // the same frozen CLIP for every training, so the shared feature cache stays valid
    createModel: ({ index }) => ClipVG.create(TINY_CONFIG, { seed: 10 + index, clip: CLIP.random(TINY_CONFIG.clip, { seed: 1 }) }),
    imageRoot: world.pseudo.imageRoot,
    tokenizer: wordTokenizer,
    valRecords: world.val.records,
    epochs: 2,
    batchSize: 4,
    lr: 1e-3,
    featureCache: true,
    workers: 0,
    onEpoch: (r) => stages.push(`${r.stage}:${r.epoch}`),
  });
  const samples = world.pseudo.records.map((record) => ({ ...record }));
  const before = tf.memory().numTensors;
  const model = await host.train(samples, { stage: 'measurer' });
  expect(stages).toEqual(['measurer:0', 'measurer:1']);
  const r = await host.score(model, samples);
  expect(r).toHaveLength(samples.length);
  expect(r.every((v) => v >= 0 && v <= 1)).toBe(true);
  const accuracy = await host.evaluate(model);
  expect(accuracy).toBeGreaterThanOrEqual(0);
  expect(accuracy).toBeLessThanOrEqual(1);
  host.release!(model);
  expect(tf.memory().numTensors).toBe(before);
}, 120_000);
