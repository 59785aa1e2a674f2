import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { TINY_CONFIG, tinyModel, tinyWorld, wordTokenizer, type TinyWorld } from '../../test/tiny';
import { FeatureCache } from '../features/feature-cache';
import { trainModel, type TrainOptions } from './train-model';
import { namedTrainables } from './step';
import { readTrainables } from './checkpoint';

let world: TinyWorld;

beforeAll(async () => {
  await initBackend('wasm', { log: null });
  world = await tinyWorld();
}, 60_000);

afterAll(() => rmSync(world.root, { recursive: true, force: true }));

function base(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    records: world.train.records,
    valRecords: world.val.records,
    imageRoot: world.train.imageRoot,
    tokenizer: wordTokenizer,
    epochs: 3,
    batchSize: 4,
    lr: 1e-3,
    seed: 5,
    workers: 0,
    ...overrides,
  };
}

async function weights(model: ClipVG): Promise<Float32Array[]> {
  return Promise.all([...namedTrainables(model).values()].map(async (v) => (await v.data()) as Float32Array));
}

describe('trainModel', () => {
  test('trains with augmentation, validates each epoch, writes checkpoint, best_checkpoint and log.jsonl', async () => {
    const out = path.join(world.root, 'run-basic');
    const epochs: number[] = [];
    const tensors: number[] = [];
    const { model, history, bestAccuracy } = await trainModel(
      base({
        createModel: () => tinyModel(),
        outputDir: out,
        epochs: 2,
        batchSize: 2,
        onEpoch: (r) => epochs.push(r.epoch),
        onStep: () => tensors.push(tf.memory().numTensors),
      }),
    );
    expect(new Set(tensors.slice(1)).size).toBe(1); // no growth per batch (the first step creates the AdamW moments)
    expect(epochs).toEqual([0, 1]);
    expect(history).toHaveLength(2);
    expect(history.every((h) => Number.isFinite(h.loss) && h.steps > 0 && h.valAccuracy !== undefined)).toBe(true);
    expect(history[1].lr).toBeCloseTo(1e-3 * 0.5 * (1 + Math.cos(Math.PI / 2)), 12);
    expect(bestAccuracy).toBeGreaterThanOrEqual(0);
    for (const f of [
      'checkpoint/model.safetensors',
      'checkpoint/config.json',
      'checkpoint/trainer.safetensors',
      'checkpoint/training_state.json',
      'best_checkpoint/model.safetensors',
    ]) {
      expect(existsSync(path.join(out, f))).toBe(true);
    }
    const log = readFileSync(path.join(out, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.map((l) => l.epoch)).toEqual([0, 1]);
    model.dispose();
  }, 120_000);

  test('resuming after an interruption gives the same weights as an uninterrupted run, bit for bit', async () => {
    const full = await trainModel(base({ createModel: () => tinyModel(), keepBest: false }));
    const expected = await weights(full.model);
    full.model.dispose();

    const out = path.join(world.root, 'run-resume');
    const interrupted = tinyModel();
    await expect(
      trainModel(
        base({
          model: interrupted,
          outputDir: out,
          keepBest: false,
          onEpoch: () => {
            throw new Error('killed');
          },
        }),
      ),
    ).rejects.toThrow('killed');
    interrupted.dispose();

    const resumed = await trainModel(base({ createModel: () => tinyModel(), outputDir: out, resume: true, keepBest: false }));
    expect(resumed.startEpoch).toBe(1);
    expect(resumed.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    const actual = await weights(resumed.model);
    expect(actual.length).toBe(expected.length);
    actual.forEach((a, i) => expect(Buffer.from(a.buffer).equals(Buffer.from(expected[i].buffer))).toBe(true));
    resumed.model.dispose();
  }, 180_000);

  test('cached features: positional embedding frozen, no tensor growth per step, refuses augmentation', async () => {
    const cache = new FeatureCache({ dir: path.join(world.root, 'features') });
    await expect(trainModel(base({ createModel: () => tinyModel(), featureCache: cache }))).rejects.toThrow(/need the eval transform/);
    const model = tinyModel();
    const posBefore = model.clip.variables().get('visual.positional_embedding')!.dataSync().slice();
    const counts: number[] = [];
    const records = [...world.train.records, ...world.train.records];
    await trainModel(base({ model, records, batchSize: 2, epochs: 2, augment: false, featureCache: cache, onStep: () => counts.push(tf.memory().numTensors) }));
    expect(counts.length).toBeGreaterThan(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(model.clip.variables().get('visual.positional_embedding')!.dataSync()).toEqual(posBefore);
    expect(namedTrainables(model).size).toBe(namedTrainables(tinyModel(9)).size - 1);
    model.dispose();
  }, 120_000);

  test('keepBest: after a resume, the best weights of the earlier run come back from best_checkpoint', async () => {
    const out = path.join(world.root, 'run-best');
    let stop = false;
    await expect(
      trainModel(
        base({
          createModel: () => tinyModel(),
          outputDir: out,
          onEpoch: () => {
            if (stop) throw new Error('killed');
            stop = true;
          },
        }),
      ),
    ).rejects.toThrow('killed');
    const resumed = await trainModel(base({ createModel: () => tinyModel(), outputDir: out, resume: true }));
    expect(resumed.startEpoch).toBe(2);
    const best = readTrainables(path.join(out, 'best_checkpoint'))!;
    const last = readTrainables(path.join(out, 'checkpoint'))!;
    const actual = await weights(resumed.model);
    const same = (a: Float32Array, b: Float32Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    actual.forEach((w, i) => expect(same(w, best.get(`param.${i}`)!)).toBe(true));
    if (resumed.bestEpoch !== 2) expect(actual.every((w, i) => same(w, last.get(`param.${i}`)!))).toBe(false);
    resumed.model.dispose();
  }, 180_000);

  test('bad options fail with one line', async () => {
    await expect(trainModel(base({ epochs: 0, createModel: () => tinyModel() }))).rejects.toThrow('epochs must be a positive integer');
    await expect(trainModel(base({ records: [], createModel: () => tinyModel() }))).rejects.toThrow('no training records');
    expect(TINY_CONFIG.imsize).toBe(32);
  });
});
