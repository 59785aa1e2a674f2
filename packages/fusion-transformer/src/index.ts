/** @clip-vg/fusion-transformer: the CLIP-VG grounding model, its losses, metrics and masks. */
export { ClipVG, type CreateOptions, type FromStateDictOptions, type LoadOptions } from './clip-vg';
export type { BoxPredictor, EngineName } from './box-predictor';
export { clipVGConfig, extractLayersFor, patchGrid, sequenceLength, validateClipVGConfig, type ClipVGConfig } from './config';
export { countTrainableParameters, clipVGLayout } from './layout';
export type { ParameterSpec, Init } from './init';
export { readOfficialCheckpoint, type ConfigOverrides, type OfficialCheckpoint } from './checkpoint';
export {
  readProjectFolder,
  readProjectConfig,
  isProjectFolder,
  PROJECT_CONFIG_FILE,
  PROJECT_WEIGHTS_FILE,
  PROJECT_FORMAT,
  type ProjectConfigJson,
} from './project-format';
export { boxArea, cxcywhToXyxy, pairedGiou, pairedIou, xyxyToCxcywh, type IouParts } from './boxes';
export { groundingLoss, type GroundingLoss } from './losses';
export { accuracyAt05, evaluationIou, type GroundingAccuracy } from './metrics';
export { fusionKeyPaddingMask, visualPatchMask } from './masks';
