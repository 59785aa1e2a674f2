/**
 * The demo's tiny CLIP, pretrained contrastively on the demo world's scene captions (shared/spec/demo-recipe.md)
 * and shipped with the package (`assets/tiny-clip/`), so the curriculum demo starts from a CLIP that reads the
 * world instead of pretraining one per run.
 *
 * Model: ViT patch 8 on 48 px (36 patches + CLS), width 64, 4 layers, 1 head; text width 64, 2 layers, 2 heads,
 * context 16; embedding 64; word-level tokens from the fixed `DEMO_WORDS`.
 * Recipe: symmetric InfoNCE (identical captions in a batch share the target), learnable temperature (logit scale
 * initialised to log(1/0.07), clamped at log 100 as CLIP), AdamW lr 1e-3, betas (0.9, 0.98), weight decay 0.1,
 * 100 linear warm-up steps then cosine to 0 per step, batch 64, 1,000 steps over 6,000 scenes of the demo world's
 * pretraining stream. Retrieval: image → caption top-1 within batches of 64 over 512 held-out scenes, an
 * identical caption counting as a hit.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CLIP, type ClipConfig } from '@clip-vg/clip-encoders';
import { createRng, demoCaption, demoPretrainScenes, deriveSeed, DEMO_WORDS, evalTransform, renderScene, type Scene } from '@clip-vg/datasets';
import { openSafetensors, writeFileAtomic, writeSafetensors, type SafetensorsEntry } from '@clip-vg/torch-io';
import { AdamW } from '@clip-vg/training';
import { ensureGradients, ensureWasmTrainingKernels } from '@clip-vg/backend';
import { WordTokenizer } from './word-tokenizer';

/** Where the shipped CLIP lies: `<package>/assets/tiny-clip` (from `src/` under jest, from `dist/` when built). */
export const DEMO_CLIP_DIR = path.resolve(__dirname, '..', 'assets', 'tiny-clip');
export const DEMO_CLIP_FILES = { weights: 'model.safetensors', config: 'config.json', meta: 'meta.json' } as const;

/** The tokenizer of the demo world: fixed words, so the shipped CLIP never depends on generated texts. */
export function demoTokenizer(): WordTokenizer {
  return WordTokenizer.fromWords(DEMO_WORDS);
}

/** The recipe's tiny CLIP (vocabulary from `demoTokenizer()`: 18 ids). */
export function demoClipConfig(): ClipConfig {
  return {
    embedDim: 64,
    imageResolution: 48,
    visionLayers: 4,
    visionWidth: 64,
    visionPatchSize: 8,
    visionHeads: 1,
    contextLength: 16,
    vocabSize: demoTokenizer().vocabSize,
    transformerWidth: 64,
    transformerHeads: 2,
    transformerLayers: 2,
  };
}

export interface PretrainDemoClipOptions {
  /** Seeds the initial weights, the pretraining scenes and the batch order (default 0). */
  seed?: number;
  /** Optimiser steps (default 1,000). */
  steps?: number;
  batchSize?: number;
  lr?: number;
  warmupSteps?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  /** Pretraining scenes (default 6,000) and held-out scenes for retrieval (default 512). */
  trainImages?: number;
  heldOutImages?: number;
  /**
   * Initial weights: `openai` (default) as OpenAI's CLIP initialises (`initialize_parameters` for the text tower,
   * PyTorch's layer defaults for the image tower), `small` as `CLIP.random` (every weight N(0, 0.02)).
   */
  init?: 'openai' | 'small';
  /** Weight decay on every weight (`all`) or, as open_clip, only on matrices (`matrices`, default). */
  decay?: 'all' | 'matrices';
  /** Steps after which retrieval is measured (default 300, 600 and the last); [] for none. */
  evaluateAt?: number[];
  log?: (line: string) => void;
}

export interface PretrainDemoClipResult {
  clip: CLIP;
  tokenizer: WordTokenizer;
  config: ClipConfig;
  /** The loss of every step (before its update). */
  losses: number[];
  /** Retrieval accuracy after the last step (NaN when it was not measured). */
  retrievalAccuracy: number;
  /** Retrieval accuracy at each `evaluateAt` step. */
  retrieval: { step: number; accuracy: number }[];
  /** Temperature's inverse, exp(logit_scale), at the end. */
  logitScale: number;
  /** The options as resolved. */
  settings: Required<Omit<PretrainDemoClipOptions, 'log'>>;
  /** Training time (without retrieval measurements) and total time, in seconds. */
  trainSeconds: number;
  seconds: number;
}

