import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { loadPth, type TorchTensor } from '@clip-vg/torch-io';
import { ClipVG } from './clip-vg';
import { visualPatchMask } from './masks';

/** Parity with the official PyTorch code on the tiny golden model (../shared/golden/clipvg-tiny). */
describeShared('ClipVG on the tiny golden checkpoint', () => {
  let model: ClipVG;
  let golden: Record<string, TorchTensor>;
  const t = (name: string, dtype: 'float32' | 'int32' = 'float32') => tf.tensor(golden[name].toFloat32Array(), golden[name].shape, dtype);
  const images = () => tf.tidy(() => tf.transpose(t('image'), [0, 2, 3, 1]) as tf.Tensor4D); // NCHW → NHWC

  function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance: number): void {
    expect(actual.shape).toEqual(expected.shape);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]);
    expect(diff).toBeLessThan(tolerance);
  }

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    golden = loadPth(sharedPath('golden/clipvg-tiny/tensors.pth')) as unknown as Record<string, TorchTensor>;
    model = ClipVG.fromCheckpoint(sharedPath('golden/clipvg-tiny/checkpoint.pth'));
  });

  afterAll(() => model?.dispose());

  test('configuration from args and shapes', () => {
    expect(model.config).toMatchObject({
      extractLayers: [0, 3, 7, 11],
      imsize: 64,
      maxQueryLen: 77,
      hiddenDim: 64,
      vlHeads: 8,
      vlLayers: 6,
      vlFfnDim: 256,
      dropout: 0.1,
    });
    expect(model.config.clip).toMatchObject({ visionWidth: 128, visionHeads: 2, transformerWidth: 64, transformerHeads: 1, embedDim: 64 });
  });

  test('trainable parameters: CLIP-VG layers plus the CLIP visual positional embedding (cases.json: 386,628)', () => {
    expect(model.countTrainableParameters()).toBe(386_628);
  });

  test('image-patch mask equals visual_mask', () => {
    const mask = visualPatchMask(t('image_mask', 'int32') as tf.Tensor3D, 4);
    expect(Array.from(mask.dataSync())).toEqual(Array.from(golden.visual_mask.toFloat32Array()));
    mask.dispose();
  });

  test('multi-level visual features and text features within 1e-4', () => {
    const x = images();
    const visual = model.encodeVisual(x);
    const ids = t('text_ids', 'int32') as tf.Tensor2D;
    const text = model.encodeText(ids);
    const [wantVisual, wantText] = [t('visual_multilevel'), t('text_features')];
    expectClose(visual, wantVisual, 1e-4);
    expectClose(text, wantText, 1e-4);
    tf.dispose([x, visual, ids, text, wantVisual, wantText]);
  });

  test('fuse from the golden CLIP features gives pred_boxes within 1e-4', () => {
    const [visual, text, mask, ids, want] = [t('visual_multilevel'), t('text_features'), t('image_mask', 'int32'), t('text_ids', 'int32'), t('pred_boxes')];
    const boxes = model.fuse(visual as tf.Tensor3D, text as tf.Tensor3D, mask as tf.Tensor3D, ids as tf.Tensor2D);
    expectClose(boxes, want, 1e-4);
    tf.dispose([visual, text, mask, ids, want, boxes]);
  });

  test('fused: the fusion encoder output equals tensors.pth `fused` (recorded in eval mode) within 1e-4', () => {
    const [visual, text, mask, ids, goldenFused] = [t('visual_multilevel'), t('text_features'), t('image_mask', 'int32'), t('text_ids', 'int32'), t('fused')];
    const fused = model.fuseSequence(visual as tf.Tensor3D, text as tf.Tensor3D, mask as tf.Tensor3D, ids as tf.Tensor2D);
    expect(fused.shape).toEqual(goldenFused.shape);
    expectClose(fused, goldenFused, 1e-4);
    tf.dispose([visual, text, mask, ids, goldenFused, fused]);
  });

  test('predict end to end (images → boxes) within 1e-4, without leaking tensors', () => {
    const [x, mask, ids, want] = [images(), t('image_mask', 'int32'), t('text_ids', 'int32'), t('pred_boxes')];
    const before = tf.memory().numTensors;
    const boxes = model.predict(x, mask as tf.Tensor3D, ids as tf.Tensor2D);
    expect(tf.memory().numTensors).toBe(before + 1);
    expectClose(boxes, want, 1e-4);
    tf.dispose([x, mask, ids, want, boxes]);
  });

  test('project folder round trip, with and without CLIP weights', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clipvg-save-'));
    try {
      const [x, mask, ids] = [images(), t('image_mask', 'int32'), t('text_ids', 'int32')];
      const want = model.predict(x, mask as tf.Tensor3D, ids as tf.Tensor2D);

      await model.save(path.join(dir, 'full'), { includeClip: true });
      const full = await ClipVG.fromPretrained(path.join(dir, 'full'));
      expectClose(full.predict(x, mask as tf.Tensor3D, ids as tf.Tensor2D), want, 1e-6);
      expect(full.config).toEqual(model.config);
      full.dispose();

      await model.save(path.join(dir, 'light'));
      await expect(ClipVG.fromPretrained(path.join(dir, 'light'))).rejects.toThrow(/saved without CLIP weights/);
      // CLIP from the official checkpoint, then the folder's trained visual positional embedding on top.
      const clipDonor = ClipVG.fromCheckpoint(sharedPath('golden/clipvg-tiny/checkpoint.pth'));
      const light = await ClipVG.fromPretrained(path.join(dir, 'light'), { clip: clipDonor.clip });
      expectClose(light.predict(x, mask as tf.Tensor3D, ids as tf.Tensor2D), want, 1e-6);
      light.dispose();
      clipDonor.dispose();
      tf.dispose([x, mask, ids, want]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a plain state dict loads with explicit options; args are optional', () => {
    const checkpoint = loadPth(sharedPath('golden/clipvg-tiny/checkpoint.pth')) as { model: Record<string, TorchTensor> };
    const plain = ClipVG.fromCheckpoint(checkpoint.model as never, { config: { dropout: 0 } });
    // Without args: heads default to 8, the extract layers follow CLIP's depth (12 → [0, 3, 7, 11]).
    expect(plain.config).toMatchObject({ extractLayers: [0, 3, 7, 11], vlHeads: 8, imsize: 64, dropout: 0 });
    const [x, mask, ids, want] = [images(), t('image_mask', 'int32'), t('text_ids', 'int32'), t('pred_boxes')];
    const boxes = plain.predict(x, mask as tf.Tensor3D, ids as tf.Tensor2D);
    expectClose(boxes, want, 1e-4);
    tf.dispose([x, mask, ids, want, boxes]);
    plain.dispose();
    expect(() => ClipVG.fromCheckpoint(checkpoint.model as never, { config: { extractLayers: [0, 3, 7] } })).toThrow(
      /ml_visu_proj takes 512 features but 3 layers × visual width 128/,
    );
  });

  test('bad input gives one line naming the file', async () => {
    expect(() => ClipVG.fromCheckpoint(sharedPath('golden/clipvg-tiny/cases.json'))).toThrow(/cases\.json: cannot read the checkpoint/);
    expect(() => ClipVG.fromCheckpoint(sharedPath('golden/clipvg-tiny/tensors.pth'))).toThrow(/tensors\.pth: /);
    await expect(ClipVG.fromPretrained('/nonexistent/model.pth')).rejects.toThrow(/\/nonexistent\/model\.pth/);
  });
});
