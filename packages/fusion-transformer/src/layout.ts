import { boxHeadLayout } from './box-head';
import { patchGrid, sequenceLength, type ClipVGConfig } from './config';
import { linearSpecs, specSize, type ParameterSpec } from './init';
import { vlTransformerLayout } from './vl-transformer';

/** Input width of the never-used `visu_proj` (`Linear(512, D)` hard-coded upstream; kept for checkpoints). */
const UNUSED_VISU_PROJ_IN = 512;

/** The CLIP weight CLIP-VG trains although CLIP is frozen (`positional_embedding.requires_grad_(True)`). */
export const TRAINABLE_CLIP_PARAMETERS: readonly string[] = ['visual.positional_embedding'];

/**
 * Every parameter CLIP-VG adds on top of CLIP, by official state-dict name, in the order `ML_CLIP_VG`
 * creates them. All of them are trainable.
 */
export function clipVGLayout(config: ClipVGConfig): ParameterSpec[] {
  const d = config.hiddenDim;
  const visualIn = config.extractLayers.length * config.clip.visionWidth;
  return [
    ...linearSpecs('visu_proj', UNUSED_VISU_PROJ_IN, d),
    ...linearSpecs('text_proj', config.clip.embedDim, d),
    { name: 'reg_token.weight', shape: [1, d], init: { kind: 'normal' } },
    { name: 'vl_pos_embed.weight', shape: [sequenceLength(config), d], init: { kind: 'normal' } },
    ...vlTransformerLayout({ width: d, heads: config.vlHeads, layers: config.vlLayers, ffnDim: config.vlFfnDim, dropout: config.dropout }),
    ...boxHeadLayout(d),
    ...linearSpecs('ml_visu_proj', visualIn, d),
  ];
}

/**
 * Trainable parameters of a CLIP-VG model with this configuration, without building it: the layout plus
 * CLIP's visual positional embedding (21,832,964 for ViT-B/16, the paper's "21M").
 */
export function countTrainableParameters(config: ClipVGConfig): number {
  const own = clipVGLayout(config).reduce((sum, spec) => sum + specSize(spec), 0);
  const visualPositions = (patchGrid(config) ** 2 + 1) * config.clip.visionWidth;
  return own + visualPositions;
}
