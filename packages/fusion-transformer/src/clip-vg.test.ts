import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { CLIP_CONFIGS, type ClipConfig } from '@clip-vg/clip-encoders';
import { GOLDEN_TINY_CLIP as TINY_CLIP } from '@clip-vg/test-utils';
import { ClipVG } from './clip-vg';
import { clipVGConfig, sequenceLength } from './config';
import { countTrainableParameters } from './layout';

/** Small enough that a random CLIP builds in well under a second; ids stay below its vocabulary. */
const MICRO_CLIP: ClipConfig = {
  embedDim: 32,
  imageResolution: 32,
  visionLayers: 4,
  visionWidth: 32,
  visionPatchSize: 16,
  visionHeads: 2,
  contextLength: 77,
  vocabSize: 64,
  transformerWidth: 32,
  transformerHeads: 2,
  transformerLayers: 2,
};
const SOT = 62;
const EOT = 63;

/** Building a random ViT-B/16 CLIP (150M weights) takes minutes on a loaded 2-core machine: opt in. */
const heavyTest = process.env.CLIP_VG_HEAVY_TESTS === '1' ? test : test.skip;

beforeAll(async () => {
  await initBackend('wasm', { log: null });
});

describe('configuration', () => {
  test('ViT-B/16 defaults: D 512, 8 heads, FFN 2048, 275 tokens', () => {
    const config = clipVGConfig(CLIP_CONFIGS['ViT-B/16'], [0, 3, 7, 11]);
    expect(config).toMatchObject({ imsize: 224, maxQueryLen: 77, hiddenDim: 512, vlHeads: 8, vlLayers: 6, vlFfnDim: 2048, dropout: 0.1 });
    expect(sequenceLength(config)).toBe(275);
  });

  test('trainable parameters from the configuration: B/16 21,832,964 and L/14 38,920,452 (spec §8)', () => {
    expect(countTrainableParameters(clipVGConfig(CLIP_CONFIGS['ViT-B/16'], [0, 3, 7, 11]))).toBe(21_832_964);
    expect(countTrainableParameters(clipVGConfig(CLIP_CONFIGS['ViT-L/14'], [0, 7, 15, 23]))).toBe(38_920_452);
    expect(sequenceLength(clipVGConfig(CLIP_CONFIGS['ViT-L/14'], [0, 7, 15, 23]))).toBe(335);
  });

  test('bad configurations fail with one line', () => {
    expect(() => clipVGConfig(TINY_CLIP, [0, 12])).toThrow(/extractLayers: 12 is outside 0..11/);
    expect(() => clipVGConfig(TINY_CLIP, [0], { vlHeads: 7 })).toThrow(/not divisible by vlHeads 7/);
    expect(() => clipVGConfig(TINY_CLIP, [0], { imsize: 224 })).toThrow(/imsize 224 differs/);
  });
});

describe('ClipVG.create', () => {
  const config = clipVGConfig(MICRO_CLIP, [0, 1, 3], { hiddenDim: 32, vlFfnDim: 64 });

  heavyTest('a ViT-B/16 model built from its configuration has 21,832,964 trainable parameters', () => {
    const model = ClipVG.create(clipVGConfig(CLIP_CONFIGS['ViT-B/16'], [0, 3, 7, 11]), { seed: 1 });
    expect(model.countTrainableParameters()).toBe(21_832_964);
    const names = [...model.clip.variables()].filter(([, v]) => v.trainable).map(([name]) => name);
    expect(names).toEqual(['visual.positional_embedding']);
    model.dispose();
  });

  test('is seedable, and predicts boxes in (0, 1) with dropout only in training', () => {
    const a = ClipVG.create(config, { seed: 7 });
    const b = ClipVG.create(config, { seed: 7 });
    const c = ClipVG.create(config, { seed: 8 });
    const images = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const mask = tf.tensor3d(
      Array.from({ length: 2 * 32 * 32 }, (_, i) => (i >= 32 * 32 + 16 * 32 ? 1 : 0)),
      [2, 32, 32],
      'int32',
    );
    const ids = tf.tensor2d(
      [
        [SOT, 20, EOT, ...new Array(74).fill(0)],
        [SOT, EOT, ...new Array(75).fill(0)],
      ],
      undefined,
      'int32',
    );
    const boxesA = a.predict(images, mask, ids);
    const boxesB = b.predict(images, mask, ids);
    const boxesC = c.predict(images, mask, ids);
    expect(boxesA.shape).toEqual([2, 4]);
    expect(Array.from(boxesA.dataSync()).every((v) => v > 0 && v < 1)).toBe(true);
    expect(Array.from(boxesA.dataSync())).toEqual(Array.from(boxesB.dataSync()));
    expect(Array.from(boxesA.dataSync())).not.toEqual(Array.from(boxesC.dataSync()));
    const again = a.predict(images, mask, ids);
    expect(Array.from(again.dataSync())).toEqual(Array.from(boxesA.dataSync()));
    const trained = a.predict(images, mask, ids, true);
    expect(Array.from(trained.dataSync())).not.toEqual(Array.from(boxesA.dataSync()));
    tf.dispose([images, mask, ids, boxesA, boxesB, boxesC, again, trained]);
    [a, b, c].forEach((m) => m.dispose());
  });

  test('fresh init follows the original: Xavier in the encoder, zero MHA biases, unit LayerNorms', () => {
    const model = ClipVG.create(config, { seed: 3 });
    const sd = model.stateDict();
    const values = (name: string) => sd[name].toFloat32Array();
    const bound = Math.sqrt(6 / (32 + 96));
    const inProj = values('vl_transformer.encoder.layers.0.self_attn.in_proj_weight');
    expect(Math.max(...inProj.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...inProj.map(Math.abs))).toBeGreaterThan(bound * 0.9);
    expect(values('vl_transformer.encoder.layers.0.self_attn.in_proj_bias').every((v) => v === 0)).toBe(true);
    expect(values('vl_transformer.encoder.layers.5.norm2.weight').every((v) => v === 1)).toBe(true);
    expect(Math.max(...values('text_proj.bias').map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32));
    expect(values('vl_pos_embed.weight')).toHaveLength(sequenceLength(config) * 32);
    expect(model.countTrainableParameters()).toBe(countTrainableParameters(config));
    expect(Object.keys(sd)).toContain('clip.visual.positional_embedding');
    expect(Object.keys(sd).filter((k) => k.startsWith('clip.'))).toHaveLength(1);
    model.dispose();
  });

  test('fuse checks its inputs', () => {
    const model = ClipVG.create(config);
    const visual = tf.zeros([1, 5, 100]) as tf.Tensor3D;
    const text = tf.zeros([1, 77, 32]) as tf.Tensor3D;
    const mask = tf.zeros([1, 32, 32]) as tf.Tensor3D;
    const ids = tf.zeros([1, 77], 'int32') as tf.Tensor2D;
    expect(() => model.fuse(visual, text, mask, ids)).toThrow(/visual features are \[1,5,100\], expected \[B, 5, 96\]/);
    tf.dispose([visual, text, mask, ids]);
    model.dispose();
  });
});
