import * as tf from '@tensorflow/tfjs-core';
import { cxcywhToXyxy, pairedGiou } from './boxes';

export interface GroundingLoss {
  /** Scalar `l1 + giou`, the training objective (weights 1:1 as `trans_vg_loss`). */
  loss: tf.Scalar;
  /** Scalar L1 summed over the 4 coordinates, averaged over the batch. */
  l1: tf.Scalar;
  /** Scalar mean of `1 − GIoU`. */
  giou: tf.Scalar;
}

/**
 * CLIP-VG's loss on normalised cxcywh boxes `[B, 4]` (prediction and target in the padded square frame).
 * Plain L1 (not smooth-L1) plus GIoU, both averaged over the batch, as `utils/loss_utils.trans_vg_loss`.
 */
export function groundingLoss(pred: tf.Tensor2D, target: tf.Tensor2D): GroundingLoss {
  return tf.tidy(() => {
    const batch = pred.shape[0];
    const l1 = tf.div(tf.sum(tf.abs(tf.sub(pred, target))), batch) as tf.Scalar;
    const giouPerBox = pairedGiou(cxcywhToXyxy(pred), cxcywhToXyxy(target));
    const giou = tf.div(tf.sum(tf.sub(1, giouPerBox)), batch) as tf.Scalar;
    return { loss: tf.add(l1, giou) as tf.Scalar, l1, giou };
  });
}
