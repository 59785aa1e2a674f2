import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLIP } from './clip';
import type { ClipConfig } from './model/config';

/** Small enough for the cpu backend, with several heads so that head splitting is exercised. */
const TINY: ClipConfig = {
  embedDim: 24,
  imageResolution: 32,
  visionLayers: 3,
  visionWidth: 32,
  visionPatchSize: 8,
  visionHeads: 4,
  contextLength: 12,
  vocabSize: 50,
  transformerWidth: 16,
  transformerHeads: 2,
  transformerLayers: 2,
};

function images(batch: number, seed = 1): tf.Tensor4D {
  return tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', seed);
}

/** [SOT, a, b, ..., EOT(=49 here, the largest id), 0, ...] rows. */
function ids(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(
    rows.map((row) => [...row, ...new Array(TINY.contextLength - row.length).fill(0)]),
    undefined,
    'int32',
  );
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

let clip: CLIP;
const tmp = mkdtempSync(path.join(tmpdir(), 'clip-encoders-'));

beforeAll(async () => {
  await tf.setBackend('wasm');
  clip = CLIP.random(TINY, { seed: 3 });
});

afterAll(() => {
  clip.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('CLIP forward passes', () => {
  test('output shapes', () => {
    const x = images(2);
    const t = ids([
      [48, 5, 6, 49],
      [48, 49],
    ]);
    const outputs = [clip.encodeImage(x), ...clip.encodeImageLayers(x, [0, 2]), clip.encodeText(t), clip.encodeTextTokens(t)];
    expect(outputs.map((o) => o.shape)).toEqual([
      [2, 24],
      [2, 17, 32],
      [2, 17, 32],
      [2, 24],
      [2, 12, 24],
    ]);
    tf.dispose([x, t, ...outputs]);
  });

  test('encodeText is encodeTextTokens at the EOT (largest id) position', () => {
    const t = ids([
      [48, 5, 6, 49],
      [48, 49],
    ]);
    const sentence = clip.encodeText(t);
    const tokens = clip.encodeTextTokens(t);
    const atEot = tf.reshape(tf.concat([tf.slice(tokens, [0, 3, 0], [1, 1, -1]), tf.slice(tokens, [1, 1, 0], [1, 1, -1])]), [2, 24]);
    expect(maxAbsDiff(sentence, atEot)).toBeLessThan(1e-6);
    tf.dispose([t, sentence, tokens, atEot]);
  });

  test('text attention is causal: later tokens do not change earlier outputs', () => {
    const a = clip.encodeTextTokens(ids([[48, 5, 6, 7, 49]]));
    const b = clip.encodeTextTokens(ids([[48, 5, 6, 30, 31, 49]]));
    const early = (x: tf.Tensor3D) => tf.slice(x, [0, 0, 0], [1, 3, -1]);
    expect(maxAbsDiff(early(a), early(b))).toBe(0);
    expect(maxAbsDiff(tf.slice(a, [0, 3, 0], [1, 1, -1]), tf.slice(b, [0, 3, 0], [1, 1, -1]))).toBeGreaterThan(1e-3);
    tf.dispose([a, b]);
  });

  test('images in a batch do not influence each other', () => {
    const x = images(3);
    const [all] = clip.encodeImageLayers(x, [2]);
    const [second] = clip.encodeImageLayers(tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), [2]);
    expect(maxAbsDiff(tf.slice(all, [1, 0, 0], [1, -1, -1]), second)).toBeLessThan(1e-5);
    tf.dispose([x, all, second]);
  });

  test('encodeImage is ln_post([CLS] of the last block) @ proj', () => {
    const x = images(2);
    const embedding = clip.encodeImage(x);
    const [last] = clip.encodeImageLayers(x, [TINY.visionLayers - 1]);
    const v = clip.variables();
    const expected = tf.tidy(() => {
      const cls = tf.reshape(tf.slice(last, [0, 0, 0], [-1, 1, -1]), [2, TINY.visionWidth]);
      const { mean, variance } = tf.moments(cls, -1, true);
      const normed = tf.div(tf.sub(cls, mean), tf.sqrt(tf.add(variance, 1e-5)));
      const scaled = tf.add(tf.mul(normed, v.get('visual.ln_post.weight')!), v.get('visual.ln_post.bias')!);
      return tf.matMul(scaled as tf.Tensor2D, v.get('visual.proj')!);
    });
    expect(maxAbsDiff(embedding, expected)).toBeLessThan(1e-5);
    tf.dispose([x, embedding, last, expected]);
  });

  test('layers come back in the order asked, repeats included, and each can be disposed', () => {
    const x = images(1);
    const [a, b, c] = clip.encodeImageLayers(x, [2, 0, 2]);
    const [zero] = clip.encodeImageLayers(x, [0]);
    expect(maxAbsDiff(b, zero)).toBe(0);
    expect(maxAbsDiff(a, c)).toBe(0);
    a.dispose();
    expect(c.isDisposed).toBe(false);
    tf.dispose([x, b, c, zero]);
  });

  test('no tensor is left behind', () => {
    const x = images(2);
    const t = ids([[48, 5, 49]]);
    const before = tf.memory().numTensors;
    tf.dispose([clip.encodeImage(x), ...clip.encodeImageLayers(x, [0, 1, 2]), clip.encodeText(t), clip.encodeTextTokens(t)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t]);
  });

  test('cpu and wasm agree', async () => {
    const onWasm = tf.tidy(() => [clip.encodeImage(images(2)), clip.encodeTextTokens(ids([[48, 7, 8, 49]]))].map((o) => o.arraySync()));
    await tf.setBackend('cpu');
    try {
      const onCpu = tf.tidy(() => [clip.encodeImage(images(2)), clip.encodeTextTokens(ids([[48, 7, 8, 49]]))].map((o) => o.arraySync()));
      onCpu.forEach((values, i) => expect(maxAbsDiff(tf.tensor(values), tf.tensor(onWasm[i]))).toBeLessThan(1e-5));
    } finally {
      await tf.setBackend('wasm');
    }
  });

  test('bad inputs fail with one line', () => {
    const wrongSize = tf.zeros([1, 48, 48, 3]) as tf.Tensor4D;
    expect(() => clip.encodeImage(wrongSize)).toThrow("images are 48×48 but the model's positional embedding is for 32×32");
    expect(() => clip.encodeImageLayers(images(1), [3])).toThrow('layer 3 is outside 0..2');
    const tooLong = tf.zeros([1, 13], 'int32') as tf.Tensor2D;
    expect(() => clip.encodeText(tooLong)).toThrow('13 tokens exceed the context length 12');
    tf.dispose([wrongSize, tooLong]);
  });
});

describe('CLIP parameters', () => {
  test('are frozen by default and can be made trainable one by one', () => {
    expect(clip.trainableVariables()).toHaveLength(0);
    clip.setTrainable((name) => name === 'visual.positional_embedding', true);
    expect(clip.trainableVariables()).toEqual([clip.variables().get('visual.positional_embedding')]);
    clip.setTrainable(() => true, false);
    expect(clip.trainableVariables()).toHaveLength(0);
  });

  test('the multi-level features read the positional embedding variable itself (what training updates)', () => {
    const x = images(1);
    const positional = clip.variables().get('visual.positional_embedding')!;
    const original = tf.clone(positional);
    const [before] = clip.encodeImageLayers(x, [0]);
    // Not a constant shift: ln_pre would cancel it.
    positional.assign(tf.tidy(() => tf.add(original, tf.randomNormal(original.shape, 0, 0.5, 'float32', 9))));
    const [after] = clip.encodeImageLayers(x, [0]);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    positional.assign(original);
    tf.dispose([x, original, before, after]);
  });
});

describe('CLIP weight cache', () => {
  test('trainable weights (read fresh) and frozen ones (read through the cache) give the same outputs', () => {
    const x = images(1);
    const frozen = clip.encodeImage(x);
    clip.setTrainable(() => true, true);
    const trainable = clip.encodeImage(x);
    clip.setTrainable(() => true, false);
    expect(maxAbsDiff(frozen, trainable)).toBe(0);
    tf.dispose([x, frozen, trainable]);
  });

  test('a frozen weight changed with assign is read anew', () => {
    const x = images(1);
    const weight = clip.variables().get('visual.transformer.resblocks.0.mlp.c_fc.weight')!;
    const original = tf.clone(weight);
    const before = clip.encodeImage(x);
    weight.assign(tf.tidy(() => tf.mul(original, 2)));
    const after = clip.encodeImage(x);
    weight.assign(original);
    const restored = clip.encodeImage(x);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(before, restored)).toBe(0);
    tf.dispose([x, original, before, after, restored]);
  });

  test('a disposed model says so', () => {
    const other = CLIP.random(TINY);
    other.dispose();
    const x = images(1);
    expect(() => other.encodeImage(x)).toThrow('CLIP: the model has been disposed');
    x.dispose();
  });
});

describe('CLIP save and load', () => {
  test('save → fromPretrained gives identical weights and outputs', async () => {
    const dir = path.join(tmp, 'saved');
    await clip.save(dir);
    const loaded = await CLIP.fromPretrained(dir);
    try {
      expect(loaded.config).toEqual(TINY);
      const x = images(1);
      const [a, b] = [clip.encodeImage(x), loaded.encodeImage(x)];
      expect(maxAbsDiff(a, b)).toBe(0);
      tf.dispose([x, a, b]);
    } finally {
      loaded.dispose();
    }
  });

  test('fromStateDict lists missing, unexpected and mis-shaped weights', () => {
    const sd = clip.stateDict();
    delete sd['ln_final.bias'];
    sd['visual.extra'] = sd['logit_scale']!;
    sd['visual.ln_pre.weight'] = { shape: [31], toFloat32Array: () => new Float32Array(31) };
    expect(() => CLIP.fromStateDict(sd, { origin: 'x.pth', config: { visionHeads: 4, transformerHeads: 2 } })).toThrow(
      'x.pth: weights do not fit the CLIP configuration: missing 1 (ln_final.bias); unexpected 1 (visual.extra); ' +
        'shape mismatch 1 (visual.ln_pre.weight [31] ≠ [32])',
    );
  });

  test('finds the CLIP weights under a prefix such as CLIP-VG\'s "clip."', () => {
    const sd = Object.fromEntries(Object.entries(clip.stateDict()).map(([k, v]) => [`clip.${k}`, v]));
    const other = { 'vl_transformer.layers.0.weight': sd['clip.logit_scale'], ...sd };
    const loaded = CLIP.fromStateDict(other, { config: { visionHeads: 4, transformerHeads: 2 } });
    expect(loaded.config).toEqual(TINY);
    loaded.dispose();
  });

  test('a hub name that is not cached says how to get it', async () => {
    await expect(CLIP.fromPretrained('openai/clip-vit-base-patch16', { cacheDir: tmp })).rejects.toThrow(
      'openai/clip-vit-base-patch16: not in the cache; run `clip-vg models pull openai/clip-vit-base-patch16`',
    );
    await expect(CLIP.fromPretrained(path.join(tmp, 'nothing.pth'))).rejects.toThrow('nothing.pth: no such file or folder');
  });
});

test('CLIP.random is reproducible for every seed, 0 included (tfjs would treat a seed of 0 as none)', () => {
  for (const seed of [0, 5]) {
    const [a, b] = [CLIP.random(TINY, { seed }), CLIP.random(TINY, { seed })];
    for (const [name, v] of a.variables()) {
      expect(Array.from(v.dataSync())).toEqual(Array.from(b.variables().get(name)!.dataSync()));
    }
    a.dispose();
    b.dispose();
  }
});
