/**
 * Hugging Face `CLIPModel` names ↔ OpenAI state-dict names. HF stores q, k and v projections separately and
 * the two output projections as `nn.Linear` weights ([out, in]); OpenAI packs q/k/v into `in_proj_*` and keeps
 * `proj`/`text_projection` as [in, out] matrices.
 */
import { concatRows, sliceRows, transpose2d, type WeightSource, type WeightTensor } from './source';

/** Per-block renames (HF suffix → OpenAI suffix), apart from q/k/v. */
const BLOCK_RENAMES: Array<[string, string]> = [
  ['self_attn.out_proj.weight', 'attn.out_proj.weight'],
  ['self_attn.out_proj.bias', 'attn.out_proj.bias'],
  ['layer_norm1.weight', 'ln_1.weight'],
  ['layer_norm1.bias', 'ln_1.bias'],
  ['mlp.fc1.weight', 'mlp.c_fc.weight'],
  ['mlp.fc1.bias', 'mlp.c_fc.bias'],
  ['mlp.fc2.weight', 'mlp.c_proj.weight'],
  ['mlp.fc2.bias', 'mlp.c_proj.bias'],
  ['layer_norm2.weight', 'ln_2.weight'],
  ['layer_norm2.bias', 'ln_2.bias'],
];

/** Whole-tensor renames outside the blocks (HF → OpenAI). `pre_layrnorm` is HF's own spelling. */
const PLAIN_RENAMES: Array<[string, string]> = [
  ['text_model.embeddings.token_embedding.weight', 'token_embedding.weight'],
  ['text_model.embeddings.position_embedding.weight', 'positional_embedding'],
  ['text_model.final_layer_norm.weight', 'ln_final.weight'],
  ['text_model.final_layer_norm.bias', 'ln_final.bias'],
  ['vision_model.embeddings.class_embedding', 'visual.class_embedding'],
  ['vision_model.embeddings.patch_embedding.weight', 'visual.conv1.weight'],
  ['vision_model.embeddings.position_embedding.weight', 'visual.positional_embedding'],
  ['vision_model.pre_layrnorm.weight', 'visual.ln_pre.weight'],
  ['vision_model.pre_layrnorm.bias', 'visual.ln_pre.bias'],
  ['vision_model.post_layernorm.weight', 'visual.ln_post.weight'],
  ['vision_model.post_layernorm.bias', 'visual.ln_post.bias'],
  ['logit_scale', 'logit_scale'],
];

/** Linear weights that HF stores transposed relative to OpenAI (HF → OpenAI). */
const TRANSPOSED_RENAMES: Array<[string, string]> = [
  ['text_projection.weight', 'text_projection'],
  ['visual_projection.weight', 'visual.proj'],
];

/** HF's tower prefixes → OpenAI's. */
const TOWERS: Array<[string, string]> = [
  ['text_model.encoder.layers.', 'transformer.resblocks.'],
  ['vision_model.encoder.layers.', 'visual.transformer.resblocks.'],
];

/** HF buffers that are not weights (older checkpoints save them). */
const HF_BUFFERS = /\.position_ids$/;

/** True when the names look like a Hugging Face `CLIPModel` state dict. */
export function isHFStateDict(source: Record<string, unknown>): boolean {
  return Object.keys(source).some((key) => key.startsWith('vision_model.') || key.startsWith('text_model.'));
}

/**
 * HF `CLIPModel` weights → OpenAI names. Names it does not know are kept as they are, so that the model's
 * name check reports them as unexpected instead of silently dropping them.
 */
export function hfToOpenAIStateDict(source: WeightSource): WeightSource {
  const out: WeightSource = {};
  const consumed = new Set<string>();
  const take = (key: string): WeightTensor => {
    consumed.add(key);
    return source[key];
  };
  for (const [hf, openai] of PLAIN_RENAMES) if (source[hf]) out[openai] = take(hf);
  for (const [hf, openai] of TRANSPOSED_RENAMES) if (source[hf]) out[openai] = transpose2d(take(hf));
  for (const [hfTower, openaiTower] of TOWERS) {
    for (const block of blockIndices(source, hfTower)) {
      const hf = `${hfTower}${block}.`;
      const openai = `${openaiTower}${block}.`;
      for (const [hfSuffix, openaiSuffix] of BLOCK_RENAMES) {
        if (source[hf + hfSuffix]) out[openai + openaiSuffix] = take(hf + hfSuffix);
      }
      for (const kind of ['weight', 'bias'] as const) {
        const parts = ['q', 'k', 'v'].map((p) => `${hf}self_attn.${p}_proj.${kind}`);
        if (parts.every((p) => source[p])) out[`${openai}attn.in_proj_${kind}`] = concatRows(parts.map(take));
      }
    }
  }
  for (const [key, value] of Object.entries(source)) {
    if (!consumed.has(key) && !HF_BUFFERS.test(key)) out[key] = value;
  }
  return out;
}

/** OpenAI names → HF `CLIPModel` names (the inverse of `hfToOpenAIStateDict`). */
export function openAIToHF(source: WeightSource): WeightSource {
  const out: WeightSource = {};
  const consumed = new Set<string>();
  const take = (key: string): WeightTensor => {
    consumed.add(key);
    return source[key];
  };
  for (const [hf, openai] of PLAIN_RENAMES) if (source[openai]) out[hf] = take(openai);
  for (const [hf, openai] of TRANSPOSED_RENAMES) if (source[openai]) out[hf] = transpose2d(take(openai));
  for (const [hfTower, openaiTower] of TOWERS) {
    for (const block of blockIndices(source, openaiTower)) {
      const hf = `${hfTower}${block}.`;
      const openai = `${openaiTower}${block}.`;
      for (const [hfSuffix, openaiSuffix] of BLOCK_RENAMES) {
        if (source[openai + openaiSuffix]) out[hf + hfSuffix] = take(openai + openaiSuffix);
      }
      for (const kind of ['weight', 'bias'] as const) {
        const packed = source[`${openai}attn.in_proj_${kind}`];
        if (!packed) continue;
        const width = take(`${openai}attn.in_proj_${kind}`).shape[0] / 3;
        ['q', 'k', 'v'].forEach((p, i) => (out[`${hf}self_attn.${p}_proj.${kind}`] = sliceRows(packed, i * width, width)));
      }
    }
  }
  for (const [key, value] of Object.entries(source)) if (!consumed.has(key)) out[key] = value;
  return out;
}

function blockIndices(source: Record<string, unknown>, prefix: string): number[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}(\\d+)\\.`);
  const found = new Set<number>();
  for (const key of Object.keys(source)) {
    const match = pattern.exec(key);
    if (match) found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}
