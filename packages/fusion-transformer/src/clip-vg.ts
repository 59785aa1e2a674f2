import * as tf from '@tensorflow/tfjs-core';
import { CLIP, ParameterStore, type WeightSource, type WeightTensor } from '@clip-vg/clip-encoders';
import type { PyValue } from '@clip-vg/torch-io';
import { boxHead } from './box-head';
import { readOfficialCheckpoint, type ConfigOverrides } from './checkpoint';
import { patchGrid, sequenceLength, validateClipVGConfig, type ClipVGConfig } from './config';
import { initialise } from './init';
import { linear } from './layers';
import { clipVGLayout, TRAINABLE_CLIP_PARAMETERS } from './layout';
import { fusionKeyPaddingMask } from './masks';
import { isProjectFolder, readProjectFolder, writeProjectFolder } from './project-format';
import { SeededRandom } from './random';
import { vlTransformer } from './vl-transformer';

export interface CreateOptions {
  /** Seed of the fresh initialisation (fusion and CLIP). Default 0. */
  seed?: number;
  /** Use this CLIP backbone instead of a random one (the model takes ownership). */
  clip?: CLIP;
}

export interface FromStateDictOptions {
  /** The full configuration: a plain state dict carries no `args`. */
  config: ClipVGConfig;
  /** Use this CLIP instead of reading `clip.*` from the state dict (the model takes ownership). */
  clip?: CLIP;
  /** Named in error messages. */
  origin?: string;
}

export interface LoadOptions {
  /** Settings that win over the checkpoint's `args` and shapes (e.g. heads of a non-standard CLIP). */
  config?: ConfigOverrides;
  /**
   * The CLIP backbone when the weights do not carry it (a project folder saved without CLIP): a `CLIP`
   * (the model takes ownership) or a path / hub name for `CLIP.fromPretrained`.
   */
  clip?: CLIP | string;
}

/**
 * CLIP-VG (`ML_CLIP_VG`): frozen CLIP, multi-level visual tokens and text tokens projected to D, a [REG]
 * token, a 6-layer post-norm vision-language transformer and a box MLP.
 *
 * The forward pass is split so that callers can cache frozen CLIP features:
 * `predict = fuse(encodeVisual(images), encodeText(ids), pixelMask, ids)`.
 */
export class ClipVG {
  private constructor(
    readonly config: ClipVGConfig,
    readonly clip: CLIP,
    private readonly params: ParameterStore,
  ) {
    // Frozen CLIP, except the visual positional embedding the original un-freezes.
    clip.setTrainable(() => true, false);
    clip.setTrainable((name) => TRAINABLE_CLIP_PARAMETERS.includes(name), true);
  }

  /** A freshly initialised model, as the original initialises it (Xavier in the fusion encoder, PyTorch defaults elsewhere). */
  static create(config: ClipVGConfig, options: CreateOptions = {}): ClipVG {
    validateClipVGConfig(config);
    const seed = options.seed ?? 0;
    const clip = options.clip ?? CLIP.random(config.clip, { seed });
    const rng = new SeededRandom(seed);
    const params = new ParameterStore();
    for (const spec of clipVGLayout(config)) {
      const value = initialise(spec, rng);
      params.add(spec.name, value);
      value.dispose();
    }
    return new ClipVG(config, clip, params);
  }

  /**
   * From a state dict in the official naming (`text_proj.weight`, ..., CLIP under `clip.`). Every CLIP-VG
   * weight must be present with the configured shape; extra keys (the original's duplicate
   * `image_encoder_clip_vg.*` / `text_encoder_clip_vg.*` views of CLIP) are ignored.
   */
  static fromStateDict(stateDict: Record<string, unknown>, options: FromStateDictOptions): ClipVG {
    const { config } = options;
    const origin = options.origin ?? 'state dict';
    validateClipVGConfig(config);
    const layout = clipVGLayout(config);
    const problems: string[] = [];
    for (const spec of layout) {
      const entry = stateDict[spec.name] as WeightTensor | undefined;
      if (!entry || typeof entry.toFloat32Array !== 'function') problems.push(`missing ${spec.name}`);
      else if (!tf.util.arraysEqual([...entry.shape], spec.shape)) {
        problems.push(`${spec.name} has shape [${entry.shape}], expected [${spec.shape}]`);
      }
    }
    if (problems.length > 0) {
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
      throw new Error(`${origin}: not a CLIP-VG state dict for this configuration: ${problems.slice(0, 3).join('; ')}${more}`);
    }
    const clip =
      options.clip ??
      CLIP.fromStateDict(stateDict, {
        prefix: 'clip.',
        origin,
        config: { visionHeads: config.clip.visionHeads, transformerHeads: config.clip.transformerHeads },
      });
    const params = new ParameterStore();
    try {
      for (const spec of layout) {
        const entry = stateDict[spec.name] as WeightTensor;
        const value = tf.tensor(entry.toFloat32Array(), spec.shape, 'float32');
        params.add(spec.name, value);
        value.dispose();
      }
      // A trained visual positional embedding stored beside separately supplied CLIP weights wins.
      for (const name of TRAINABLE_CLIP_PARAMETERS) {
        const entry = stateDict[`clip.${name}`] as WeightTensor | undefined;
        const target = clip.variables().get(name);
        if (options.clip && entry && target) {
          if (!tf.util.arraysEqual([...entry.shape], target.shape)) {
            throw new Error(`${origin}: clip.${name} has shape [${entry.shape}], expected [${target.shape}]`);
          }
          tf.tidy(() => target.assign(tf.tensor(entry.toFloat32Array(), target.shape, 'float32')));
        }
      }
    } catch (error) {
      params.dispose();
      if (!options.clip) clip.dispose();
      throw error;
    }
    return new ClipVG({ ...config, clip: clip.config }, clip, params);
  }

