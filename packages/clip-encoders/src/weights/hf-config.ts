/**
 * Hugging Face `CLIPConfig` (`config.json`) ↔ `ClipConfig`. Widths and layer counts are always taken from the
 * weight shapes; the config supplies what shapes cannot tell (attention heads), and is checked for features
 * this implementation does not have.
 */
import type { ClipConfig } from '../model/config';

interface HFTowerConfig {
  hidden_size?: number;
  num_attention_heads?: number;
  num_hidden_layers?: number;
  intermediate_size?: number;
  hidden_act?: string;
  layer_norm_eps?: number;
  image_size?: number;
  patch_size?: number;
  max_position_embeddings?: number;
  vocab_size?: number;
}

export interface HFClipConfigJson {
  model_type?: string;
  projection_dim?: number;
  text_config?: HFTowerConfig;
  vision_config?: HFTowerConfig;
  [key: string]: unknown;
}

/** `transformers`' defaults for the fields a saved config may leave out. */
const HF_DEFAULT_HEADS = { text: 8, vision: 12 };

export function isHFConfig(json: unknown): json is HFClipConfigJson {
  return typeof json === 'object' && json !== null && ('vision_config' in json || 'text_config' in json);
}

/** The parts of an HF config that the weights cannot tell; throws on activations CLIP-in-TF.js lacks. */
export function hfConfigOverrides(json: HFClipConfigJson, origin: string): Partial<ClipConfig> {
  for (const [tower, config] of [
    ['text', json.text_config],
    ['vision', json.vision_config],
  ] as const) {
    const act = config?.hidden_act ?? 'quick_gelu';
    if (act !== 'quick_gelu') throw new Error(`${origin}: ${tower}_config.hidden_act "${act}" is not supported (OpenAI CLIP uses quick_gelu)`);
    const eps = config?.layer_norm_eps ?? 1e-5;
    if (eps !== 1e-5) throw new Error(`${origin}: ${tower}_config.layer_norm_eps ${eps} is not supported (CLIP uses 1e-5)`);
  }
  return {
    visionHeads: json.vision_config?.num_attention_heads ?? HF_DEFAULT_HEADS.vision,
    transformerHeads: json.text_config?.num_attention_heads ?? HF_DEFAULT_HEADS.text,
  };
}

/** A complete HF `config.json` for a `ClipConfig`, so that saved weights converted to HF names load there too. */
export function toHFConfig(config: ClipConfig): HFClipConfigJson {
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: config.embedDim,
    text_config: {
      hidden_size: config.transformerWidth,
      intermediate_size: 4 * config.transformerWidth,
      num_attention_heads: config.transformerHeads,
      num_hidden_layers: config.transformerLayers,
      max_position_embeddings: config.contextLength,
      vocab_size: config.vocabSize,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
    },
    vision_config: {
      hidden_size: config.visionWidth,
      intermediate_size: 4 * config.visionWidth,
      num_attention_heads: config.visionHeads,
      num_hidden_layers: config.visionLayers,
      image_size: config.imageResolution,
      patch_size: config.visionPatchSize,
      hidden_act: 'quick_gelu',
      layer_norm_eps: 1e-5,
    },
  };
}
