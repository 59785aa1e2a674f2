/** Test helpers: a tiny CLIP-VG, a word-hash tokenizer (no vocabulary file needed) and a small synthetic world. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ClipConfig } from '@clip-vg/clip-encoders';
import { generateSyntheticWorld, type TextTokenizer } from '@clip-vg/datasets';
import { ClipVG, clipVGConfig, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { loadGroundingSplit, type LoadedSplit } from '../src/data/splits';

export const TINY_CLIP: ClipConfig = {
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
};

export const TINY_CONFIG: ClipVGConfig = clipVGConfig(TINY_CLIP, [0, 1], { vlHeads: 2, vlLayers: 1, vlFfnDim: 32 });

export function tinyModel(seed = 1): ClipVG {
  return ClipVG.create(TINY_CONFIG, { seed });
}

/** SOT, one id per word (a hash), EOT, zero padding: deterministic and vocabulary-free. */
export const wordTokenizer: TextTokenizer = {
  tokenize(texts, { contextLength = 77 }) {
    const ids = new Int32Array(texts.length * contextLength);
    const mask = new Uint8Array(texts.length * contextLength);
    texts.forEach((text, row) => {
      const words = text
        .toLowerCase()
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, contextLength - 2);
      const tokens = [49406, ...words.map((w) => 1 + ([...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 49000)), 49407];
      tokens.forEach((t, k) => {
        ids[row * contextLength + k] = t;
        mask[row * contextLength + k] = 1;
      });
    });
    return { ids, mask };
  },
};

export interface TinyWorld {
  root: string;
  imageDir: string;
  train: LoadedSplit;
  val: LoadedSplit;
  pseudo: LoadedSplit;
}

export async function tinyWorld(options: { train?: number; val?: number } = {}): Promise<TinyWorld> {
  const root = mkdtempSync(path.join(tmpdir(), 'clip-vg-training-'));
  const { files } = await generateSyntheticWorld({ out: root, seed: 3, train: options.train ?? 4, val: options.val ?? 2, test: 0, imageSize: 40 });
  const load = (split: string) => loadGroundingSplit({ dataset: 'synthetic', split, splitRoot: root, dataRoot: files.imageDir });
  return { root, imageDir: files.imageDir, train: load('train'), val: load('val'), pseudo: load('train_pseudo') };
}
