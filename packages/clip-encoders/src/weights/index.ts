// Public API of the weights module: weight sources, the Hugging Face key mapping, safetensors, file loading.
export { concatRows, isWeightTensor, sliceRows, stripPrefix, transpose2d, weightTensor, type WeightSource, type WeightTensor } from './source';
export { hfToOpenAIStateDict, isHFStateDict, openAIToHF } from './hf-mapping';
export { hfConfigOverrides, isHFConfig, toHFConfig, type HFClipConfigJson } from './hf-config';
export { readSafetensorsWeights, writeSafetensorsWeights } from './safetensors';
export { findStateDict, loadPretrained, type LoadedWeights, type PretrainedOptions } from './pretrained';
export { PROJECT_MODEL_TYPE, type ProjectConfigJson } from './save';
export { checkWeights } from './validate';
