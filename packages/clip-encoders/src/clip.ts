/**
 * OpenAI CLIP (ViT image tower + causal text tower) on TensorFlow.js, with CLIP-VG's multi-level image output.
 * Weights live in `tf.Variable`s under OpenAI's state-dict names, frozen unless made trainable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { inferClipConfig, validateClipConfig, type ClipConfig } from './model/config';
import { clipParameterShapes, OPENAI_METADATA_KEYS } from './model/parameter-shapes';
import { ParameterStore } from './model/params';
import { encodeText, encodeTextTokens } from './model/text-transformer';
import { encodeImage, visualBlockOutputs } from './model/vision-transformer';
import { hfToOpenAIStateDict, isHFStateDict } from './weights/hf-mapping';
import { checkWeights } from './weights/validate';
import { stripPrefix, weightTensor, type WeightSource } from './weights/source';
import { loadPretrained, type PretrainedOptions } from './weights/pretrained';
import { saveClip } from './weights/save';

export interface FromStateDictOptions {
  /**
   * Prefix of the CLIP weights (CLIP-VG: `clip.`). Default: found from where `visual.conv1.weight` (or HF's
   * patch embedding) sits, so a whole CLIP-VG checkpoint can be passed as it is.
   */
  prefix?: string;
  /** Overrides of the inferred configuration; heads must be given when they are not width / 64. */
  config?: Partial<ClipConfig>;
  /** Initial trainability of every parameter (default false: CLIP is a frozen backbone). */
  trainable?: boolean;
  /** Named in error messages (the file the weights came from). */
  origin?: string;
}

export interface RandomClipOptions {
  seed?: number;
  trainable?: boolean;
}

/** Names that locate the CLIP weights inside a bigger state dict, in either naming. */
const ANCHORS = ['visual.conv1.weight', 'vision_model.embeddings.patch_embedding.weight'];

function detectPrefix(source: Record<string, unknown>): string {
  for (const key of Object.keys(source)) {
    for (const anchor of ANCHORS) if (key.endsWith(anchor)) return key.slice(0, key.length - anchor.length);
  }
  return '';
}

export class CLIP {
  private readonly store: ParameterStore;

  private constructor(
    readonly config: ClipConfig,
    private readonly params: Map<string, tf.Variable>,
  ) {
    this.store = new ParameterStore(params);
  }

  /**
   * Build from a state dict in OpenAI or Hugging Face naming (`TorchTensor`s from `loadPth`, safetensors
   * entries, ...). Throws one line listing missing, unexpected and mis-shaped weights.
   */
  static fromStateDict(stateDict: Record<string, unknown>, options: FromStateDictOptions = {}): CLIP {
    const origin = options.origin ?? 'state dict';
    const prefix = options.prefix ?? detectPrefix(stateDict);
    let source = stripPrefix(stateDict, prefix);
    if (Object.keys(source).length === 0) throw new Error(`${origin}: no CLIP weights found under the prefix "${prefix}"`);
    if (isHFStateDict(source)) source = hfToOpenAIStateDict(source);
    let config: ClipConfig;
    try {
      config = inferClipConfig(source, options.config);
    } catch (error) {
      throw new Error(`${origin}: ${(error as Error).message}`);
    }
    const shapes = clipParameterShapes(config);
    checkWeights(origin, shapes, source, OPENAI_METADATA_KEYS);
    const params = new Map<string, tf.Variable>();
    try {
      for (const name of shapes.keys()) {
        const entry = source[name];
        params.set(name, makeVariable(tf.tensor(entry.toFloat32Array(), entry.shape, 'float32'), options.trainable ?? false));
      }
    } catch (error) {
      for (const variable of params.values()) variable.dispose();
      throw error;
    }
    return new CLIP(config, params);
  }

