/**
 * Where a trained model's pieces come from, for the commands: the CLIP backbone (pretrained weights, or a
 * seeded random one for tiny configurations), the CLIP-VG configuration and the tokenizer vocabulary. The
 * source is recorded next to every checkpoint, so eval and reliability rebuild the same model from it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CLIP, CLIP_CONFIGS, ClipTokenizer, findCachedModel, type ClipConfig, type ClipModelName } from '@clip-vg/clip-encoders';
import { ClipVG, clipVGConfig, extractLayersFor, readProjectFolder, validateClipVGConfig, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { STATE_FILE } from './train/checkpoint';

/** A pretrained CLIP (file, folder or pulled hub name), or a random one rebuilt from its seed. */
export type ClipSource = { kind: 'pretrained'; path: string } | { kind: 'random'; seed: number };

export interface ModelSource {
  config: ClipVGConfig;
  clip: ClipSource;
  /** Tokenizer vocabulary (a file or a model folder), when known. */
  vocab?: string;
}

export interface ModelSourceOptions {
  /** Pretrained CLIP: a path or a hub name pulled with `clip-vg models pull`. */
  clip?: string;
  /** CLIP model name that fixes the extract layers (default `ViT-B/16`). */
  model?: string;
  /**
   * JSON file `{ "clip": ClipConfig | "ViT-B/16", "extractLayers"?: [...], ...ClipVGConfig overrides }` for a
   * model with a random CLIP (tiny experiments, tests). Without `clip`, this is required.
   */
  modelConfig?: string;
  vocab?: string;
  /** Seed of the random CLIP. */
  seed: number;
}

export function resolveModelSource(options: ModelSourceOptions): ModelSource {
  if (options.clip && options.modelConfig) throw new Error('pass a pretrained CLIP or a model config file, not both');
  const vocab = options.vocab && path.resolve(options.vocab);
  if (options.modelConfig) return { config: readModelConfig(options.modelConfig), clip: { kind: 'random', seed: options.seed }, vocab };
  if (!options.clip) throw new Error('no model: pass a pretrained CLIP (--clip PATH|NAME) or a model config file (--model-config FILE)');
  const clipPath = existsSync(options.clip) ? path.resolve(options.clip) : findCachedModel(options.clip);
  if (!clipPath) throw new Error(`${options.clip}: no such file or folder, and not in the model cache (run \`clip-vg models pull ${options.clip}\`)`);
  const model = options.model ?? 'ViT-B/16';
  const clipConfig = CLIP_CONFIGS[model as ClipModelName];
  if (!clipConfig) throw new Error(`unknown CLIP model "${model}" (expected ${Object.keys(CLIP_CONFIGS).join(', ')})`);
  return { config: clipVGConfig(clipConfig, extractLayersFor(model)), clip: { kind: 'pretrained', path: clipPath }, vocab: vocab ?? (statSync(clipPath).isDirectory() ? clipPath : undefined) };
}

export function readModelConfig(file: string): ClipVGConfig {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: cannot read the model config: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    const { clip, extractLayers, ...overrides } = json;
    const clipConfig = typeof clip === 'string' ? CLIP_CONFIGS[clip as ClipModelName] : (clip as ClipConfig | undefined);
    if (!clipConfig || typeof clipConfig !== 'object') throw new Error('"clip" must be a CLIP model name or a ClipConfig object');
    const layers = (extractLayers as number[] | undefined) ?? (typeof clip === 'string' ? extractLayersFor(clip) : undefined);
    if (!Array.isArray(layers)) throw new Error('"extractLayers" is required with a custom CLIP configuration');
    const config = clipVGConfig(clipConfig, layers, overrides as Partial<ClipVGConfig>);
    validateClipVGConfig(config);
    return config;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** A fresh, untrained model from the source; `seed` seeds the fusion initialisation. */
export async function createModelFromSource(source: ModelSource, seed: number): Promise<ClipVG> {
  return ClipVG.create(source.config, { seed, clip: await loadClip(source) });
}

export async function loadClip(source: ModelSource): Promise<CLIP> {
  if (source.clip.kind === 'random') return CLIP.random(source.config.clip, { seed: source.clip.seed });
  return CLIP.fromPretrained(source.clip.path);
}

/** JSON form stored in checkpoints. */
export function sourceMeta(source: ModelSource): Record<string, unknown> {
  return { modelSource: source };
}

/**
 * A trained model: a folder written by the trainer (CLIP rebuilt from its recorded source unless saved with
 * it, or `clip` given), another project folder, or an official `.pth` checkpoint.
 */
export async function loadTrainedModel(checkpoint: string, options: { clip?: string } = {}): Promise<{ model: ClipVG; source?: ModelSource }> {
  if (!existsSync(checkpoint)) throw new Error(`${checkpoint}: no such checkpoint`);
  const source = recordedSource(checkpoint);
  if (options.clip) return { model: await ClipVG.fromPretrained(checkpoint, { clip: options.clip }), source };
  const isFolder = existsSync(path.join(checkpoint, 'config.json'));
  if (isFolder && !readProjectFolder(checkpoint).includesClip) {
    if (!source) throw new Error(`${checkpoint}: saved without CLIP and without a recorded source; pass the CLIP weights (--clip)`);
    return { model: await ClipVG.fromPretrained(checkpoint, { clip: await loadClip(source) }), source };
  }
  return { model: await ClipVG.fromPretrained(checkpoint), source };
}

/** The model source recorded by the trainer in `best.json` or `training_state.json`, if any. */
export function recordedSource(dir: string): ModelSource | undefined {
  for (const name of ['best.json', STATE_FILE]) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { meta?: { modelSource?: ModelSource } };
      if (json.meta?.modelSource) return json.meta.modelSource;
    } catch {
      throw new Error(`${file}: invalid JSON`);
    }
  }
  return undefined;
}

/** The tokenizer: an explicit vocabulary, else the one recorded with the model source. */
export async function loadTokenizerFor(vocab: string | undefined, source: ModelSource | undefined): Promise<ClipTokenizer> {
  const from = vocab ?? source?.vocab;
  if (!from) throw new Error('no tokenizer vocabulary: pass --vocab FILE (bpe_simple_vocab_16e6.txt.gz, vocab.json or a model folder)');
  if (!existsSync(from)) throw new Error(`${from}: vocabulary not found`);
  return ClipTokenizer.load(from);
}
