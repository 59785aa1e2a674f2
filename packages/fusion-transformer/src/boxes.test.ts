import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { cxcywhToXyxy, cxcywhToXyxyBox, pairedGiou, pairedIou, xyxyToCxcywh, xyxyToCxcywhBox } from './boxes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (t: tf.Tensor): number[] => {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
};

describe('box conversions', () => {
  test('cxcywh ↔ xyxy round-trips', () => {
    const boxes = tf.tensor2d([
      [0.5, 0.5, 0.2, 0.4],
      [0.1, 0.9, 0, 0],
    ]);
    const xyxy = cxcywhToXyxy(boxes);
    expect(Array.from(xyxy.dataSync())).toEqual([0.4, 0.3, 0.6, 0.7, 0.1, 0.9, 0.1, 0.9].map((v) => Math.fround(v)));
    const back = values(xyxyToCxcywh(xyxy));
    back.forEach((v, i) => expect(v).toBeCloseTo(boxes.dataSync()[i], 6));
    tf.dispose([boxes, xyxy]);
  });

  test('number helpers', () => {
    expect(cxcywhToXyxyBox([10, 20, 4, 6])).toEqual([8, 17, 12, 23]);
    expect(xyxyToCxcywhBox([8, 17, 12, 23])).toEqual([10, 20, 4, 6]);
  });
});

describe('IoU and GIoU on edge cases', () => {
  const pair = (a: number[][], b: number[][]) => [tf.tensor2d(a), tf.tensor2d(b)] as const;

  test('identical boxes: IoU 1, GIoU 1', () => {
    const [a, b] = pair([[0, 0, 2, 2]], [[0, 0, 2, 2]]);
    expect(values(pairedIou(a, b).iou)[0]).toBeCloseTo(1, 6);
    expect(values(pairedGiou(a, b))[0]).toBeCloseTo(1, 6);
    tf.dispose([a, b]);
  });

  test('disjoint boxes: IoU 0, GIoU negative by the empty share of the hull', () => {
    const [a, b] = pair([[0, 0, 1, 1]], [[2, 0, 3, 1]]);
    expect(values(pairedIou(a, b).iou)[0]).toBe(0);
    // hull 3, union 2 → GIoU = 0 − 1/3
    expect(values(pairedGiou(a, b))[0]).toBeCloseTo(-1 / 3, 6);
    tf.dispose([a, b]);
  });

  test('nested boxes: IoU is the area ratio, GIoU equals IoU', () => {
    const [a, b] = pair([[0, 0, 4, 4]], [[1, 1, 3, 3]]);
    expect(values(pairedIou(a, b).iou)[0]).toBeCloseTo(0.25, 6);
    expect(values(pairedGiou(a, b))[0]).toBeCloseTo(0.25, 6);
    tf.dispose([a, b]);
  });

  test('zero-area box against a real box: IoU 0, GIoU finite', () => {
    const [a, b] = pair([[1, 1, 1, 1]], [[0, 0, 2, 2]]);
    expect(values(pairedIou(a, b).iou)[0]).toBe(0);
    expect(values(pairedGiou(a, b))[0]).toBeCloseTo(0, 6);
    tf.dispose([a, b]);
  });

  test('zero-area identical boxes: 0/0 like upstream without eps, 0 with the evaluation eps', () => {
    const [a, b] = pair([[1, 1, 1, 1]], [[1, 1, 1, 1]]);
    expect(Number.isNaN(values(pairedIou(a, b).iou)[0])).toBe(true);
    expect(values(pairedIou(a, b, 1e-16).iou)[0]).toBe(0);
    tf.dispose([a, b]);
  });

  test('partial overlap', () => {
    const [a, b] = pair([[0, 0, 2, 2]], [[1, 1, 3, 3]]);
    // inter 1, union 7, hull 9 → GIoU = 1/7 − 2/9
    expect(values(pairedIou(a, b).iou)[0]).toBeCloseTo(1 / 7, 6);
    expect(values(pairedGiou(a, b))[0]).toBeCloseTo(1 / 7 - 2 / 9, 6);
    tf.dispose([a, b]);
  });
});
