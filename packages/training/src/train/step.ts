/**
 * One optimisation step: forward with dropout, L1 + GIoU, gradients of the trainable variables, AdamW.
 * Dropout draws from a generator seeded by (seed, epoch, step), so a resumed run repeats the same masks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed } from '@clip-vg/datasets';
import { groundingLoss, type ClipVG } from '@clip-vg/fusion-transformer';
import { ensureGradients } from '@clip-vg/backend';
import type { AdamW } from '../optim/adamw';
import { DROPOUT_STREAM, withSeededRandom } from '../seeded-random';
import { predictBatch, type HostBatch } from '../data/batches';

export interface StepLoss {
  loss: number;
  l1: number;
  giou: number;
}

/** Trainable variables under stable names (`param.{i}`, in the model's order) for the optimizer and resume. */
export function namedTrainables(model: ClipVG): Map<string, tf.Variable> {
  return new Map(model.trainableVariables().map((v, i) => [`param.${i}`, v]));
}

export function trainStep(
  model: ClipVG,
  variables: Map<string, tf.Variable>,
  optimizer: AdamW,
  batch: HostBatch,
  rng: { seed: number; epoch: number; step: number },
): StepLoss {
  ensureGradients();
  const list = [...variables.values()];
  const byTfName = new Map([...variables].map(([name, v]) => [v.name, name]));
  const [loss, l1, giou] = withSeededRandom(deriveSeed(rng.seed, DROPOUT_STREAM + rng.epoch, rng.step), () => {
    const parts: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const out = groundingLoss(predictBatch(model, batch, true), tf.tensor2d(batch.boxes, [batch.size, 4]));
      parts.push(tf.keep(out.l1), tf.keep(out.giou));
      return out.loss;
    }, list);
    const named: Record<string, tf.Tensor> = {};
    for (const [tfName, grad] of Object.entries(grads)) named[byTfName.get(tfName)!] = grad;
    optimizer.applyGradients(variables, named);
    tf.dispose(Object.values(grads));
    const numbers = [value, ...parts].map((t) => t.dataSync()[0]);
    tf.dispose([value, ...parts]);
    return numbers;
  });
  return { loss: loss, l1: l1, giou: giou };
}
