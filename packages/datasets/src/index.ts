/** @clip-vg/datasets: visual-grounding datasets, split files, transforms and a synthetic grounding world. */
export type { GroundingRecord } from './record';
export * from './real';
export * from './converters';
export * from './synthetic';
export * from './augment';
export * from './pipeline';
