import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateSyntheticWorld } from '@clip-vg/datasets';

/** A CLIP-VG with a 2-layer, 16-wide random CLIP: trains an epoch of a 10-image world in about a second. */
export const TINY_MODEL = {
  clip: {
    embedDim: 16,
    imageResolution: 32,
    visionLayers: 2,
    visionWidth: 16,
    visionPatchSize: 16,
    visionHeads: 2,
    contextLength: 77,
    vocabSize: 49408,
    transformerWidth: 16,
    transformerHeads: 2,
    transformerLayers: 1,
  },
  extractLayers: [0, 1],
  vlHeads: 2,
  vlLayers: 1,
  vlFfnDim: 32,
};

/** A tiny synthetic world in `root/world` and the model config in `root/tiny.json`. For tests. */
export async function tinyWorld(root: string, seed = 4): Promise<{ world: string; modelConfig: string }> {
  const world = path.join(root, 'world');
  await generateSyntheticWorld({ out: world, seed, train: 10, val: 3, test: 2, imageSize: 40 });
  const modelConfig = path.join(root, 'tiny.json');
  writeFileSync(modelConfig, JSON.stringify(TINY_MODEL));
  return { world, modelConfig };
}
