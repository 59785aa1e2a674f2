import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { DEMO_SHAPE_CLIP } from '@clip-vg/test-utils';
import { ClipVG, clipVGConfig, clipVGLayout, fusionKeyPaddingMask, groundingLoss, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { fusionParams } from './fusion-graph';
import { gatherBatch, type FeatureRows, type FeatureTable } from './features';
import { FusionSessions, recipeLearningRate, type FusionRecipe, type FusionWeights } from './fusion-trainer';
import { FusionTrainingPool, sharedFloat32 } from './pool';

// tfjs-core's CommonJS bundle registers no gradients; the ESM registrations are transformed for this package's tests
import '@tensorflow/tfjs-core/dist/register_all_gradients';

/** The demo's fusion shape on a 48 px tiny CLIP: 37 visual tokens of 4 × 64, 16 text tokens of 64. */
function demoConfig(): ClipVGConfig {
  return clipVGConfig(DEMO_SHAPE_CLIP, [0, 1, 2, 3], { vlLayers: 2, vlHeads: 4, vlFfnDim: 128, dropout: 0 });
}

function modelWeights(model: ClipVG, config: ClipVGConfig): FusionWeights {
  const state = model.stateDict();
  return Object.fromEntries(fusionParams(config).map((p) => [p.name, state[p.name].toFloat32Array().slice()]));
}

/** A random feature table: `images` images, `texts` expressions with 3–7 real tokens, random boxes. */
function randomWorld(config: ClipVGConfig, images: number, texts: number, shared = false): { table: FeatureTable; rows: FeatureRows; ids: Int32Array } {
  const L = config.maxQueryLen;
  const alloc = (n: number) => (shared ? sharedFloat32(n) : new Float32Array(n));
  const visual = alloc(images * 37 * 256);
  const text = alloc(texts * L * 64);
  const data = tf.tidy(() => [tf.randomNormal([visual.length], 0, 1, 'float32', 1).dataSync(), tf.randomNormal([text.length], 0, 1, 'float32', 2).dataSync()]);
  visual.set(data[0]);
  text.set(data[1]);
  const ids = new Int32Array(texts * L);
  const textPadding = new Uint8Array(texts * L).fill(1);
  for (let t = 0; t < texts; t++) {
    for (let i = 0; i < 3 + (t % 5); i++) {
      ids[t * L + i] = i + 1;
      textPadding[t * L + i] = 0;
    }
  }
  const n = texts;
  const rows: FeatureRows = { image: new Int32Array(n), text: new Int32Array(n), boxes: new Float32Array(4 * n) };
  for (let i = 0; i < n; i++) {
    rows.image[i] = i % images;
    rows.text[i] = i;
    // the box depends on the image, so the task is learnable
    rows.boxes.set([0.3 + 0.4 * ((i % images) / images), 0.5, 0.2 + 0.1 * (i % 3), 0.3], 4 * i);
  }
  return { table: { visual, text, textPadding }, rows, ids };
}

describe('fusion training on ONNX Runtime', () => {
  const config = demoConfig();

  beforeAll(async () => {
    await initBackend('cpu', { log: null });
  });

  it('computes the loss and every gradient of the tfjs model (ClipVG.fuse + groundingLoss) within 1e-5', async () => {
    const B = 6;
    const { table, rows, ids } = randomWorld(config, 3, B);
    const model = ClipVG.create(config, { seed: 3 });
    const weights = modelWeights(model, config);
    const batch = gatherBatch(table, rows, [0, 1, 2, 3, 4, 5], config, B);
    const sessions = await FusionSessions.create(config, { batchSize: B, predictBatch: B });
    const ort = await sessions.lossAndGradients(weights, batch);

    // ClipVG's own variables come in layout order (then CLIP's visual positions, frozen here)
    const own = new Map(clipVGLayout(config).map((spec, i) => [spec.name, model.trainableVariables()[i]]));
    const visual = tf.tensor3d(batch.visual, [B, 37, 256]);
    const text = tf.tensor3d(batch.text, [B, 16, 64]);
    const idTensor = tf.tensor2d(ids.subarray(0, B * 16), [B, 16], 'int32');
    const mask = tf.zeros([B, 48, 48], 'int32') as tf.Tensor3D;
    const target = tf.tensor2d(batch.target, [B, 4]);
    const { value, grads } = tf.variableGrads(() => groundingLoss(model.fuse(visual, text, mask, idTensor, true), target).loss, [...own.values()]);
    expect(Math.abs(ort.loss - value.dataSync()[0])).toBeLessThan(1e-5);
    let worst = 0;
    for (const [name, variable] of own) {
      if (!(name in ort.grads)) continue; // visu_proj never runs
      const expected = grads[variable.name].dataSync();
      const actual = ort.grads[name];
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    expect(worst).toBeLessThan(1e-5);
    // the padding mask of the reference is the one the table encodes
    const keyBias = fusionKeyPaddingMask(idTensor, mask, 6).dataSync();
    expect(Array.from(batch.keyBias, (b) => (b < 0 ? 1 : 0))).toEqual(Array.from(keyBias));
    tf.dispose([value, ...Object.values(grads), visual, text, idTensor, mask, target]);
    model.dispose();
    await sessions.release();
  });

  it('trains: the loss falls, and the same job gives the same bits on this thread and on two worker threads', async () => {
    const { table, rows } = randomWorld(config, 8, 64, true);
    const model = ClipVG.create(config, { seed: 0 });
    const init = modelWeights(model, config);
    model.dispose();
    const recipe: FusionRecipe = { steps: 30, batchSize: 16, lr: 1e-3, weightDecay: 1e-4, warmupSteps: 5, evalEvery: 10 };
    const val: FeatureRows = { image: rows.image.slice(0, 16), text: rows.text.slice(0, 16), boxes: rows.boxes.slice(0, 64) };
    const local = await FusionTrainingPool.start({ config, table, init, batchSize: 16, workers: 0 });
    const first = await local.train({ rows, val, recipe, seed: 1 });
    await local.close();
    expect(first.curve.map((c) => c.step)).toEqual([10, 20, 30]);
    expect(first.curve[2].loss).toBeLessThan(first.curve[0].loss);

    const pool = await FusionTrainingPool.start({ config, table, init, batchSize: 16, workers: 2 });
    const [again, otherSeed] = await Promise.all([pool.train({ rows, val, recipe, seed: 1 }), pool.train({ rows, val, recipe, seed: 2 })]);
    const boxes = await pool.predict(first.weights, val);
    await pool.close();
    expect(again.curve).toEqual(first.curve);
    expect(again.bestStep).toBe(first.bestStep);
    for (const name of Object.keys(first.weights)) expect(Buffer.from(again.weights[name].buffer).equals(Buffer.from(first.weights[name].buffer))).toBe(true);
    expect(otherSeed.curve).not.toEqual(first.curve);
    expect(boxes).toHaveLength(64);
  });

  it('warms the learning rate up linearly, then decays it along a cosine to 0', () => {
    const recipe: FusionRecipe = { steps: 800, batchSize: 64, lr: 1e-3, weightDecay: 1e-4, warmupSteps: 100, evalEvery: 100 };
    expect(recipeLearningRate(recipe, 0)).toBeCloseTo(1e-5, 12);
    expect(recipeLearningRate(recipe, 99)).toBeCloseTo(1e-3, 12);
    expect(recipeLearningRate(recipe, 100)).toBeCloseTo(1e-3, 12);
    expect(recipeLearningRate(recipe, 450)).toBeCloseTo(5e-4, 12);
    expect(recipeLearningRate(recipe, 799)).toBeLessThan(1e-7);
  });

  it('refuses dropout, which the graph does not implement', async () => {
    await expect(FusionSessions.create({ ...config, dropout: 0.1 }, { batchSize: 4 })).rejects.toThrow(/dropout 0 only/);
  });
});
