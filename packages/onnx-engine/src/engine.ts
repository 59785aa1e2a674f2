/**
 * CLIP-VG inference on ONNX Runtime: the graph is built in memory from the project's own weights (no export
 * step, no Python) and run on the CPU execution provider, or CUDA where the installed onnxruntime has it.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { WeightSource } from '@clip-vg/clip-encoders';
import * as ort from 'onnxruntime-node';
import { isProjectFolder, readOfficialCheckpoint, readProjectFolder, type ClipVG, type ClipVGConfig, type ConfigOverrides } from '@clip-vg/fusion-transformer';
import { buildClipVGOnnx, INPUT_IDS, INPUT_IMAGE_INDEX, INPUT_IMAGES, INPUT_KEY_BIAS, INPUT_POSITIONS, OUTPUT_BOXES } from './graph/clip-vg-graph';
import { groupRowsByImage } from './image-groups';
import { batchInputArrays, graphInputsForRows } from './inputs';
import { collectGarbage } from './memory';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface OnnxEngineOptions {
  /** Default 'cpu'. 'cuda' needs an onnxruntime-node build with the CUDA provider. */
  executionProvider?: ExecutionProvider;
  /** Intra-op threads (default: the machine's available parallelism). */
  threads?: number;
  /** Write ORT's per-op profile (JSON) with this file prefix. */
  profilePrefix?: string;
  /**
   * Let idle worker threads spin (ORT's default, true). On a machine shared with other work, false stops
   * the spinning from stealing cycles that the other threads need.
   */
  spinning?: boolean;
  /**
   * The most distinct images per ORT run; a larger batch runs as consecutive chunks (boxes unchanged: every row is
   * computed on its own; rows with identical images share one pass of the image tower). Default 4 on the CPU
   * provider: on a 2-core AVX2 machine, ViT-B/16 batches of 8 ran 3–4% faster as two runs of 4, whose activations
   * stay in cache; chunks of 2 or 1 were no faster than 8. Unlimited on CUDA.
   */
  chunkSize?: number;
  /** Further ONNX Runtime session config entries (`{ 'session.dynamic_block_base': '4' }`), for experiments. */
  sessionConfig?: Record<string, string>;
}

/** True when the installed onnxruntime-node can run `provider`. */
export function hasExecutionProvider(provider: ExecutionProvider): boolean {
  return ort.listSupportedBackends?.().some((b) => b.name === provider && b.bundled) ?? provider === 'cpu';
}

/** An ORT session for `bytes` with this package's settings (graph optimisation `all`, sequential, intra-op threads). */
export async function createSession(bytes: Uint8Array, options: OnnxEngineOptions = {}): Promise<ort.InferenceSession> {
  const provider = options.executionProvider ?? 'cpu';
  if (!hasExecutionProvider(provider)) {
    throw new Error(
      `onnx engine: this onnxruntime-node build has no '${provider}' execution provider (available: ${ort
        .listSupportedBackends()
        .filter((b) => b.bundled)
        .map((b) => b.name)
        .join(', ')})`,
    );
  }
  collectGarbage(); // free the weights' staging copies before ORT makes its own
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.threads ?? os.availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableProfiling: options.profilePrefix !== undefined,
    profileFilePrefix: options.profilePrefix,
    extra: {
      ...(options.spinning === false ? { 'session.intra_op.allow_spinning': '0', 'session.inter_op.allow_spinning': '0' } : {}),
      ...options.sessionConfig,
    },
  });
  return session;
}

/** Distinct images per ORT run on the CPU provider (see `OnnxEngineOptions.chunkSize`). */
export const DEFAULT_CPU_CHUNK = 4;

export class OnnxClipVG {
  private constructor(
    readonly config: ClipVGConfig,
    private readonly session: ort.InferenceSession,
    readonly executionProvider: ExecutionProvider,
    /** The most distinct images per ORT run. */
    readonly chunkSize: number,
  ) {}

  /** From a TensorFlow.js model: reads its weights (CLIP included) once; the model stays usable and owned by the caller. */
  static async fromModel(model: ClipVG, options: OnnxEngineOptions = {}): Promise<OnnxClipVG> {
    return OnnxClipVG.fromStateDict(model.stateDict({ includeClip: true }), model.config, options);
  }

  /** From a state dict in official names (CLIP under `clip.`), e.g. an official checkpoint's. */
  static async fromStateDict(weights: WeightSource, config: ClipVGConfig, options: OnnxEngineOptions & { origin?: string } = {}): Promise<OnnxClipVG> {
    const bytes = buildClipVGOnnx(weights, config, { origin: options.origin });
    return OnnxClipVG.fromOnnx(bytes, config, options);
  }

