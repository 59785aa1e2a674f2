/**
 * CLIP-VG on ONNX Runtime in three sessions (CLIP image tower, CLIP text tower, fusion + box head), so that a
 * caller scoring the same images or expressions again (reliability rounds, MSA's several sources) can keep the
 * CLIP features and run only the fusion. Visual features depend on the trained visual positional embedding:
 * reuse them only while the weights they came from are unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { patchGrid, type ClipVG, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import type { WeightSource } from '@clip-vg/clip-encoders';
import {
  buildClipVGOnnx,
  INPUT_IDS,
  INPUT_IMAGES,
  INPUT_KEY_BIAS,
  INPUT_POSITIONS,
  OUTPUT_BOXES,
  TEXT_FEATURES,
  VISUAL_FEATURES,
  type GraphPart,
} from './graph/clip-vg-graph';
import { createSession, type OnnxEngineOptions } from './engine';
import { graphInputs } from './inputs';

/** CLIP features of a batch, row-major: `visual [B, 1 + P, layers · Wv]`, `text [B, length, E]`. */
export interface ClipFeatures {
  batch: number;
  visual: Float32Array;
  /** Text features of the ids' first `length` tokens (the batch's longest expression). */
  text: Float32Array;
  length: number;
}

export class OnnxClipVGStages {
  private constructor(
    readonly config: ClipVGConfig,
    private readonly sessions: Record<'visual' | 'text' | 'fusion', ort.InferenceSession>,
  ) {}

  static async fromModel(model: ClipVG, options: OnnxEngineOptions = {}): Promise<OnnxClipVGStages> {
    return OnnxClipVGStages.fromStateDict(model.stateDict({ includeClip: true }), model.config, options);
  }

  static async fromStateDict(weights: WeightSource, config: ClipVGConfig, options: OnnxEngineOptions & { origin?: string } = {}): Promise<OnnxClipVGStages> {
    const sessions: Partial<Record<'visual' | 'text' | 'fusion', ort.InferenceSession>> = {};
    try {
      for (const part of ['visual', 'text', 'fusion'] as const satisfies readonly GraphPart[]) {
        const bytes = buildClipVGOnnx(weights, config, { origin: options.origin, part });
        sessions[part] = await createSession(bytes, options);
      }
    } catch (error) {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
      throw error;
    }
    return new OnnxClipVGStages(config, sessions as Record<'visual' | 'text' | 'fusion', ort.InferenceSession>);
  }

  private get visualShape(): [number, number] {
    return [patchGrid(this.config) ** 2 + 1, this.config.extractLayers.length * this.config.clip.visionWidth];
  }

  /** Images NHWC [B, H, W, 3] → multi-level visual features [B, 1 + P, layers · Wv] (as `ClipVG.encodeVisual`). */
  async encodeVisual(images: tf.Tensor4D): Promise<Float32Array> {
    const [batch, size] = images.shape;
    const [tokens, width] = this.visualShape;
    const visual = new Float32Array(batch * tokens * width);
    await this.sessions.visual.run(
      { [INPUT_IMAGES]: new ort.Tensor('float32', images.dataSync() as Float32Array, [batch, size, size, 3]) },
      { [VISUAL_FEATURES]: new ort.Tensor('float32', visual, [batch, tokens, width]) },
    );
    return visual;
  }

  /** Ids [B, L] → text features of the first `length` tokens (the longest expression), [B, length, E]. */
  async encodeText(ids: tf.Tensor2D, pixelMask?: tf.Tensor3D): Promise<{ text: Float32Array; length: number }> {
    const batch = ids.shape[0];
    const mask = pixelMask ?? (tf.zeros([batch, this.config.imsize, this.config.imsize], 'int32') as tf.Tensor3D);
    const inputs = graphInputs(ids, mask, this.config);
    if (!pixelMask) mask.dispose();
    const text = new Float32Array(batch * inputs.length * this.config.clip.embedDim);
    await this.sessions.text.run(
      { [INPUT_IDS]: new ort.Tensor('int64', inputs.ids, [batch, inputs.length]) },
      { [TEXT_FEATURES]: new ort.Tensor('float32', text, [batch, inputs.length, this.config.clip.embedDim]) },
    );
    return { text, length: inputs.length };
  }

  /** Both encoders for a batch. */
  async encode(images: tf.Tensor4D, ids: tf.Tensor2D): Promise<ClipFeatures> {
    const visual = await this.encodeVisual(images);
    const { text, length } = await this.encodeText(ids);
    return { batch: images.shape[0], visual, text, length };
  }

  /** CLIP features (possibly cached) + the pixel mask and ids they belong to → boxes [B · 4] cxcywh. */
  async fuse(features: ClipFeatures, pixelMask: tf.Tensor3D, ids: tf.Tensor2D): Promise<Float32Array> {
    const { batch, length } = features;
    const [tokens, width] = this.visualShape;
    const inputs = graphInputs(ids, pixelMask, this.config);
    if (inputs.length !== length) {
      throw new Error(`OnnxClipVGStages.fuse: the text features cover ${length} tokens but these ids use ${inputs.length}`);
    }
    const boxes = new Float32Array(batch * 4);
    await this.sessions.fusion.run(
      {
        [VISUAL_FEATURES]: new ort.Tensor('float32', features.visual, [batch, tokens, width]),
        [TEXT_FEATURES]: new ort.Tensor('float32', features.text, [batch, length, this.config.clip.embedDim]),
        [INPUT_POSITIONS]: new ort.Tensor('int64', inputs.positions, [batch, inputs.sequence]),
        [INPUT_KEY_BIAS]: new ort.Tensor('float32', inputs.keyBias, [batch, inputs.sequence]),
      },
      { [OUTPUT_BOXES]: new ort.Tensor('float32', boxes, [batch, 4]) },
    );
    return boxes;
  }

  async dispose(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }
}
