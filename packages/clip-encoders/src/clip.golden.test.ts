/**
 * Parity with the official PyTorch CLIP-VG code on its tiny golden model (../shared/golden/clipvg-tiny):
 * the CLIP weights under `clip.` in checkpoint.pth, the inputs and CLIP outputs in tensors.pth.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPth, type TorchTensor } from '@clip-vg/torch-io';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { CLIP } from './clip';
import { toHFConfig } from './weights/hf-config';
import { openAIToHF } from './weights/hf-mapping';
import { writeSafetensorsWeights } from './weights/safetensors';
import { stripPrefix } from './weights/source';

/** The golden model's heads are not width / 64, so the shapes cannot tell them. */
const HEADS = { visionHeads: 2, transformerHeads: 1 };
const EXTRACT_LAYERS = [0, 3, 7, 11];

function toTf(t: TorchTensor, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  return tf.tensor(t.toFloat32Array(), t.shape, dtype);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describeShared('CLIP on the golden tiny CLIP-VG checkpoint', () => {
  let stateDict: Record<string, TorchTensor>;
  let golden: Record<string, TorchTensor>;
  const tmp = mkdtempSync(path.join(tmpdir(), 'clip-golden-'));

  beforeAll(() => {
    stateDict = (loadPth(sharedPath('golden/clipvg-tiny/checkpoint.pth')) as { model: Record<string, TorchTensor> }).model;
    golden = loadPth(sharedPath('golden/clipvg-tiny/tensors.pth')) as Record<string, TorchTensor>;
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** [multi-level visual error, text error] of a model against the goldens, on the current backend. */
  function errors(clip: CLIP): [number, number] {
    return tf.tidy(() => {
      const images = tf.transpose(toTf(golden.image), [0, 2, 3, 1]) as tf.Tensor4D; // NCHW → NHWC
      const ids = toTf(golden.text_ids, 'int32') as tf.Tensor2D;
      const visual = tf.concat(clip.encodeImageLayers(images, EXTRACT_LAYERS), 2); // [5, 17, 512]
      const text = clip.encodeTextTokens(ids); // [5, 77, 64]
      expect(visual.shape).toEqual(golden.visual_multilevel.shape);
      expect(text.shape).toEqual(golden.text_features.shape);
      return [maxAbsDiff(visual, toTf(golden.visual_multilevel)), maxAbsDiff(text, toTf(golden.text_features))];
    });
  }

  test.each(['wasm', 'cpu'])('%s: multi-level visual features and text features within 1e-4', async (backend) => {
    await tf.setBackend(backend);
    const clip = CLIP.fromStateDict(stateDict, { prefix: 'clip.', config: HEADS });
    try {
      const [visual, text] = errors(clip);
      expect(visual).toBeLessThan(1e-4);
      expect(text).toBeLessThan(1e-4);
    } finally {
      clip.dispose();
    }
  });

  test('fromPretrained reads the CLIP-VG checkpoint file as it is', async () => {
    await tf.setBackend('wasm');
    const clip = await CLIP.fromPretrained(sharedPath('golden/clipvg-tiny/checkpoint.pth'), { config: HEADS });
    try {
      expect(clip.config).toMatchObject({ visionWidth: 128, visionLayers: 12, imageResolution: 64, embedDim: 64, ...HEADS });
      const [visual, text] = errors(clip);
      expect(Math.max(visual, text)).toBeLessThan(1e-4);
    } finally {
      clip.dispose();
    }
  });

  test('a Hugging Face-named safetensors folder of the same weights gives the same outputs', async () => {
    await tf.setBackend('wasm');
    const reference = CLIP.fromStateDict(stateDict, { prefix: 'clip.', config: HEADS });
    const dir = path.join(tmp, 'hf');
    writeSafetensorsWeights(path.join(dir, 'model.safetensors'), openAIToHF(stripPrefix(stateDict, 'clip.')));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(toHFConfig(reference.config)));
    const clip = await CLIP.fromPretrained(dir);
    try {
      expect(clip.config).toEqual(reference.config);
      const images = tf.transpose(toTf(golden.image), [0, 2, 3, 1]) as tf.Tensor4D;
      const ids = toTf(golden.text_ids, 'int32') as tf.Tensor2D;
      const [a, b] = [reference.encodeImageLayers(images, EXTRACT_LAYERS), clip.encodeImageLayers(images, EXTRACT_LAYERS)];
      const [c, d] = [reference.encodeText(ids), clip.encodeText(ids)];
      a.forEach((layer, i) => expect(maxAbsDiff(layer, b[i])).toBe(0));
      expect(maxAbsDiff(c, d)).toBe(0);
      tf.dispose([images, ids, ...a, ...b, c, d]);
    } finally {
      reference.dispose();
      clip.dispose();
    }
  });
});
