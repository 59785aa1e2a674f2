/**
 * The project's own CLIP folder: `model.safetensors` (OpenAI names, float32) and `config.json` (the
 * `ClipConfig` fields, tagged with `model_type`). Each file is streamed to a temporary name and renamed.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { ClipConfig } from '../model/config';
import { writeFileAtomic } from '@clip-vg/torch-io';
import { writeSafetensorsWeights } from './safetensors';
import type { WeightSource } from './source';

export const PROJECT_MODEL_TYPE = 'clip-vg-clip';
export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';

export interface ProjectConfigJson extends ClipConfig {
  model_type: typeof PROJECT_MODEL_TYPE;
  /** Which naming the safetensors use. */
  weight_names: 'openai';
}

export async function saveClip(dir: string, weights: WeightSource, config: ClipConfig): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeSafetensorsWeights(path.join(dir, WEIGHTS_FILE), weights, { format: 'pt', weight_names: 'openai' });
  const json: ProjectConfigJson = { model_type: PROJECT_MODEL_TYPE, weight_names: 'openai', ...config };
  writeFileAtomic(path.join(dir, CONFIG_FILE), `${JSON.stringify(json, null, 2)}\n`);
}