  /**
   * From an official CLIP-VG checkpoint (`{'model', 'optimizer', 'lr_scheduler', 'epoch', 'args', 'val_accu'}`)
   * or a plain state dict, as a file or an already decoded value. The configuration comes from `args`
   * (model name → extract layers, imsize, max_query_len, vl_*) and the tensor shapes; `options.config` wins.
   */
  static fromCheckpoint(source: string | PyValue, options: Omit<LoadOptions, 'clip'> & { clip?: CLIP } = {}): ClipVG {
    const checkpoint = readOfficialCheckpoint(source, options.config);
    return ClipVG.fromStateDict(checkpoint.stateDict, {
      config: checkpoint.config,
      clip: options.clip,
      origin: typeof source === 'string' ? source : 'checkpoint',
    });
  }

  /** From an official `.pth` checkpoint or a project folder written by `save`. */
  static async fromPretrained(fileOrDir: string, options: LoadOptions = {}): Promise<ClipVG> {
    if (!isProjectFolder(fileOrDir)) {
      if (typeof options.clip === 'string') throw new Error(`${fileOrDir}: options.clip as a path applies to project folders only`);
      return ClipVG.fromCheckpoint(fileOrDir, { config: options.config, clip: options.clip });
    }
    const folder = readProjectFolder(fileOrDir);
    const { clip: clipOverrides, ...rest } = options.config ?? {};
    const config: ClipVGConfig = { ...folder.config, ...rest, clip: { ...folder.config.clip, ...clipOverrides } };
    const clip = typeof options.clip === 'string' ? await CLIP.fromPretrained(options.clip) : options.clip;
    if (!clip && !folder.includesClip) {
      throw new Error(`${fileOrDir}: the folder was saved without CLIP weights; pass options.clip (a CLIP or its weights path)`);
    }
    return ClipVG.fromStateDict(folder.weights, { config, clip, origin: fileOrDir });
  }

  /**
   * Write the project format into `dir`: `model.safetensors` (CLIP-VG's weights and the trained visual
   * positional embedding; every CLIP weight too with `includeClip`) and `config.json`, each atomically.
   */
  async save(dir: string, options: { includeClip?: boolean } = {}): Promise<void> {
    const includeClip = options.includeClip ?? false;
    const weights = Object.fromEntries(
      Object.entries(this.stateDict({ includeClip })).map(([name, w]) => [name, { shape: [...w.shape], toFloat32Array: w.toFloat32Array }]),
    );
    writeProjectFolder(dir, weights, this.config, includeClip);
  }

