import type * as tf from '@tensorflow/tfjs-core';

/** The runtimes that can compute CLIP-VG's boxes: the model itself on TensorFlow.js, or ONNX Runtime. */
export type EngineName = 'tfjs' | 'onnx';

/** Boxes from preprocessed tensors, whichever runtime computes them (`--engine tfjs|onnx`). */
export interface BoxPredictor {
  readonly engine: EngineName;
  /** Images NHWC [B, H, W, 3], pixel mask [B, H, W] (1 = padding), ids [B, L] → boxes [B, 4] cxcywh (caller disposes). */
  predict(images: tf.Tensor4D, pixelMask: tf.Tensor3D, ids: tf.Tensor2D): Promise<tf.Tensor2D>;
  /** Frees the engine's own resources (never the ClipVG it was made from). */
  dispose(): Promise<void>;
}
