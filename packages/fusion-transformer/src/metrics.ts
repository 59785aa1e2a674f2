import * as tf from '@tensorflow/tfjs-core';
import { cxcywhToXyxy, pairedIou } from './boxes';

export interface GroundingAccuracy {
  /** Correct predictions (IoU ≥ 0.5). */
  correct: number;
  total: number;
  /** `correct / total` (0 for an empty batch). */
  accuracy: number;
  /** Mean IoU over the batch. */
  meanIou: number;
  /** Per-sample IoU. */
  ious: Float32Array;
}

/**
 * Per-sample IoU as `utils/eval_utils`: prediction (cxcywh) → xyxy clamped to [0, 1]; ground truth
 * (cxcywh) → xyxy, never clamped; IoU with 1e-16 in the denominator. Returns `[B]`.
 */
export function evaluationIou(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const predXyxy = tf.clipByValue(cxcywhToXyxy(pred), 0, 1) as tf.Tensor2D;
    return pairedIou(predXyxy, cxcywhToXyxy(target), 1e-16).iou;
  });
}

/** Acc@0.5 (inclusive) and mean IoU of normalised cxcywh predictions `[B, 4]` against targets `[B, 4]`. */
export function accuracyAt05(pred: tf.Tensor2D, target: tf.Tensor2D): GroundingAccuracy {
  if (pred.shape[0] === 0) return { correct: 0, total: 0, accuracy: 0, meanIou: 0, ious: new Float32Array(0) };
  const iouTensor = evaluationIou(pred, target);
  const ious = iouTensor.dataSync() as Float32Array;
  iouTensor.dispose();
  let correct = 0;
  let sum = 0;
  for (const iou of ious) {
    if (iou >= 0.5) correct += 1;
    sum += iou;
  }
  const total = ious.length;
  return { correct, total, accuracy: total ? correct / total : 0, meanIou: total ? sum / total : 0, ious };
}
