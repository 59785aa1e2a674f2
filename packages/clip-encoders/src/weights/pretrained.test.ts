import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPth } from '@clip-vg/torch-io';
import { CLIP } from '../clip';
import { modelCacheDir } from '../hub/cache';
import { findStateDict, loadPretrained } from './pretrained';

/** See __fixtures__/make-fixtures.py: a tiny CLIP in OpenAI naming (heads 2 and 2, given explicitly). */
const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
const HEADS = { visionHeads: 2, transformerHeads: 2 };

function weightsOf(clip: CLIP): Map<string, Float32Array> {
  return new Map([...clip.variables()].map(([name, v]) => [name, v.dataSync() as Float32Array]));
}

const tmp = mkdtempSync(path.join(tmpdir(), 'clip-pretrained-'));
let reference: CLIP;

beforeAll(async () => {
  await tf.setBackend('wasm');
  reference = await CLIP.fromPretrained(fixture('tiny-openai-fp32.pth'), { config: HEADS });
});
afterAll(() => {
  reference.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

test('the fixture config is inferred from the OpenAI state dict', () => {
  expect(reference.config).toEqual({
    embedDim: 24,
    imageResolution: 32,
    visionLayers: 3,
    visionWidth: 32,
    visionPatchSize: 8,
    visionHeads: 2,
    contextLength: 12,
    vocabSize: 50,
    transformerWidth: 16,
    transformerHeads: 2,
    transformerLayers: 2,
  });
});

test.each([
  ['an OpenAI state dict with float16 matrices', 'tiny-openai-fp16.pth'],
  ['an OpenAI TorchScript archive (clip.load cache)', 'tiny-torchscript.pt'],
])('%s loads to exactly the float32 values', async (_what, file) => {
  const clip = await CLIP.fromPretrained(fixture(file), { config: HEADS });
  try {
    expect(clip.config).toEqual(reference.config);
    const expected = weightsOf(reference);
    for (const [name, values] of weightsOf(clip)) expect([name, values]).toEqual([name, expected.get(name)]);
  } finally {
    clip.dispose();
  }
});

test('the TorchScript module tree flattens to state-dict names, metadata buffers included', () => {
  const names = Object.keys(findStateDict(loadPth(fixture('tiny-torchscript.pt')), 'x'));
  expect(names).toHaveLength(77);
  expect(names).toContain('visual.transformer.resblocks.2.mlp.c_proj.bias');
  expect(names).toContain('input_resolution');
});

test('a hub name resolves to the model cache folder', async () => {
  const dir = modelCacheDir('someone/tiny-clip', { cacheDir: tmp });
  await reference.save(dir);
  const clip = await CLIP.fromPretrained('someone/tiny-clip', { cacheDir: tmp });
  expect(clip.config).toEqual(reference.config);
  clip.dispose();
});

describe('errors name the file and the problem', () => {
  test('a folder without weights', async () => {
    const dir = path.join(tmp, 'empty');
    mkdirSync(dir, { recursive: true });
    await expect(loadPretrained(dir)).rejects.toThrow(`${dir}: no model.safetensors, pytorch_model.bin, .pth or .pt file in the folder`);
  });

  test('a config.json that is neither HF nor ours', async () => {
    const dir = path.join(tmp, 'odd');
    await reference.save(dir);
    writeFileSync(path.join(dir, 'config.json'), '{"model_type": "bert"}');
    await expect(loadPretrained(dir)).rejects.toThrow('config.json: neither a Hugging Face CLIP config nor a clip-vg CLIP config');
  });

  test('an HF config with an activation this implementation lacks', async () => {
    const dir = path.join(tmp, 'gelu');
    await reference.save(dir);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ text_config: { hidden_act: 'gelu' }, vision_config: {} }));
    await expect(loadPretrained(dir)).rejects.toThrow('text_config.hidden_act "gelu" is not supported');
  });

  test('a file that is not a PyTorch file', async () => {
    const file = path.join(tmp, 'junk.pth');
    writeFileSync(file, 'not a pickle');
    await expect(CLIP.fromPretrained(file)).rejects.toThrow(file);
  });

  test('a pickle without tensors', () => {
    expect(() => findStateDict({ epoch: 3 }, 'run.pth')).toThrow('run.pth: no state dict found');
  });
});
