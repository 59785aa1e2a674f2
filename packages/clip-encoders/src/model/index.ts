// Public API of the model module: the CLIP model and its configuration.
export { CLIP, type FromStateDictOptions, type RandomClipOptions } from '../clip';
export { CLIP_CONFIGS, inferClipConfig, validateClipConfig, type ClipConfig, type ClipModelName, type ShapeSource } from './config';
export { clipParameterShapes } from './parameter-shapes';
export { ParameterStore } from './params';
