/**
 * Where a trained model's pieces come from, for the commands: the CLIP backbone (pretrained weights, or a
 * seeded random one for tiny configurations), the CLIP-VG configuration and the tokenizer vocabulary. The
 * source is recorded next to every checkpoint, so eval and reliability rebuild the same model from it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CLIP, CLIP_CONFIGS, ClipTokenizer, findCachedModel, type ClipConfig, type ClipModelName } from '@clip-vg/clip-encoders';
import {
  ClipVG,
  clipVGConfig,
  extractLayersFor,
  readProjectConfig,
  readProjectFolder,
  validateClipVGConfig,
  type ClipVGConfig,
} from '@clip-vg/fusion-transformer';
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
  return {
    config: clipVGConfig(clipConfig, extractLayersFor(model)),
    clip: { kind: 'pretrained', path: clipPath },
    vocab: vocab ?? (statSync(clipPath).isDirectory() ? clipPath : undefined),
  };
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
 * The folder (or file) that holds a model's weights, from whatever a user points at: an official `.pth` (or any
 * file), a project folder (`config.json` + `model.safetensors`: `checkpoint convert`, or a trainer's
 * `best_checkpoint/` / `checkpoint/`), the output folder of `clip-vg train` (its `best_checkpoint/`, else its
 * `checkpoint/`) or of `clip-vg curriculum` (its `model/`). Errors name the path and what was looked for.
 */
export function resolveCheckpoint(checkpoint: string): string {
  if (!existsSync(checkpoint)) throw new Error(`${checkpoint}: no such checkpoint (file or folder)`);
  if (!statSync(checkpoint).isDirectory()) return checkpoint;
  if (existsSync(path.join(checkpoint, 'config.json'))) return checkpoint;
  for (const inner of ['best_checkpoint', 'checkpoint', 'model']) {
    const candidate = path.join(checkpoint, inner);
    if (existsSync(path.join(candidate, 'config.json'))) return candidate;
  }
  throw new Error(`${checkpoint}: not a CLIP-VG checkpoint (no config.json, best_checkpoint/, checkpoint/ or model/ inside)`);
}

/**
 * The CLIP backbone named by `spec`: OpenAI / CLIP-VG `.pth`, a Hugging Face folder or `.safetensors`, a hub name
 * pulled with `clip-vg models pull`, or any CLIP-VG checkpoint (`checkpoint convert` folder with CLIP, `train`
 * output saved with or without CLIP: then its recorded source).
 */
export async function loadClipFrom(spec: string): Promise<CLIP> {
  let folder: string | undefined;
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    try {
      folder = resolveCheckpoint(spec);
    } catch {
      folder = undefined; // not a CLIP-VG folder: a Hugging Face CLIP folder, read below
    }
  }
  if (folder === undefined) return CLIP.fromPretrained(spec);
  const project = readProjectFolder(folder);
  if (project.includesClip) return CLIP.fromStateDict(project.weights as unknown as Record<string, unknown>, { origin: folder });
  const source = recordedSource(folder);
  if (!source) throw new Error(`${spec}: holds no CLIP weights and records no CLIP source`);
  return loadClip(source);
}

/**
 * The one model loader: any checkpoint `resolveCheckpoint` accepts. CLIP comes from the weights when they hold
 * it, else from `clip` (see `loadClipFrom`), else from the source the trainer recorded next to the weights.
 * Returns the model, the folder or file it came from and the recorded source (vocabulary, CLIP) if any.
 */
export async function loadTrainedModel(
  checkpoint: string,
  options: { clip?: string } = {},
): Promise<{ model: ClipVG; source?: ModelSource; checkpoint: string; includesClip: boolean }> {
  const resolved = resolveCheckpoint(checkpoint);
  const isFolder = statSync(resolved).isDirectory();
  const source = isFolder ? recordedSource(resolved) : undefined;
  const includesClip = !isFolder || readProjectConfig(resolved).includesClip;
  if (options.clip) {
    const clip = await loadClipFrom(options.clip);
    try {
      const model = isFolder ? await ClipVG.fromPretrained(resolved, { clip }) : ClipVG.fromCheckpoint(resolved, { clip });
      return { model, source, checkpoint: resolved, includesClip };
    } catch (error) {
      clip.dispose();
      throw error;
    }
  }
  if (!includesClip) {
    if (!source) throw new Error(`${resolved}: saved without CLIP weights and without a recorded CLIP source; pass the CLIP weights (--clip PATH|NAME)`);
    return { model: await ClipVG.fromPretrained(resolved, { clip: await loadClip(source) }), source, checkpoint: resolved, includesClip };
  }
  return { model: await ClipVG.fromPretrained(resolved), source, checkpoint: resolved, includesClip };
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
export async function loadTokenizerFor(vocab: string | undefined, source: ModelSource | undefined, checkpoint?: string): Promise<ClipTokenizer> {
  const from = vocab ?? source?.vocab;
  if (!from) {
    const what = checkpoint ? `${checkpoint}: records no tokenizer vocabulary` : 'no tokenizer vocabulary';
    throw new Error(`${what}; pass --vocab FILE (bpe_simple_vocab_16e6.txt.gz, vocab.json or a model folder)`);
  }
  if (!existsSync(from)) throw new Error(`${from}: vocabulary not found`);
  return ClipTokenizer.load(from);
}
