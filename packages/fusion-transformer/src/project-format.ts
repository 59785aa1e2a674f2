import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readSafetensorsWeights, writeSafetensorsWeights, type WeightSource } from '@clip-vg/clip-encoders';
import { validateClipVGConfig, type ClipVGConfig } from './config';
import { writeFileAtomic } from '@clip-vg/torch-io';

/**
 * The project's own checkpoint: a folder with `model.safetensors` (CLIP-VG's weights under their official
 * names, the trained `clip.visual.positional_embedding`, optionally every CLIP weight under `clip.`) and
 * `config.json`.
 */
export const PROJECT_WEIGHTS_FILE = 'model.safetensors';
export const PROJECT_CONFIG_FILE = 'config.json';
export const PROJECT_FORMAT = 'clip-vg';
export const PROJECT_FORMAT_VERSION = 1;

export interface ProjectConfigJson {
  format: typeof PROJECT_FORMAT;
  formatVersion: number;
  /** Whether `model.safetensors` holds the frozen CLIP weights too. */
  includesClip: boolean;
  config: ClipVGConfig;
}

export function isProjectFolder(fileOrDir: string): boolean {
  return existsSync(fileOrDir) && statSync(fileOrDir).isDirectory();
}

/** Write the weights, then the config (each atomically), so a folder with a config always has its weights. */
export function writeProjectFolder(dir: string, weights: WeightSource, config: ClipVGConfig, includesClip: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensorsWeights(path.join(dir, PROJECT_WEIGHTS_FILE), weights, { format: 'pt', producer: '@clip-vg/fusion-transformer' });
  const json: ProjectConfigJson = { format: PROJECT_FORMAT, formatVersion: PROJECT_FORMAT_VERSION, includesClip, config };
  writeFileAtomic(path.join(dir, PROJECT_CONFIG_FILE), `${JSON.stringify(json, null, 2)}\n`);
}

export interface ProjectFolder {
  config: ClipVGConfig;
  includesClip: boolean;
  weights: WeightSource;
}

/** Read and check a project folder's `config.json` alone (no weights); errors name the file and the problem. */
export function readProjectConfig(dir: string): ProjectConfigJson {
  const configFile = path.join(dir, PROJECT_CONFIG_FILE);
  if (!existsSync(configFile)) throw new Error(`${dir}: not a CLIP-VG model folder (no ${PROJECT_CONFIG_FILE})`);
  let json: ProjectConfigJson;
  try {
    json = JSON.parse(readFileSync(configFile, 'utf8')) as ProjectConfigJson;
  } catch (error) {
    throw new Error(`${configFile}: invalid JSON: ${(error as Error).message}`);
  }
  if (json.format !== PROJECT_FORMAT || typeof json.config !== 'object' || json.config === null) {
    throw new Error(`${configFile}: not a CLIP-VG config (format "${String(json.format)}")`);
  }
  if (json.formatVersion > PROJECT_FORMAT_VERSION) {
    throw new Error(`${configFile}: format version ${json.formatVersion} is newer than this reader (${PROJECT_FORMAT_VERSION})`);
  }
  try {
    validateClipVGConfig(json.config);
  } catch (error) {
    throw new Error(`${configFile}: ${(error as Error).message}`);
  }
  return json;
}

/** Read and check a project folder; errors name the file and the problem. */
export function readProjectFolder(dir: string): ProjectFolder {
  const json = readProjectConfig(dir);
  const weightsFile = path.join(dir, PROJECT_WEIGHTS_FILE);
  if (!existsSync(weightsFile)) throw new Error(`${dir}: ${PROJECT_WEIGHTS_FILE} is missing`);
  let weights: WeightSource;
  try {
    weights = readSafetensorsWeights(weightsFile).tensors;
  } catch (error) {
    throw new Error(`${weightsFile}: ${(error as Error).message.split('\n')[0]}`);
  }
  return { config: json.config, includesClip: Boolean(json.includesClip), weights };
}