  /**
   * From an official CLIP-VG checkpoint or a project folder saved with CLIP weights, without TensorFlow.js
   * weights: the file's tensors go straight into the graph (the least memory for `predict`).
   */
  static async fromPretrained(fileOrDir: string, options: OnnxEngineOptions & { config?: ConfigOverrides } = {}): Promise<OnnxClipVG> {
    const build = (): { bytes: Uint8Array; config: ClipVGConfig } => {
      if (isProjectFolder(fileOrDir)) {
        const folder = readProjectFolder(fileOrDir);
        if (!folder.includesClip)
          throw new Error(`${fileOrDir}: the folder was saved without CLIP weights; load it with ClipVG.fromPretrained and use OnnxClipVG.fromModel`);
        const { clip: clipOverrides, ...rest } = options.config ?? {};
        const config: ClipVGConfig = { ...folder.config, ...rest, clip: { ...folder.config.clip, ...clipOverrides } };
        return { bytes: buildClipVGOnnx(folder.weights, config, { origin: fileOrDir }), config };
      }
      const checkpoint = readOfficialCheckpoint(fileOrDir, options.config);
      return { bytes: buildClipVGOnnx(checkpoint.stateDict as WeightSource, checkpoint.config, { origin: fileOrDir }), config: checkpoint.config };
    };
    const { bytes, config } = build(); // the decoded checkpoint goes out of scope here
    return OnnxClipVG.fromOnnx(bytes, config, options);
  }

  /** From bytes written by `buildClipVGOnnx` (e.g. saved with `writeClipVGOnnx`). */
  static async fromOnnx(bytes: Uint8Array, config: ClipVGConfig, options: OnnxEngineOptions = {}): Promise<OnnxClipVG> {
    const provider = options.executionProvider ?? 'cpu';
    const chunkSize = options.chunkSize ?? (provider === 'cpu' ? DEFAULT_CPU_CHUNK : Infinity);
    if (!(chunkSize >= 1)) throw new Error(`onnx engine: chunkSize must be at least 1, got ${chunkSize}`);
    const session = await createSession(bytes, options);
    return new OnnxClipVG(config, session, provider, Math.floor(chunkSize));
  }

  /** The whole model, as `ClipVG.predict`: images NHWC, pixel mask [B, H, W] (1 = padding), ids [B, L] → boxes [B, 4] cxcywh. */
  async predict(images: tf.Tensor4D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D): Promise<tf.Tensor2D> {
    const boxes = await this.predictArrays(images, pixelMask, ids);
    return tf.tensor2d(boxes, [images.shape[0], 4]);
  }

  /** As `predict`, returning the boxes as a flat Float32Array [B · 4]. */
  async predictArrays(images: tf.Tensor4D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D): Promise<Float32Array> {
    this.checkInputs(images, pixelMask, ids);
    const batch = images.shape[0];
    const size = this.config.imsize;
    const boxes = new Float32Array(batch * 4);
    const imageLength = size * size * 3;
    const imageData = images.dataSync() as Float32Array;
    const maskValues = pixelMask.dataSync();
    const maskData = maskValues instanceof Int32Array ? maskValues : Int32Array.from(maskValues);
    const hostInputs = batchInputArrays(ids, pixelMask, this.config);
    // Rows that show the same image run the image tower once (exact: CLIP's features depend on the pixels alone).
    for (const { start, end, imageRows, imageIndex } of groupRowsByImage(imageData, maskData, batch, this.chunkSize)) {
      const rows = end - start;
      const distinct = imageRows.length;
      const inOrder = distinct === rows && imageRows.every((row, i) => row === start + i);
      const chunkImages = inOrder ? imageData.subarray(start * imageLength, end * imageLength) : new Float32Array(distinct * imageLength);
      if (!inOrder) imageRows.forEach((row, i) => chunkImages.set(imageData.subarray(row * imageLength, (row + 1) * imageLength), i * imageLength));
      // Each chunk's text and fusion sequence are trimmed to what that chunk uses.
      const inputs = graphInputsForRows(hostInputs, start, end);
      const feeds = {
        [INPUT_IMAGES]: new ort.Tensor('float32', chunkImages, [distinct, size, size, 3]),
        [INPUT_IDS]: new ort.Tensor('int64', inputs.ids, [rows, inputs.length]),
        [INPUT_IMAGE_INDEX]: new ort.Tensor('int64', imageIndex, [rows]),
        [INPUT_POSITIONS]: new ort.Tensor('int64', inputs.positions, [rows, inputs.sequence]),
        [INPUT_KEY_BIAS]: new ort.Tensor('float32', inputs.keyBias, [rows, inputs.sequence]),
      };
      // ORT writes the boxes straight into the result array.
      await this.session.run(feeds, { [OUTPUT_BOXES]: new ort.Tensor('float32', boxes.subarray(start * 4, end * 4), [rows, 4]) });
    }
    return boxes;
  }

  /** Stop profiling and return the profile file's path (with `profilePrefix`). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }

  private checkInputs(images: tf.Tensor4D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D): void {
    const { imsize, maxQueryLen } = this.config;
    const batch = images.shape[0];
    const fail = (what: string): never => {
      throw new Error(`OnnxClipVG.predict: ${what}`);
    };
    if (images.rank !== 4 || images.shape[1] !== imsize || images.shape[2] !== imsize || images.shape[3] !== 3) {
      fail(`images are [${images.shape}], expected [B, ${imsize}, ${imsize}, 3]`);
    }
    if (pixelMask.rank !== 3 || pixelMask.shape[0] !== batch || pixelMask.shape[1] !== imsize || pixelMask.shape[2] !== imsize) {
      fail(`pixel mask is [${pixelMask.shape}], expected [${batch}, ${imsize}, ${imsize}]`);
    }
    if (ids.rank !== 2 || ids.shape[0] !== batch || ids.shape[1] > maxQueryLen) {
      fail(`token ids are [${ids.shape}], expected [${batch}, ≤ ${maxQueryLen}]`);
    }
  }
}
