/**
 * A tiny CLIP for the synthetic world, pretrained contrastively on its image–caption pairs (the role of
 * OpenAI's web-scale pretraining), then frozen by CLIP-VG exactly as the real CLIP is.
 *
 * Loss: CLIP's symmetric InfoNCE, with one change: scenes may share a caption ("a red circle and a blue square
 * on a plain background"), so the target of a row is spread over every identical caption in the batch instead
 * of being wrongly one-hot. The temperature stays at CLIP's initial 1/0.07.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CLIP, type ClipConfig } from '@clip-vg/clip-encoders';
import { createRng, deriveSeed, type TextTokenizer } from '@clip-vg/datasets';
import { AdamW } from '@clip-vg/training';
import { ensureGradients, ensureWasmTrainingKernels } from '@clip-vg/backend';

export interface TinyClipSize {
  /** Vocabulary rows (the tokenizer's `vocabSize`). */
  vocabSize: number;
  imageSize?: number;
  patchSize?: number;
  width?: number;
  visionLayers?: number;
  textLayers?: number;
  contextLength?: number;
}

/** Defaults: 64 px, patch 8 (8×8 grid), width 64, 4 heads, 4 vision / 2 text layers, 32 tokens. */
export function tinyClipConfig(size: TinyClipSize): ClipConfig {
  const width = size.width ?? 64;
  const heads = Math.max(1, width / 16);
  return {
    embedDim: width,
    imageResolution: size.imageSize ?? 64,
    visionLayers: size.visionLayers ?? 4,
    visionWidth: width,
    visionPatchSize: size.patchSize ?? 8,
    visionHeads: heads,
    contextLength: size.contextLength ?? 32,
    vocabSize: size.vocabSize,
    transformerWidth: width,
    transformerHeads: heads,
    transformerLayers: size.textLayers ?? 2,
  };
}

export interface PretrainOptions {
  /** Trained in place (every weight but `logit_scale`), then left frozen. */
  clip: CLIP;
  /** One normalised NHWC image `[S, S, 3]` per pair, S = CLIP's resolution. */
  images: readonly Float32Array[];
  captions: readonly string[];
  tokenizer: TextTokenizer;
  epochs: number;
  batchSize: number;
  /** Default 1e-3. */
  lr?: number;
  /** Default 0.05. */
  weightDecay?: number;
  seed?: number;
  onEpoch?: (info: { epoch: number; loss: number; seconds: number }) => void;
}

export interface PretrainResult {
  /** Mean loss per epoch. */
  losses: number[];
  /** Image → caption top-1 on (up to 256 of) the training pairs, counting any identical caption as a hit. */
  retrievalAccuracy: number;
}

export async function pretrainClip(options: PretrainOptions): Promise<PretrainResult> {
  const { clip, images, captions, tokenizer, batchSize } = options;
  if (images.length !== captions.length || images.length === 0) {
    throw new Error(`pretrainClip: need as many images as captions (got ${images.length} and ${captions.length})`);
  }
  ensureGradients();
  ensureWasmTrainingKernels();
  const side = clip.config.imageResolution;
  const contextLength = clip.config.contextLength;
  clip.setTrainable((name) => name !== 'logit_scale', true);
  clip.setTrainable((name) => name === 'logit_scale', false);
  const variables = new Map([...clip.variables()].filter(([, v]) => v.trainable));
  const byTfName = new Map([...variables].map(([name, v]) => [v.name, name]));
  const optimizer = new AdamW({ lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.05 });
  const seed = options.seed ?? 0;
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const started = performance.now();
      // cosine decay per epoch, as CLIP-VG's trainer schedules
      optimizer.lr = (options.lr ?? 1e-3) * 0.5 * (1 + Math.cos((Math.PI * epoch) / options.epochs));
      const order = createRng(deriveSeed(seed, 31, epoch)).shuffle(images.map((_, i) => i));
      let sum = 0;
      let steps = 0;
      for (let start = 0; start + 2 <= order.length; start += batchSize) {
        const rows = order.slice(start, start + batchSize);
        const { value, grads } = tf.variableGrads(
          () =>
            contrastiveLoss(
              clip,
              batchPixels(images, rows, side),
              batchIds(tokenizer, captions, rows, contextLength),
              rows.map((r) => captions[r]),
            ),
          [...variables.values()],
        );
        const named: Record<string, tf.Tensor> = {};
        for (const [tfName, grad] of Object.entries(grads)) named[byTfName.get(tfName)!] = grad;
        optimizer.applyGradients(variables, named);
        sum += value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads)]);
        steps++;
      }
      losses.push(sum / Math.max(1, steps));
      options.onEpoch?.({ epoch, loss: losses[epoch], seconds: (performance.now() - started) / 1000 });
    }
  } finally {
    optimizer.dispose();
    clip.setTrainable(() => true, false);
  }
  const probe = images.map((_, i) => i).slice(0, 256);
  return { losses, retrievalAccuracy: retrieval(clip, images, captions, tokenizer, probe) };
}

/** Symmetric cross-entropy of the scaled cosine similarities `[B, B]`. */
function contrastiveLoss(clip: CLIP, pixels: tf.Tensor4D, ids: tf.Tensor2D, texts: string[]): tf.Scalar {
  const image = l2Normalize(clip.encodeImage(pixels)); // [B, E]
  const text = l2Normalize(clip.encodeText(ids)); // [B, E]
  const scale = tf.exp(clip.variables().get('logit_scale')!);
  const logits = tf.mul(tf.matMul(image, text, false, true), scale); // [B, B]
  const target = sameCaptionTargets(texts); // [B, B], rows sum to 1, symmetric
  const imageToText = tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
  const textToImage = tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(tf.transpose(logits))), 1)));
  return tf.div(tf.add(imageToText, textToImage), 2) as tf.Scalar;
}

function sameCaptionTargets(texts: string[]): tf.Tensor2D {
  const n = texts.length;
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const same = texts.map((t) => (t === texts[i] ? 1 : 0) as number);
    const total = same.reduce((a, b) => a + b, 0);
    same.forEach((s, j) => (data[i * n + j] = s / total));
  }
  return tf.tensor2d(data, [n, n]);
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), 1e-6)) as tf.Tensor2D;
}

function batchPixels(images: readonly Float32Array[], rows: number[], side: number): tf.Tensor4D {
  const data = new Float32Array(rows.length * side * side * 3);
  rows.forEach((r, k) => data.set(images[r], k * side * side * 3));
  return tf.tensor4d(data, [rows.length, side, side, 3]);
}

function batchIds(tokenizer: TextTokenizer, captions: readonly string[], rows: number[], contextLength: number): tf.Tensor2D {
  const { ids } = tokenizer.tokenize(
    rows.map((r) => captions[r]),
    { contextLength },
  );
  return tf.tensor2d(ids, [rows.length, contextLength], 'int32');
}

function retrieval(clip: CLIP, images: readonly Float32Array[], captions: readonly string[], tokenizer: TextTokenizer, rows: number[]): number {
  const side = clip.config.imageResolution;
  const best = tf.tidy(() => {
    const image = l2Normalize(clip.encodeImage(batchPixels(images, rows, side)));
    const text = l2Normalize(clip.encodeText(batchIds(tokenizer, captions, rows, clip.config.contextLength)));
    return tf.argMax(tf.matMul(image, text, false, true), 1);
  });
  const picks = best.dataSync();
  best.dispose();
  let hits = 0;
  rows.forEach((r, k) => (hits += captions[rows[picks[k]]] === captions[r] ? 1 : 0));
  return hits / rows.length;
}
