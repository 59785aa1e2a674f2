/**
 * The one model loader behind `Grounder`, `clip-vg predict`, `eval` and `reliability`: any checkpoint (an official
 * `.pth`, a `checkpoint convert` folder, a `clip-vg train` or `curriculum` output folder), its tokenizer and a box
 * predictor on the chosen engine. ONNX Runtime is loaded only when the onnx engine is asked for.
 */
import { statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { ClipTokenizer } from '@clip-vg/clip-encoders';
import { readProjectConfig, type BoxPredictor, type ClipVG, type ClipVGConfig, type EngineName } from '@clip-vg/fusion-transformer';
import type { OnnxEngineOptions } from '@clip-vg/onnx-engine';
import { loadTokenizerFor, loadTrainedModel, recordedSource, resolveCheckpoint, type ModelSource } from '@clip-vg/training';

export type { BoxPredictor, EngineName };

export interface LoadModelOptions {
  /** `tfjs` (default: the TensorFlow.js backend) or `onnx` (ONNX Runtime, every core). */
  engine?: EngineName;
  /**
   * CLIP weights, only for a checkpoint saved without them that records no CLIP source: an OpenAI / CLIP-VG
   * `.pth`, a Hugging Face folder or hub name, or another CLIP-VG checkpoint that holds CLIP.
   */
  clip?: string;
  /** Tokenizer vocabulary (`bpe_simple_vocab_16e6.txt.gz`, `vocab.json`, a model folder). Default: the recorded one. */
  vocab?: string;
  /** Keep the TensorFlow.js model even on onnx (evaluation needs its configuration and feature paths). */
  keepModel?: boolean;
  /** ONNX Runtime options (execution provider, threads, chunk size). */
  onnx?: OnnxEngineOptions;
}

export interface LoadedModel {
  /** The file or folder the weights came from (a `train` folder resolves to its `best_checkpoint/`). */
  checkpoint: string;
  config: ClipVGConfig;
  engine: EngineName;
  tokenizer: ClipTokenizer;
  predictor: BoxPredictor;
  /** The TensorFlow.js model: on tfjs always; on onnx only with `keepModel`. */
  model?: ClipVG;
  /** What the trainer recorded next to the weights (CLIP source, vocabulary), if anything. */
  source?: ModelSource;
  /** Frees the predictor and the model. */
  dispose(): Promise<void>;
}

/** Parse an engine name; the error lists the choices. */
export function parseEngineName(value: string | undefined): EngineName {
  const engine = value ?? 'tfjs';
  if (engine !== 'tfjs' && engine !== 'onnx') throw new Error(`engine must be tfjs or onnx, got "${engine}"`);
  return engine;
}

/** Load a checkpoint, its tokenizer and a predictor. The caller must have initialised a TensorFlow.js backend. */
export async function loadModel(checkpoint: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const engine = parseEngineName(options.engine);
  const resolved = resolveCheckpoint(checkpoint);
  const isFolder = statSync(resolved).isDirectory();
  // the tokenizer first: a missing vocabulary fails before seconds of weight loading
  const recorded = isFolder ? recordedSource(resolved) : undefined;
  const tokenizer = await loadTokenizerFor(options.vocab, recorded, resolved);

  if (engine === 'onnx' && !options.keepModel && !options.clip && (!isFolder || readProjectConfig(resolved).includesClip)) {
    // straight into the ONNX graph, with no TensorFlow.js copy of the weights (ViT-B/16 peaks ~0.5 GB lower)
    const { OnnxClipVG } = await import('@clip-vg/onnx-engine');
    const onnx = await OnnxClipVG.fromPretrained(resolved, options.onnx);
    const predictor: BoxPredictor = { engine, predict: (i, m, ids) => onnx.predict(i, m, ids), dispose: () => onnx.dispose() };
    return { checkpoint: resolved, config: onnx.config, engine, tokenizer, predictor, source: recorded, dispose: () => onnx.dispose() };
  }

  const { model, source } = await loadTrainedModel(resolved, { clip: options.clip });
  let predictor: BoxPredictor;
  try {
    predictor = engine === 'tfjs' ? tfjsPredictor(model) : await onnxPredictor(model, options.onnx);
  } catch (error) {
    model.dispose();
    throw error;
  }
  if (engine === 'onnx' && !options.keepModel) {
    // the ONNX session holds its own copy of every weight
    model.dispose();
    return { checkpoint: resolved, config: model.config, engine, tokenizer, predictor, source, dispose: () => predictor.dispose() };
  }
  return {
    checkpoint: resolved,
    config: model.config,
    engine,
    tokenizer,
    predictor,
    model,
    source,
    dispose: async () => {
      await predictor.dispose();
      model.dispose();
    },
  };
}

function tfjsPredictor(model: ClipVG): BoxPredictor {
  return {
    engine: 'tfjs',
    predict: async (images: tf.Tensor4D, mask: tf.Tensor3D, ids: tf.Tensor2D) => model.predict(images, mask, ids),
    dispose: async () => undefined,
  };
}

async function onnxPredictor(model: ClipVG, options: OnnxEngineOptions | undefined): Promise<BoxPredictor> {
  const { createPredictor } = await import('@clip-vg/onnx-engine');
  return createPredictor(model, 'onnx', options);
}
