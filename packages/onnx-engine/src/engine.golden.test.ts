import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { loadPth, type TorchTensor } from '@clip-vg/torch-io';
import { OnnxClipVG } from './engine';
import { buildClipVGOnnx } from './graph/clip-vg-graph';

/** The ONNX engine against the TensorFlow.js model and the PyTorch goldens (../shared/golden/clipvg-tiny). */
describeShared('OnnxClipVG on the tiny golden checkpoint', () => {
  let model: ClipVG;
  let engine: OnnxClipVG;
  let golden: Record<string, TorchTensor>;
  const t = (name: string, dtype: 'float32' | 'int32' = 'float32') => tf.tensor(golden[name].toFloat32Array(), golden[name].shape, dtype);
  const images = () => tf.tidy(() => tf.transpose(t('image'), [0, 2, 3, 1]) as tf.Tensor4D); // NCHW → NHWC

  const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    golden = loadPth(sharedPath('golden/clipvg-tiny/tensors.pth')) as unknown as Record<string, TorchTensor>;
    model = ClipVG.fromCheckpoint(sharedPath('golden/clipvg-tiny/checkpoint.pth'));
    engine = await OnnxClipVG.fromModel(model, { threads: 1 });
  });

  afterAll(async () => {
    model?.dispose();
    await engine?.dispose();
  });

  test('boxes equal the TensorFlow.js model and the PyTorch goldens within 1e-4', async () => {
    const [x, mask, ids, want] = [images(), t('image_mask', 'int32') as tf.Tensor3D, t('text_ids', 'int32') as tf.Tensor2D, t('pred_boxes')];
    const reference = model.predict(x, mask, ids);
    const boxes = await engine.predict(x, mask, ids);
    expect(boxes.shape).toEqual(reference.shape);
    expect(maxDiff(boxes, reference)).toBeLessThan(1e-4);
    expect(maxDiff(boxes, want)).toBeLessThan(1e-4);
    tf.dispose([x, mask, ids, want, reference, boxes]);
  });

  test("the last layer's [REG] attention with folded key/value projections gives the plain attention's boxes", async () => {
    const [x, mask, ids] = [images(), t('image_mask', 'int32') as tf.Tensor3D, t('text_ids', 'int32') as tf.Tensor2D];
    const weights = model.stateDict({ includeClip: true }) as never;
    const plain = await OnnxClipVG.fromOnnx(buildClipVGOnnx(weights, model.config, { origin: 'golden', foldRegAttention: false }), model.config, {
      threads: 1,
    });
    const [a, b] = [await plain.predictArrays(x, mask, ids), await engine.predictArrays(x, mask, ids)];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-6);
    tf.dispose([x, mask, ids]);
    await plain.dispose();
  });

  test('from the official state dict directly (no TensorFlow.js weights) gives the same boxes', async () => {
    const { readOfficialCheckpoint } = await import('@clip-vg/fusion-transformer');
    const checkpoint = readOfficialCheckpoint(sharedPath('golden/clipvg-tiny/checkpoint.pth'));
    const direct = await OnnxClipVG.fromStateDict(checkpoint.stateDict as never, checkpoint.config, { threads: 1 });
    const [x, mask, ids] = [images(), t('image_mask', 'int32') as tf.Tensor3D, t('text_ids', 'int32') as tf.Tensor2D];
    const [a, b] = [await direct.predict(x, mask, ids), await engine.predict(x, mask, ids)];
    expect(maxDiff(a, b)).toBe(0);
    tf.dispose([x, mask, ids, a, b]);
    await direct.dispose();
  });

  test("every text length and a batch of one: the trimmed text gives the untrimmed model's boxes", async () => {
    const [x, mask, ids] = [images(), t('image_mask', 'int32') as tf.Tensor3D, t('text_ids', 'int32') as tf.Tensor2D];
    const batch = x.shape[0];
    for (let b = 0; b < batch; b++) {
      const [xi, mi, ii] = [tf.slice(x, [b, 0, 0, 0], [1, -1, -1, -1]), tf.slice(mask, [b, 0, 0], [1, -1, -1]), tf.slice(ids, [b, 0], [1, -1])];
      const [reference, boxes] = [model.predict(xi, mi, ii), await engine.predict(xi, mi, ii)];
      expect(maxDiff(boxes, reference)).toBeLessThan(1e-4);
      tf.dispose([xi, mi, ii, reference, boxes]);
    }
    tf.dispose([x, mask, ids]);
  });

  test('a batch run in chunks (uneven ones too) gives the boxes of one run', async () => {
    const [x, mask, ids] = [images(), t('image_mask', 'int32') as tf.Tensor3D, t('text_ids', 'int32') as tf.Tensor2D];
    expect(x.shape[0]).toBeGreaterThan(2);
    const whole = await OnnxClipVG.fromModel(model, { threads: 1, chunkSize: Infinity });
    const reference = await whole.predictArrays(x, mask, ids);
    for (const chunkSize of [1, 2]) {
      const chunked = await OnnxClipVG.fromModel(model, { threads: 1, chunkSize });
      const boxes = await chunked.predictArrays(x, mask, ids);
      expect(Math.max(...boxes.map((v, i) => Math.abs(v - reference[i])))).toBeLessThan(1e-6);
      await chunked.dispose();
    }
    await whole.dispose();
    tf.dispose([x, mask, ids]);
  });

  test('rows that repeat an image (one image tower pass for all of them) give the boxes of distinct rows', async () => {
    const [x, mask, ids] = [images(), t('image_mask', 'int32') as tf.Tensor3D, t('text_ids', 'int32') as tf.Tensor2D];
    const batch = x.shape[0];
    // Each image with every expression: rows (image i, text j), so each image appears `batch` times, in runs.
    const pick = (i: number[]): tf.Tensor1D => tf.tensor1d(i, 'int32');
    const imageOf = Array.from({ length: batch * batch }, (_, r) => Math.floor(r / batch));
    const textOf = imageOf.map((_, r) => r % batch);
    const [xs, ms, is] = tf.tidy(
      () => [tf.gather(x, pick(imageOf)), tf.gather(mask, pick(imageOf)), tf.gather(ids, pick(textOf))] as [tf.Tensor4D, tf.Tensor3D, tf.Tensor2D],
    );
    const reference = model.predict(xs, ms, is);
    const boxes = await engine.predict(xs, ms, is);
    expect(maxDiff(boxes, reference)).toBeLessThan(1e-4);
    tf.dispose([x, mask, ids, xs, ms, is, reference, boxes]);
  });

  test('bad input is one line naming the problem', async () => {
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    const mask = tf.zeros([1, 32, 32], 'int32') as tf.Tensor3D;
    const ids = tf.zeros([1, 77], 'int32') as tf.Tensor2D;
    await expect(engine.predict(x, mask, ids)).rejects.toThrow(/^OnnxClipVG.predict: images are \[1,32,32,3\], expected \[B, 64, 64, 3\]$/);
    tf.dispose([x, mask, ids]);
  });
});
