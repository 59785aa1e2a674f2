/**
 * Small CLIP configurations that tests in several packages build on. The published packages keep their own copies
 * where their sources need one (`@clip-vg/onnx-engine`'s `TINY_CLIP`, `@clip-vg/experiments`' `demoClipConfig()`):
 * they never depend on this package.
 */
import type { ClipConfig } from '@clip-vg/clip-encoders';

/** The CLIP of the tiny golden model (`../shared/golden/clipvg-tiny`): 64 px, patch 16, 12 layers a tower, OpenAI's vocabulary. */
export const GOLDEN_TINY_CLIP: ClipConfig = {
  embedDim: 64,
  imageResolution: 64,
  visionLayers: 12,
  visionWidth: 128,
  visionPatchSize: 16,
  visionHeads: 2,
  contextLength: 77,
  vocabSize: 49408,
  transformerWidth: 64,
  transformerHeads: 1,
  transformerLayers: 12,
};

/** The demo's tiny CLIP shape (48 px, patch 8: 37 visual tokens of width 64; 16 text tokens of 64) with a 20-id vocabulary. */
export const DEMO_SHAPE_CLIP: ClipConfig = {
  embedDim: 64,
  imageResolution: 48,
  visionLayers: 4,
  visionWidth: 64,
  visionPatchSize: 8,
  visionHeads: 1,
  contextLength: 16,
  vocabSize: 20,
  transformerWidth: 64,
  transformerHeads: 2,
  transformerLayers: 2,
};