const DEFAULTS: Required<Omit<PretrainDemoClipOptions, 'log' | 'evaluateAt'>> = {
  seed: 0,
  init: 'openai',
  decay: 'matrices',
  steps: 1000,
  batchSize: 64,
  lr: 1e-3,
  warmupSteps: 100,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.98,
  trainImages: 6000,
  heldOutImages: 512,
};

/** CLIP clamps its logit scale at 100. */
const MAX_LOGIT_SCALE = Math.log(100);
/** Stream of the per-epoch batch order. */
const ORDER_STREAM = 31;

/** Learning rate of step `step` (0-based): linear warm-up to `lr`, then cosine to 0 at `steps`. */
export function demoClipLr(step: number, s: { lr: number; warmupSteps: number; steps: number }): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const progress = (step - s.warmupSteps) / Math.max(1, s.steps - s.warmupSteps);
  return 0.5 * s.lr * (1 + Math.cos(Math.PI * progress));
}

/** A scene as the CLIP sees it: rendered, then the eval transform (identity letterbox at 48 px, normalised). */
function scenePixels(scene: Scene): Float32Array {
  return evalTransform(renderScene(scene), [0, 0, scene.width, scene.height], scene.width).pixels;
}

/** Pretrain the demo's tiny CLIP from scratch (wasm, tensorflow or cpu: whatever backend is active). */
export async function pretrainDemoClip(options: PretrainDemoClipOptions = {}): Promise<PretrainDemoClipResult> {
  const started = performance.now();
  const s = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & PretrainDemoClipOptions;
  const evaluateAt = options.evaluateAt ?? [...new Set([300, 600, s.steps].filter((k) => k > 0 && k <= s.steps))];
  for (const key of ['steps', 'batchSize', 'trainImages', 'warmupSteps'] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 0) throw new Error(`pretrainDemoClip: ${key} must be a non-negative integer, got ${s[key]}`);
  }
  if (s.batchSize < 2 || s.trainImages < s.batchSize)
    throw new Error(`pretrainDemoClip: need 2 ≤ batchSize ≤ trainImages, got ${s.batchSize} and ${s.trainImages}`);
  const log = options.log ?? (() => undefined);
  ensureGradients();
  ensureWasmTrainingKernels();

  const tokenizer = demoTokenizer();
  const config = demoClipConfig();
  const scenes = demoPretrainScenes(s.seed, s.trainImages);
  const captions = scenes.map(demoCaption);
  // rendered on first use: a short run renders only the scenes it trains on
  const pixels = new Map<number, Float32Array>();
  const pixelsOf = (i: number) => {
    let p = pixels.get(i);
    if (!p) pixels.set(i, (p = scenePixels(scenes[i])));
    return p;
  };
  const heldOut = evaluateAt.length > 0 ? demoPretrainScenes(s.seed, s.heldOutImages, { start: s.trainImages }) : [];
  const heldOutPixels = heldOut.map(scenePixels);
  const heldOutCaptions = heldOut.map(demoCaption);

  const clip = CLIP.random(config, { seed: s.seed, trainable: true });
  if (s.init === 'openai') openaiInit(clip, s.seed);
  const variables = clip.variables();
  const byTfName = new Map([...variables].map(([name, v]) => [v.name, name]));
  const logitScale = variables.get('logit_scale')!;
  const decayed = (name: string) => s.decay === 'all' || variables.get(name)!.rank >= 2;
  const groups = [
    {
      variables: new Map([...variables].filter(([name]) => decayed(name))),
      optimizer: new AdamW({ lr: s.lr, weightDecay: s.weightDecay, beta1: s.beta1, beta2: s.beta2 }),
    },
    {
      variables: new Map([...variables].filter(([name]) => !decayed(name))),
      optimizer: new AdamW({ lr: s.lr, weightDecay: 0, beta1: s.beta1, beta2: s.beta2 }),
    },
  ];
  const losses: number[] = [];
  const retrieval: { step: number; accuracy: number }[] = [];
  const batchesPerEpoch = Math.floor(s.trainImages / s.batchSize);
  let order: number[] = [];
  let evalSeconds = 0;
  try {
    for (let step = 0; step < s.steps; step++) {
      const epoch = Math.floor(step / batchesPerEpoch);
      const k = step % batchesPerEpoch;
      if (k === 0) order = createRng(deriveSeed(s.seed, ORDER_STREAM, epoch)).shuffle(scenes.map((_, i) => i));
      const rows = order.slice(k * s.batchSize, (k + 1) * s.batchSize);
      const images = batchPixels(rows.map(pixelsOf), config.imageResolution);
      const ids = batchIds(
        tokenizer,
        rows.map((r) => captions[r]),
        config.contextLength,
      );
      const { value, grads } = tf.variableGrads(
        () =>
          contrastiveLoss(
            clip,
            images,
            ids,
            rows.map((r) => captions[r]),
          ),
        [...variables.values()],
      );
      const named: Record<string, tf.Tensor> = {};
      for (const [tfName, grad] of Object.entries(grads)) named[byTfName.get(tfName)!] = grad;
      const lr = demoClipLr(step, s);
      for (const g of groups) {
        g.optimizer.lr = lr;
        g.optimizer.applyGradients(g.variables, named);
      }
      if (logitScale.dataSync()[0] > MAX_LOGIT_SCALE) logitScale.assign(tf.scalar(MAX_LOGIT_SCALE));
      losses.push(value.dataSync()[0]);
      tf.dispose([value, images, ids, ...Object.values(grads)]);
      if ((step + 1) % 50 === 0 || step === 0) {
        log(`step ${step + 1}/${s.steps}: loss ${losses[step].toFixed(4)}, lr ${lr.toExponential(2)}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
      if (evaluateAt.includes(step + 1)) {
        const t = performance.now();
        const accuracy = retrievalAccuracy(clip, tokenizer, heldOutPixels, heldOutCaptions, s.batchSize);
        retrieval.push({ step: step + 1, accuracy });
        evalSeconds += (performance.now() - t) / 1000;
        log(`step ${step + 1}: retrieval top-1 ${(100 * accuracy).toFixed(1)}% (${heldOut.length} held-out images, batches of ${s.batchSize})`);
      }
    }
  } catch (error) {
    clip.dispose();
    throw error;
  } finally {
    for (const g of groups) g.optimizer.dispose();
  }
  clip.setTrainable(() => true, false);
  const seconds = (performance.now() - started) / 1000;
  const last = retrieval.find((r) => r.step === s.steps);
  return {
    clip,
    tokenizer,
    config,
    losses,
    retrieval,
    retrievalAccuracy: last ? last.accuracy : Number.NaN,
    logitScale: Math.exp(logitScale.dataSync()[0]),
    settings: { ...s, evaluateAt } as PretrainDemoClipResult['settings'],
    trainSeconds: seconds - evalSeconds,
    seconds,
  };
}

/**
 * OpenAI's initialisation: text tower as `CLIP.initialize_parameters` (token embedding N(0, 0.02), positions
 * N(0, 0.01), attention in-projection N(0, w^-½), output and MLP projections N(0, w^-½ (2L)^-½), c_fc N(0, (2w)^-½),
 * text projection N(0, w^-½)); image tower as `VisionTransformer.__init__` with PyTorch's layer defaults (class
 * and positional embeddings and projection w^-½ · N(0, 1), patch conv and Linears U(±fan_in^-½), in-projection
 * Xavier-uniform); attention biases and LayerNorm biases 0, LayerNorm gains 1, Linear biases U(±fan_in^-½).
 */
function openaiInit(clip: CLIP, seed: number): void {
  const c = clip.config;
  const text = { width: c.transformerWidth, layers: c.transformerLayers };
  let index = 0;
  for (const [name, v] of clip.variables()) {
    // an independent tfjs seed per parameter (0 would mean "unseeded")
    const rngSeed = deriveSeed(seed, 51, index++) + 1;
    const normal = (std: number) => tf.randomNormal(v.shape, 0, std, 'float32', rngSeed);
    const uniform = (bound: number) => tf.randomUniform(v.shape, -bound, bound, 'float32', rngSeed);
    const fanIn = v.rank >= 2 ? v.size / v.shape[0] : 0;
    const isText = !name.startsWith('visual.');
    const w = isText ? text.width : c.visionWidth;
    let value: tf.Tensor | undefined;
    if (name === 'logit_scale') continue;
    else if (/(^|\.)ln_\w+\.weight$|ln_final\.weight$/.test(name)) value = tf.onesLike(v);
    else if (/(^|\.)ln_\w+\.bias$|ln_final\.bias$|attn\.(in_proj_bias|out_proj\.bias)$/.test(name)) value = tf.zerosLike(v);
    else if (name === 'token_embedding.weight') value = normal(0.02);
    else if (name === 'positional_embedding') value = normal(0.01);
    else if (name === 'text_projection') value = normal(text.width ** -0.5);
    else if (['visual.class_embedding', 'visual.positional_embedding', 'visual.proj'].includes(name)) value = normal(w ** -0.5);
    else if (name === 'visual.conv1.weight') value = uniform(fanIn ** -0.5);
    else if (isText && name.endsWith('attn.in_proj_weight')) value = normal(w ** -0.5);
    else if (isText && /(attn\.out_proj|mlp\.c_proj)\.weight$/.test(name)) value = normal(w ** -0.5 * (2 * text.layers) ** -0.5);
    else if (isText && name.endsWith('mlp.c_fc.weight')) value = normal((2 * w) ** -0.5);
    else if (name.endsWith('attn.in_proj_weight')) value = uniform(Math.sqrt(6 / (v.shape[0] + v.shape[1]!)));
    else if (v.rank >= 2) value = uniform(fanIn ** -0.5);
    else if (name.endsWith('mlp.c_fc.bias')) value = uniform(w ** -0.5);
    else if (name.endsWith('mlp.c_proj.bias')) value = uniform((4 * w) ** -0.5);
    if (!value) throw new Error(`openaiInit: no rule for ${name}`);
    v.assign(value);
    value.dispose();
  }
}

/** Symmetric cross-entropy of the scaled cosine similarities `[B, B]`; identical captions share the target. */
function contrastiveLoss(clip: CLIP, pixels: tf.Tensor4D, ids: tf.Tensor2D, texts: string[]): tf.Scalar {
  const image = l2Normalize(clip.encodeImage(pixels));
  const text = l2Normalize(clip.encodeText(ids));
  const scale = tf.exp(clip.variables().get('logit_scale')!);
  const logits = tf.mul(tf.matMul(image, text, false, true), scale);
  const target = sameCaptionTargets(texts);
  const imageToText = tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
  const textToImage = tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(tf.transpose(logits))), 1)));
  return tf.div(tf.add(imageToText, textToImage), 2) as tf.Scalar;
}

function sameCaptionTargets(texts: string[]): tf.Tensor2D {
  const n = texts.length;
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const total = texts.filter((t) => t === texts[i]).length;
    for (let j = 0; j < n; j++) if (texts[j] === texts[i]) data[i * n + j] = 1 / total;
  }
  return tf.tensor2d(data, [n, n]);
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
}

function batchPixels(images: Float32Array[], side: number): tf.Tensor4D {
  const data = new Float32Array(images.length * side * side * 3);
  images.forEach((p, k) => data.set(p, k * side * side * 3));
  return tf.tensor4d(data, [images.length, side, side, 3]);
}

function batchIds(tokenizer: WordTokenizer, texts: string[], contextLength: number): tf.Tensor2D {
  return tf.tensor2d(tokenizer.tokenize(texts, { contextLength }).ids, [texts.length, contextLength], 'int32');
}

/**
 * Image → caption top-1 within consecutive batches of `batchSize` (a last partial batch is dropped), counting a
 * pick whose caption equals the image's own as a hit.
 */
export function retrievalAccuracy(clip: CLIP, tokenizer: WordTokenizer, images: Float32Array[], captions: string[], batchSize = 64): number {
  let hits = 0;
  let total = 0;
  for (let start = 0; start + batchSize <= images.length; start += batchSize) {
    const texts = captions.slice(start, start + batchSize);
    const best = tf.tidy(() => {
      const image = l2Normalize(clip.encodeImage(batchPixels(images.slice(start, start + batchSize), clip.config.imageResolution)));
      const text = l2Normalize(clip.encodeText(batchIds(tokenizer, texts, clip.config.contextLength)));
      return tf.argMax(tf.matMul(image, text, false, true), 1);
    });
    const picks = best.dataSync();
    best.dispose();
    texts.forEach((t, k) => (hits += texts[picks[k]] === t ? 1 : 0));
    total += texts.length;
  }
  return total === 0 ? Number.NaN : hits / total;
}

/** What `meta.json` records about a pretraining. */
export interface DemoClipMeta {
  /** Image → caption top-1 on the held-out scenes after the last step. */
  retrievalAccuracy: number;
  retrieval: { step: number; accuracy: number }[];
  seed: number;
  steps: number;
  settings: PretrainDemoClipResult['settings'];
  /** Every step's loss. */
  losses: number[];
  logitScale: number;
  parameters: number;
  /** The tokenizer's word list (ids 2… in order; 0 pad, 1 unknown, then SOT and EOT). */
  words: string[];
  command: string;
  date: string;
  backend: string;
  trainSeconds: number;
  seconds: number;
}

/** Write `model.safetensors` (OpenAI names, float32), `config.json` and `meta.json` into `dir`, each atomically. */
export function saveDemoClip(dir: string, result: PretrainDemoClipResult, info: { command: string; date?: string }): DemoClipMeta {
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, SafetensorsEntry> = {};
  let parameters = 0;
  for (const [name, v] of result.clip.variables()) {
    tensors[name] = { dtype: 'F32', shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() };
    parameters += v.size;
  }
  writeSafetensors(path.join(dir, DEMO_CLIP_FILES.weights), tensors, { format: 'pt', weight_names: 'openai' });
  writeFileAtomic(
    path.join(dir, DEMO_CLIP_FILES.config),
    `${JSON.stringify({ model_type: 'clip-vg-clip', weight_names: 'openai', ...result.config }, null, 2)}\n`,
  );
  const meta: DemoClipMeta = {
    retrievalAccuracy: result.retrievalAccuracy,
    retrieval: result.retrieval,
    seed: result.settings.seed,
    steps: result.settings.steps,
    settings: result.settings,
    losses: result.losses,
    logitScale: result.logitScale,
    parameters,
    words: [...result.tokenizer.words],
    command: info.command,
    date: info.date ?? new Date().toISOString(),
    backend: tf.getBackend(),
    trainSeconds: result.trainSeconds,
    seconds: result.seconds,
  };
  writeFileAtomic(path.join(dir, DEMO_CLIP_FILES.meta), `${JSON.stringify(meta, null, 1)}\n`);
  return meta;
}

export interface LoadedDemoClip {
  /** Frozen (every weight untrainable), as CLIP-VG uses it. */
  clip: CLIP;
  tokenizer: WordTokenizer;
  config: ClipConfig;
  meta: DemoClipMeta;
}

/** Load a saved demo CLIP: the shipped one by default (`DEMO_CLIP_DIR`). Needs a tfjs backend. */
export function loadDemoClip(dir: string = DEMO_CLIP_DIR): LoadedDemoClip {
  const file = (name: string) => path.join(dir, name);
  for (const name of Object.values(DEMO_CLIP_FILES)) {
    if (!existsSync(file(name))) throw new Error(`${file(name)}: not found (make it with \`clip-vg demo pretrain-clip --out ${dir}\`)`);
  }
  const {
    model_type: type,
    weight_names: _names,
    ...config
  } = JSON.parse(readFileSync(file(DEMO_CLIP_FILES.config), 'utf8')) as ClipConfig & { model_type: string; weight_names: string };
  if (type !== 'clip-vg-clip') throw new Error(`${file(DEMO_CLIP_FILES.config)}: not a clip-vg CLIP config (model_type "${type}")`);
  const meta = JSON.parse(readFileSync(file(DEMO_CLIP_FILES.meta), 'utf8')) as DemoClipMeta;
  const reader = openSafetensors(file(DEMO_CLIP_FILES.weights));
  const weights: Record<string, { shape: number[]; toFloat32Array(): Float32Array }> = {};
  try {
    for (const name of reader.names()) {
      const entry = reader.get(name);
      if (entry.dtype !== 'F32') throw new Error(`${file(DEMO_CLIP_FILES.weights)}: ${name} is ${entry.dtype}, expected F32`);
      weights[name] = { shape: entry.shape, toFloat32Array: () => entry.data as Float32Array };
    }
  } finally {
    reader.close();
  }
  const clip = CLIP.fromStateDict(weights, { config, origin: file(DEMO_CLIP_FILES.weights) });
  const tokenizer = WordTokenizer.fromWords(meta.words);
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new Error(`${dir}: the word list gives ${tokenizer.vocabSize} token ids, the CLIP has ${config.vocabSize}`);
  }
  return { clip, tokenizer, config, meta };
}
