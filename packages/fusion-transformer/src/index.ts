/** @clip-vg/fusion-transformer: the CLIP-VG grounding model, its losses, metrics and masks. */
export const PACKAGE_NAME = '@clip-vg/fusion-transformer';

export {
  boxArea,
  cxcywhToXyxy,
  cxcywhToXyxyBox,
  pairedGiou,
  pairedIou,
  xyxyToCxcywh,
  xyxyToCxcywhBox,
  type Box4,
  type IouParts,
} from './boxes';
export { groundingLoss, type GroundingLoss } from './losses';
export { accuracyAt05, evaluationIou, type GroundingAccuracy } from './metrics';
export { fusionKeyPaddingMask, textPaddingMask, visualPatchMask } from './masks';
