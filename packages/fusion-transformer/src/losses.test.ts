import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { groundingLoss } from './losses';
import { accuracyAt05 } from './metrics';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('groundingLoss', () => {
  test('zero for a perfect prediction', () => {
    const boxes = tf.tensor2d([
      [0.5, 0.5, 0.2, 0.2],
      [0.3, 0.6, 0.4, 0.1],
    ]);
    const { loss, l1, giou } = groundingLoss(boxes, boxes);
    expect(loss.dataSync()[0]).toBeCloseTo(0, 6);
    expect(l1.dataSync()[0]).toBeCloseTo(0, 6);
    expect(giou.dataSync()[0]).toBeCloseTo(0, 6);
    tf.dispose([boxes, loss, l1, giou]);
  });

  test('L1 summed over coordinates and averaged over the batch; GIoU averaged; weights 1:1', () => {
    const pred = tf.tensor2d([
      [0.5, 0.5, 0.2, 0.2],
      [0.5, 0.5, 0.2, 0.2],
    ]);
    // first target shifted by 0.2 in x (disjoint, touching: hull 0.4×0.2, union 0.08 → GIoU 0)
    // second identical
    const target = tf.tensor2d([
      [0.7, 0.5, 0.2, 0.2],
      [0.5, 0.5, 0.2, 0.2],
    ]);
    const { loss, l1, giou } = groundingLoss(pred, target);
    expect(l1.dataSync()[0]).toBeCloseTo(0.2 / 2, 6);
    expect(giou.dataSync()[0]).toBeCloseTo((1 - 0 + 0) / 2, 5);
    expect(loss.dataSync()[0]).toBeCloseTo(0.1 + 0.5, 5);
    tf.dispose([pred, target, loss, l1, giou]);
  });
});

describe('accuracyAt05', () => {
  test('IoU exactly 0.5 counts (inclusive)', () => {
    // target [0,0,0.5,0.5]; prediction [0,0,0.5,0.25] → IoU 0.5
    const pred = tf.tensor2d([[0.25, 0.125, 0.5, 0.25]]);
    const target = tf.tensor2d([[0.25, 0.25, 0.5, 0.5]]);
    const result = accuracyAt05(pred, target);
    expect(result.ious[0]).toBeCloseTo(0.5, 6);
    expect(result.correct).toBe(1);
    tf.dispose([pred, target]);
  });

  test('the prediction is clamped to [0, 1], the target is not', () => {
    // prediction xyxy [-0.5, 0, 0.5, 1] → clamped [0, 0, 0.5, 1]: identical to the target → IoU 1
    const pred = tf.tensor2d([
      [0, 0.5, 1, 1],
      [0.25, 0.5, 0.5, 1],
    ]);
    // target xyxy [-0.5,0,0.5,1] unclamped, prediction inside it covering half → IoU 0.5
    const target = tf.tensor2d([
      [0.25, 0.5, 0.5, 1],
      [0, 0.5, 1, 1],
    ]);
    const result = accuracyAt05(pred, target);
    expect(result.ious[0]).toBeCloseTo(1, 6);
    expect(result.ious[1]).toBeCloseTo(0.5, 6);
    expect(result.correct).toBe(2);
    expect(result.accuracy).toBe(1);
    expect(result.meanIou).toBeCloseTo(0.75, 6);
    tf.dispose([pred, target]);
  });

  test('below 0.5 is wrong; empty batch gives 0', () => {
    const pred = tf.tensor2d([[0.1, 0.1, 0.1, 0.1]]);
    const target = tf.tensor2d([[0.9, 0.9, 0.1, 0.1]]);
    const result = accuracyAt05(pred, target);
    expect(result.correct).toBe(0);
    expect(result.accuracy).toBe(0);
    const empty = accuracyAt05(tf.zeros([0, 4]) as tf.Tensor2D, tf.zeros([0, 4]) as tf.Tensor2D);
    expect(empty).toMatchObject({ correct: 0, total: 0, accuracy: 0, meanIou: 0 });
    tf.dispose([pred, target]);
  });
});