  /**
   * Load from a file or folder: an OpenAI or CLIP-VG `.pth`/`.pt`, a Hugging Face folder or `.safetensors`,
   * or a folder written by `save`. A hub name (`openai/clip-vit-base-patch16`) is looked up in the model cache.
   */
  static async fromPretrained(pathOrName: string, options: PretrainedOptions & FromStateDictOptions = {}): Promise<CLIP> {
    const loaded = await loadPretrained(pathOrName, options);
    return CLIP.fromStateDict(loaded.weights, {
      ...options,
      origin: loaded.origin,
      config: { ...loaded.config, ...options.config },
    });
  }

  /** A model with random weights (tests, benchmarks, shape checks). LayerNorms are randomised too. */
  static random(config: ClipConfig, options: RandomClipOptions = {}): CLIP {
    validateClipConfig(config);
    const seed = options.seed ?? 0;
    const params = new Map<string, tf.Variable>();
    let index = 0;
    for (const [name, shape] of clipParameterShapes(config)) {
      const isNormScale = /(ln_\w+|ln_final)\.weight$/.test(name);
      const value =
        name === 'logit_scale'
          ? tf.scalar(Math.log(1 / 0.07))
          : // + 1: tfjs treats a seed of 0 as "no seed" and draws from Math.random
            tf.randomNormal(shape, isNormScale ? 1 : 0, isNormScale ? 0.1 : 0.02, 'float32', seed * 7919 + index + 1);
      params.set(name, makeVariable(value, options.trainable ?? false));
      index++;
    }
    return new CLIP(config, params);
  }

  /** Images NHWC [B, H, W, 3] (ImageNet- or CLIP-normalised) → CLIP image embeddings [B, embedDim]. */
  encodeImage(images: tf.Tensor4D): tf.Tensor2D {
    return encodeImage(images, this.live(), this.config);
  }

  /** Images → the outputs of the given blocks (0-based), each [B, 1 + P, visionWidth], without `ln_post`. */
  encodeImageLayers(images: tf.Tensor4D, layers: number[]): tf.Tensor3D[] {
    return visualBlockOutputs(images, this.live(), this.config, layers);
  }

  /** Token ids int32 [B, L] → the EOT token's embedding [B, embedDim]. */
  encodeText(ids: tf.Tensor2D): tf.Tensor2D {
    return encodeText(ids, this.live(), this.config);
  }

  /** Token ids int32 [B, L] → `ln_final` + `text_projection` of every token [B, L, embedDim]. */
  encodeTextTokens(ids: tf.Tensor2D): tf.Tensor3D {
    return encodeTextTokens(ids, this.live(), this.config);
  }

  /** Every parameter by OpenAI name (a new map; the variables are the model's own). */
  variables(): Map<string, tf.Variable> {
    return new Map(this.params);
  }

  /**
   * Freeze or unfreeze the parameters whose names pass `filter`. Frozen weights are read through a cache of
   * their transposes (see `ParameterStore`), which keeps a second copy of each matrix.
   */
  setTrainable(filter: (name: string) => boolean, trainable: boolean): void {
    for (const [name, variable] of this.params) if (filter(name)) variable.trainable = trainable;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.params.values()].filter((variable) => variable.trainable);
  }

  /** The weights as a lazy state dict in OpenAI naming (data is read from the backend on demand). */
  stateDict(): WeightSource {
    const out: WeightSource = {};
    for (const [name, variable] of this.params) {
      out[name] = weightTensor([...variable.shape], () => variable.dataSync() as Float32Array);
    }
    return out;
  }

  /** Write `model.safetensors` (OpenAI names, float32) and `config.json` into `dir`, each atomically. */
  async save(dir: string): Promise<void> {
    await saveClip(dir, this.stateDict(), this.config);
  }

  dispose(): void {
    this.store.clearCache();
    for (const variable of this.params.values()) variable.dispose();
    this.params.clear();
  }

  private live(): ParameterStore {
    if (this.params.size === 0) throw new Error('CLIP: the model has been disposed');
    return this.store;
  }
}

/** Wrap a tensor as a variable; the variable takes over the tensor's data, so the tensor is released. */
function makeVariable(value: tf.Tensor, trainable: boolean): tf.Variable {
  const variable = tf.variable(value, trainable);
  value.dispose();
  return variable;
}
