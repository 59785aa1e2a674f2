/**
 * Every CLIP parameter, by its OpenAI state-dict name, with the shape the configuration implies. The single
 * source of truth for weight validation, random initialisation and saving.
 */
import type { ClipConfig } from './config';

/** Keys that OpenAI's TorchScript state dicts carry as metadata; `build_model` deletes them, so do we. */
export const OPENAI_METADATA_KEYS = ['input_resolution', 'context_length', 'vocab_size'] as const;

function blockShapes(prefix: string, width: number): Array<[string, number[]]> {
  return [
    [`${prefix}.attn.in_proj_weight`, [3 * width, width]],
    [`${prefix}.attn.in_proj_bias`, [3 * width]],
    [`${prefix}.attn.out_proj.weight`, [width, width]],
    [`${prefix}.attn.out_proj.bias`, [width]],
    [`${prefix}.ln_1.weight`, [width]],
    [`${prefix}.ln_1.bias`, [width]],
    [`${prefix}.mlp.c_fc.weight`, [4 * width, width]],
    [`${prefix}.mlp.c_fc.bias`, [4 * width]],
    [`${prefix}.mlp.c_proj.weight`, [width, 4 * width]],
    [`${prefix}.mlp.c_proj.bias`, [width]],
    [`${prefix}.ln_2.weight`, [width]],
    [`${prefix}.ln_2.bias`, [width]],
  ];
}

/** Name → shape, in OpenAI's state-dict order. */
export function clipParameterShapes(config: ClipConfig): Map<string, number[]> {
  const grid = config.imageResolution / config.visionPatchSize;
  const vw = config.visionWidth;
  const tw = config.transformerWidth;
  const entries: Array<[string, number[]]> = [
    ['positional_embedding', [config.contextLength, tw]],
    ['text_projection', [tw, config.embedDim]],
    ['logit_scale', []],
    ['visual.class_embedding', [vw]],
    ['visual.positional_embedding', [grid * grid + 1, vw]],
    ['visual.proj', [vw, config.embedDim]],
    ['visual.conv1.weight', [vw, 3, config.visionPatchSize, config.visionPatchSize]],
    ['visual.ln_pre.weight', [vw]],
    ['visual.ln_pre.bias', [vw]],
  ];
  for (let i = 0; i < config.visionLayers; i++) entries.push(...blockShapes(`visual.transformer.resblocks.${i}`, vw));
  entries.push(['visual.ln_post.weight', [vw]], ['visual.ln_post.bias', [vw]]);
  for (let i = 0; i < config.transformerLayers; i++) entries.push(...blockShapes(`transformer.resblocks.${i}`, tw));
  entries.push(['token_embedding.weight', [config.vocabSize, tw]], ['ln_final.weight', [tw]], ['ln_final.bias', [tw]]);
  return new Map(entries);
}
