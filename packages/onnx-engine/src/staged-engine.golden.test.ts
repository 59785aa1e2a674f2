import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { loadPth, type TorchTensor } from '@clip-vg/torch-io';
import { OnnxClipVGStages } from './staged-engine';

const maxAbsDiff = (a: Float32Array | Int32Array | Uint8Array, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
};

/** The staged engine (image tower, text tower, fusion as separate sessions) on the tiny golden checkpoint. */
describeShared('OnnxClipVGStages on the tiny golden checkpoint', () => {
  let model: ClipVG;
  let stages: OnnxClipVGStages;
  let golden: Record<string, TorchTensor>;
  const t = (name: string, dtype: 'float32' | 'int32' = 'float32') => tf.tensor(golden[name].toFloat32Array(), golden[name].shape, dtype);

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    golden = loadPth(sharedPath('golden/clipvg-tiny/tensors.pth')) as unknown as Record<string, TorchTensor>;
    model = ClipVG.fromCheckpoint(sharedPath('golden/clipvg-tiny/checkpoint.pth'));
    stages = await OnnxClipVGStages.fromModel(model, { threads: 1 });
  });

  afterAll(async () => {
    model?.dispose();
    await stages?.dispose();
  });

  test('features equal the goldens, and boxes fused from reused features equal the golden boxes, within 1e-4', async () => {
    const images = tf.tidy(() => tf.transpose(t('image'), [0, 2, 3, 1]) as tf.Tensor4D);
    const [mask, ids] = [t('image_mask', 'int32') as tf.Tensor3D, t('text_ids', 'int32') as tf.Tensor2D];
    const features = await stages.encode(images, ids);
    expect(maxAbsDiff(features.visual, golden.visual_multilevel.toFloat32Array())).toBeLessThan(1e-4);
    // The golden text features cover all 77 tokens; the engine computes the used ones, which must agree.
    const [batch, length, width] = golden.text_features.shape as [number, number, number];
    const used = new Float32Array(batch * features.length * width);
    const all = golden.text_features.toFloat32Array();
    for (let b = 0; b < batch; b++) used.set(all.subarray(b * length * width, (b * length + features.length) * width), b * features.length * width);
    expect(maxAbsDiff(features.text, used)).toBeLessThan(1e-4);

    const want = golden.pred_boxes.toFloat32Array();
    expect(maxAbsDiff(await stages.fuse(features, mask, ids), want)).toBeLessThan(1e-4);
    // Scoring again from the same (cached) features gives the same boxes without running CLIP.
    expect(maxAbsDiff(await stages.fuse(features, mask, ids), want)).toBeLessThan(1e-4);
    tf.dispose([images, mask, ids]);
  });

  test('features for other ids are refused with one line', async () => {
    const images = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const short = tf.tensor2d([[49406, 49407, ...new Array(75).fill(0)]], undefined, 'int32');
    const long = tf.tensor2d([[49406, 320, 321, 49407, ...new Array(73).fill(0)]], undefined, 'int32');
    const mask = tf.zeros([1, 64, 64], 'int32') as tf.Tensor3D;
    const features = await stages.encode(images, short);
    await expect(stages.fuse(features, mask, long)).rejects.toThrow('OnnxClipVGStages.fuse: the text features cover 2 tokens but these ids use 4');
    tf.dispose([images, short, long, mask]);
  });
});
