/**
 * Finding and reading CLIP weights on disk: files (`.pth`/`.pt`/`.bin` through `loadPth`, `.safetensors`),
 * folders (Hugging Face or this project's `save` output) and hub names resolved through the model cache.
 * Returns the raw state dict plus the configuration hints that the weight shapes cannot give.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { loadPth, type PyValue } from '@clip-vg/torch-io';
import { modelCacheDir } from '../hub/cache';
import type { ClipConfig } from '../model/config';
import { hfConfigOverrides, isHFConfig } from './hf-config';
import { readSafetensorsWeights } from './safetensors';
import { CONFIG_FILE, PROJECT_MODEL_TYPE, WEIGHTS_FILE } from './save';
import { isWeightTensor } from './source';
import { isTorchScriptModule, torchScriptStateDict } from './torchscript';

export interface PretrainedOptions {
  /** Model cache root for hub names (default `$CLIP_VG_CACHE` or `~/.cache/clip-vg`). */
  cacheDir?: string;
  /** Hub revision for hub names (default `main`). */
  revision?: string;
}

export interface LoadedWeights {
  /** Name → tensor-like, in whatever naming the file uses; possibly a whole checkpoint's state dict. */
  weights: Record<string, unknown>;
  /** Configuration hints from a `config.json`. */
  config: Partial<ClipConfig>;
  /** The file the weights came from, for error messages. */
  origin: string;
}

const HUB_NAME = /^[\w.-]+\/[\w.-]+$/;
const WEIGHT_FILES_BY_PREFERENCE = [WEIGHTS_FILE, 'pytorch_model.bin'];
const WEIGHT_EXTENSIONS = ['.safetensors', '.pth', '.pt', '.bin'];

export async function loadPretrained(pathOrName: string, options: PretrainedOptions = {}): Promise<LoadedWeights> {
  if (existsSync(pathOrName)) {
    return statSync(pathOrName).isDirectory() ? loadFolder(pathOrName) : loadFile(pathOrName, {});
  }
  if (HUB_NAME.test(pathOrName)) {
    const dir = modelCacheDir(pathOrName, options);
    if (existsSync(dir)) return loadFolder(dir);
    throw new Error(`${pathOrName}: not in the cache; run \`clip-vg models pull ${pathOrName}\``);
  }
  throw new Error(`${pathOrName}: no such file or folder`);
}

async function loadFolder(dir: string): Promise<LoadedWeights> {
  const config = readConfigJson(path.join(dir, CONFIG_FILE));
  const preferred = WEIGHT_FILES_BY_PREFERENCE.find((name) => existsSync(path.join(dir, name)));
  const candidates = preferred ? [preferred] : readdirSync(dir).filter((name) => WEIGHT_EXTENSIONS.includes(path.extname(name)));
  if (candidates.length === 0) throw new Error(`${dir}: no ${WEIGHTS_FILE}, pytorch_model.bin, .pth or .pt file in the folder`);
  if (candidates.length > 1) throw new Error(`${dir}: several weight files (${candidates.join(', ')}); pass one of them`);
  return loadFile(path.join(dir, candidates[0]), config);
}

async function loadFile(file: string, folderConfig: Partial<ClipConfig>): Promise<LoadedWeights> {
  if (path.extname(file) === '.safetensors') {
    const besideConfig = path.join(path.dirname(file), CONFIG_FILE);
    const config = Object.keys(folderConfig).length ? folderConfig : readConfigJson(besideConfig);
    return { weights: readSafetensorsWeights(file).tensors, config, origin: file };
  }
  // loadPth's errors already name the file.
  return { weights: findStateDict(loadPth(file), file), config: folderConfig, origin: file };
}

/**
 * The state dict inside what `torch.load` returned: itself, a training checkpoint's `model`/`state_dict`, or
 * the module tree of a TorchScript archive.
 */
export function findStateDict(loaded: unknown, origin: string): Record<string, unknown> {
  const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const hasTensors = (x: Record<string, unknown>) => Object.values(x).some(isWeightTensor);
  if (isTorchScriptModule(loaded)) return torchScriptStateDict(loaded as PyValue);
  if (loaded instanceof Map) loaded = Object.fromEntries(loaded);
  if (isRecord(loaded)) {
    // Training checkpoints first: their top level can hold tensors too (CLIP-VG's `val_accu`).
    for (const key of ['model', 'state_dict', 'model_state_dict']) {
      let inner = loaded[key];
      if (inner instanceof Map) inner = Object.fromEntries(inner);
      if (isRecord(inner) && hasTensors(inner)) return inner;
    }
    if (hasTensors(loaded)) return loaded;
  }
  throw new Error(`${origin}: no state dict found (expected tensors at the top level or under "model" / "state_dict")`);
}

function readConfigJson(file: string): Partial<ClipConfig> {
  if (!existsSync(file)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file}: not valid JSON`);
  }
  if (isHFConfig(json)) return hfConfigOverrides(json, file);
  const record = json as Record<string, unknown>;
  if (record.model_type === PROJECT_MODEL_TYPE) {
    const { model_type: _type, weight_names: _names, ...config } = record;
    return config as Partial<ClipConfig>;
  }
  throw new Error(`${file}: neither a Hugging Face CLIP config nor a clip-vg CLIP config (model_type "${String(record.model_type)}")`);
}
