import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { benchConfig, benchInputs } from './benchmark';
import { OnnxClipVG } from './engine';

/** The two implementations in step on any clone: a random tiny CLIP-VG (no ../shared) on both engines. */
describe('OnnxClipVG against the TensorFlow.js model, random tiny weights', () => {
  let model: ClipVG;
  let engine: OnnxClipVG;

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    model = ClipVG.create(benchConfig('tiny'), { seed: 3 });
    engine = await OnnxClipVG.fromModel(model, { threads: 1 });
  });

  afterAll(async () => {
    model?.dispose();
    await engine?.dispose();
  });

  test('boxes agree within 1e-4, with letterbox padding and images shared by several expressions', async () => {
    const { images, pixelMask, ids } = benchInputs(model.config, 4, 9, 0.25, 2);
    const reference = model.predict(images, pixelMask, ids);
    const boxes = await engine.predict(images, pixelMask, ids);
    expect(boxes.shape).toEqual([4, 4]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(boxes, reference))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([images, pixelMask, ids, reference, boxes]);
  });
});