  /** Images NHWC `[B, imsize, imsize, 3]` (ImageNet-normalised) → multi-level tokens `[B, 1 + P, layers · visionWidth]`. */
  encodeVisual(images: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => tf.concat(this.clip.encodeImageLayers(images, this.config.extractLayers), 2) as tf.Tensor3D);
  }

  /** Token ids int32 `[B, L]` → CLIP text tokens `[B, L, embedDim]` (every token, after `text_projection`). */
  encodeText(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.clip.encodeTextTokens(tf.cast(ids, 'int32') as tf.Tensor2D));
  }

  /**
   * The fused sequence `[B, S, D]` (S = 1 + L + 1 + P) from CLIP features; index 0 is the [REG] token.
   * `pixelMask` `[B, imsize, imsize]` is 1 on padding; `ids` `[B, L]` marks text padding with 0.
   */
  fuseSequence(visual: tf.Tensor3D, text: tf.Tensor3D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D, training = false): tf.Tensor3D {
    this.checkFuseInputs(visual, text, pixelMask, ids);
    const { config, params } = this;
    return tf.tidy(() => {
      const batch = visual.shape[0];
      const d = config.hiddenDim;
      const visualTokens = linear(visual, params, 'ml_visu_proj'); // [B, 1+P, D]
      const textTokens = linear(text, params, 'text_proj'); // [B, L, D]
      const reg = tf.broadcastTo(tf.reshape(params.get('reg_token.weight'), [1, 1, d]), [batch, 1, d]); // [B, 1, D]
      const src = tf.concat([reg, textTokens, visualTokens], 1) as tf.Tensor3D; // [B, S, D]
      const keyPaddingMask = fusionKeyPaddingMask(ids, pixelMask, patchGrid(config)); // [B, S]
      const pos = tf.reshape(params.get('vl_pos_embed.weight'), [1, sequenceLength(config), d]) as tf.Tensor3D;
      const shape = { width: d, heads: config.vlHeads, layers: config.vlLayers, ffnDim: config.vlFfnDim, dropout: config.dropout };
      return vlTransformer(src, pos, keyPaddingMask, params, shape, training);
    });
  }

  /** CLIP features → boxes `[B, 4]`, normalised cxcywh in (0, 1) relative to the padded square. */
  fuse(visual: tf.Tensor3D, text: tf.Tensor3D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const fused = this.fuseSequence(visual, text, pixelMask, ids, training);
      const reg = tf.reshape(tf.slice(fused, [0, 0, 0], [-1, 1, -1]), [fused.shape[0], this.config.hiddenDim]) as tf.Tensor2D;
      return boxHead(reg, this.params);
    });
  }

  /** The whole model: images NHWC, pixel mask `[B, H, W]` (1 = padding), ids `[B, L]` → boxes `[B, 4]` cxcywh. */
  predict(images: tf.Tensor4D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => this.fuse(this.encodeVisual(images), this.encodeText(ids), pixelMask, ids, training));
  }

  /** CLIP-VG's own parameters and CLIP's visual positional embedding. */
  trainableVariables(): tf.Variable[] {
    return [...this.params.variables().filter((v) => v.trainable), ...this.clip.trainableVariables()];
  }

  /** Trainable parameters (21,832,964 for ViT-B/16). */
  countTrainableParameters(): number {
    return this.trainableVariables().reduce((sum, v) => sum + v.size, 0);
  }

  /**
   * The weights by official state-dict name, lazily read from the backend: CLIP-VG's own, the trained
   * `clip.visual.positional_embedding`, and with `includeClip` every CLIP weight under `clip.`.
   */
  stateDict(options: { includeClip?: boolean } = {}): WeightSource {
    const out: WeightSource = {};
    const lazy = (v: tf.Variable): WeightTensor => ({ shape: [...v.shape], toFloat32Array: () => v.dataSync() as Float32Array });
    for (const name of this.params.names()) out[name] = lazy(this.params.get(name));
    for (const [name, variable] of this.clip.variables()) {
      if (options.includeClip || TRAINABLE_CLIP_PARAMETERS.includes(name)) out[`clip.${name}`] = lazy(variable);
    }
    return out;
  }

  dispose(): void {
    this.params.dispose();
    this.clip.dispose();
  }

  private checkFuseInputs(visual: tf.Tensor3D, text: tf.Tensor3D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D): void {
    const { config } = this;
    const tokens = patchGrid(config) ** 2 + 1;
    const visualWidth = config.extractLayers.length * config.clip.visionWidth;
    const batch = visual.shape[0];
    const expect = (ok: boolean, what: string): void => {
      if (!ok) throw new Error(`ClipVG.fuse: ${what}`);
    };
    expect(
      visual.rank === 3 && visual.shape[1] === tokens && visual.shape[2] === visualWidth,
      `visual features are [${visual.shape}], expected [B, ${tokens}, ${visualWidth}]`,
    );
    expect(
      text.rank === 3 && text.shape[0] === batch && text.shape[1] === config.maxQueryLen && text.shape[2] === config.clip.embedDim,
      `text features are [${text.shape}], expected [${batch}, ${config.maxQueryLen}, ${config.clip.embedDim}]`,
    );
    expect(
      ids.rank === 2 && ids.shape[0] === batch && ids.shape[1] === config.maxQueryLen,
      `token ids are [${ids.shape}], expected [${batch}, ${config.maxQueryLen}]`,
    );
    expect(
      pixelMask.rank === 3 && pixelMask.shape[0] === batch && pixelMask.shape[1] === config.imsize && pixelMask.shape[2] === config.imsize,
      `pixel mask is [${pixelMask.shape}], expected [${batch}, ${config.imsize}, ${config.imsize}]`,
    );
  }
}
