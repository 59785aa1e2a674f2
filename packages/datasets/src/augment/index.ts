// Training augmentation and the deterministic eval transform.
export { evalTransform, trainTransform, DIRECTION_WORDS, type AugmentOptions, type TransformedSample, type EvalSample } from './transforms';
export { multiScaleSizes, randomResize, randomSizeCrop, resizeWithBox, type BoxXyxy, type ImageWithBox } from './geometric';
export { colorJitter, randomBlur, DEFAULT_COLOR_JITTER, type ColorJitterOptions } from './color';
