import { rmSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { accuracyAt05 } from '@clip-vg/fusion-transformer';
import { tinyModel, tinyWorld, wordTokenizer, type TinyWorld } from '../../test/tiny';
import { FeatureCache } from '../features/feature-cache';
import { evaluateModel, scoreReliability } from './evaluate';

let world: TinyWorld;

beforeAll(async () => {
  await initBackend('wasm', { log: null });
  world = await tinyWorld({ train: 3, val: 3 });
}, 60_000);

afterAll(() => rmSync(world.root, { recursive: true, force: true }));

test('Acc@0.5 and mean IoU follow eval_utils; cached features (memory and disk) give the same predictions', async () => {
  const model = tinyModel(2);
  const records = world.val.records;
  const options = { imageRoot: world.val.imageRoot, tokenizer: wordTokenizer, batchSize: 4, workers: 0 };
  await evaluateModel(model, records.slice(0, 1), options); // CLIP transposes its frozen weights once, on first use
  const before = tf.memory().numTensors;
  const direct = await evaluateModel(model, records, options);
  expect(tf.memory().numTensors).toBe(before);
  expect(direct.total).toBe(records.length);
  expect(direct.predictions).toHaveLength(4 * records.length);
  const [p, t] = [tf.tensor2d(direct.predictions, [records.length, 4]), tf.tensor2d(direct.targets, [records.length, 4])];
  const reference = accuracyAt05(p, t);
  tf.dispose([p, t]);
  expect(direct.correct).toBe(reference.correct);
  expect(direct.meanIoU).toBeCloseTo(reference.meanIou, 6);

  const dir = path.join(world.root, 'cache');
  const cached = await evaluateModel(model, records, { ...options, featureCache: new FeatureCache({ dir }) });
  const fromDisk = await evaluateModel(model, records, { ...options, featureCache: new FeatureCache({ dir }) });
  for (const other of [cached, fromDisk]) {
    expect(Array.from(other.targets)).toEqual(Array.from(direct.targets));
    other.predictions.forEach((v, i) => expect(v).toBeCloseTo(direct.predictions[i], 5));
  }
  expect(Array.from(fromDisk.predictions)).toEqual(Array.from(cached.predictions));

  const scores = await scoreReliability(model, records, options);
  expect(scores.reliabilities).toEqual(Array.from(direct.ious));
  expect(scores.reliabilities.every((r) => r >= 0 && r <= 1)).toBe(true);
  model.dispose();
}, 120_000);

test('another engine can do the forward pass: a predictor sees every batch and its boxes are used', async () => {
  const model = tinyModel(3);
  const records = world.val.records;
  const options = { imageRoot: world.val.imageRoot, tokenizer: wordTokenizer, batchSize: 2, workers: 0 };
  const direct = await evaluateModel(model, records, options);
  let batches = 0;
  const predictor = {
    predict: async (images: tf.Tensor4D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D) => {
      batches++;
      return model.predict(images, pixelMask, ids);
    },
  };
  const before = tf.memory().numTensors;
  const viaPredictor = await evaluateModel(model, records, { ...options, predictor });
  expect(tf.memory().numTensors).toBe(before);
  expect(batches).toBe(Math.ceil(records.length / 2));
  expect(Array.from(viaPredictor.predictions)).toEqual(Array.from(direct.predictions));
  expect(viaPredictor.correct).toBe(direct.correct);
  model.dispose();
}, 120_000);
