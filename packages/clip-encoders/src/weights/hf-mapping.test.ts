import { clipParameterShapes } from '../model/parameter-shapes';
import type { ClipConfig } from '../model/config';
import { hfToOpenAIStateDict, isHFStateDict, openAIToHF } from './hf-mapping';
import { weightTensor, type WeightSource } from './source';

const TINY: ClipConfig = {
  embedDim: 6,
  imageResolution: 8,
  visionLayers: 2,
  visionWidth: 4,
  visionPatchSize: 4,
  visionHeads: 2,
  contextLength: 5,
  vocabSize: 7,
  transformerWidth: 2,
  transformerHeads: 1,
  transformerLayers: 1,
};

/** Every weight filled with distinct values, so any misplaced element shows. */
function openAIWeights(): WeightSource {
  let next = 0;
  const out: WeightSource = {};
  for (const [name, shape] of clipParameterShapes(TINY)) {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next++);
    out[name] = weightTensor(shape, () => data);
  }
  return out;
}

const values = (source: WeightSource) => Object.fromEntries(Object.entries(source).map(([k, v]) => [k, [v.shape, Array.from(v.toFloat32Array())]]));

test("OpenAI → HF uses transformers' CLIPModel names", () => {
  const hf = openAIToHF(openAIWeights());
  expect(isHFStateDict(hf)).toBe(true);
  expect(Object.keys(hf).sort()).toEqual(
    expect.arrayContaining([
      'logit_scale',
      'text_model.embeddings.position_embedding.weight',
      'text_model.embeddings.token_embedding.weight',
      'text_model.encoder.layers.0.self_attn.k_proj.bias',
      'text_model.encoder.layers.0.mlp.fc1.weight',
      'text_model.final_layer_norm.weight',
      'text_projection.weight',
      'vision_model.embeddings.class_embedding',
      'vision_model.embeddings.patch_embedding.weight',
      'vision_model.encoder.layers.1.layer_norm2.bias',
      'vision_model.encoder.layers.1.self_attn.out_proj.weight',
      'vision_model.pre_layrnorm.weight',
      'vision_model.post_layernorm.bias',
      'visual_projection.weight',
    ]),
  );
  expect(Object.keys(hf).filter((k) => k.includes('in_proj') || k.startsWith('visual.'))).toEqual([]);
});

test('q, k and v are the three row blocks of in_proj; projections are transposed', () => {
  const openai = openAIWeights();
  const hf = openAIToHF(openai);
  const packed = openai['visual.transformer.resblocks.1.attn.in_proj_weight'].toFloat32Array(); // [12, 4]
  expect(hf['vision_model.encoder.layers.1.self_attn.k_proj.weight'].shape).toEqual([4, 4]);
  expect(hf['vision_model.encoder.layers.1.self_attn.k_proj.weight'].toFloat32Array()).toEqual(packed.slice(16, 32));
  const proj = openai['visual.proj'].toFloat32Array(); // [4, 6]
  const hfProj = hf['visual_projection.weight']; // [6, 4]
  expect(hfProj.shape).toEqual([6, 4]);
  expect(hfProj.toFloat32Array()[1 * 4 + 2]).toBe(proj[2 * 6 + 1]);
});

test('OpenAI → HF → OpenAI is the identity', () => {
  const openai = openAIWeights();
  expect(values(hfToOpenAIStateDict(openAIToHF(openai)))).toEqual(values(openai));
});

test('HF position_ids buffers are dropped; unknown names are kept for the name check to report', () => {
  const hf = openAIToHF(openAIWeights());
  hf['text_model.embeddings.position_ids'] = weightTensor([1, 5], () => new Float32Array(5));
  hf['vision_model.extra.weight'] = weightTensor([1], () => new Float32Array(1));
  const back = hfToOpenAIStateDict(hf);
  expect(back['text_model.embeddings.position_ids']).toBeUndefined();
  expect(back['vision_model.extra.weight']).toBeDefined();
});
