import * as tf from '@tensorflow/tfjs-core';

/**
 * Box utilities on `[N, 4]` tensors, as DETR's `box_ops` (which CLIP-VG uses): boxes are either
 * `(cx, cy, w, h)` or `(x1, y1, x2, y2)`, and IoU / GIoU are element-wise (box i against box i).
 */

/** `[N, 4]` cxcywh → `[N, 4]` xyxy. */
export function cxcywhToXyxy(boxes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [cx, cy, w, h] = tf.split(boxes, 4, 1);
    const halfW = tf.mul(w, 0.5);
    const halfH = tf.mul(h, 0.5);
    return tf.concat([tf.sub(cx, halfW), tf.sub(cy, halfH), tf.add(cx, halfW), tf.add(cy, halfH)], 1) as tf.Tensor2D;
  });
}

/** `[N, 4]` xyxy → `[N, 4]` cxcywh. */
export function xyxyToCxcywh(boxes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.split(boxes, 4, 1);
    return tf.concat([tf.mul(tf.add(x1, x2), 0.5), tf.mul(tf.add(y1, y2), 0.5), tf.sub(x2, x1), tf.sub(y2, y1)], 1) as tf.Tensor2D;
  });
}

/** Area of `[N, 4]` xyxy boxes → `[N]`. Degenerate boxes give 0 or a negative area, as torchvision. */
export function boxArea(boxes: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.split(boxes, 4, 1);
    return tf.reshape(tf.mul(tf.sub(x2, x1), tf.sub(y2, y1)), [-1]) as tf.Tensor1D;
  });
}

export interface IouParts {
  /** `[N]` intersection over union. */
  iou: tf.Tensor1D;
  /** `[N]` union area. */
  union: tf.Tensor1D;
}

/**
 * Element-wise IoU of xyxy boxes, `[N]`. `eps` is added to the union (the evaluation code uses 1e-16;
 * the GIoU loss uses none, so identical zero-area boxes give NaN there exactly as upstream).
 */
export function pairedIou(a: tf.Tensor2D, b: tf.Tensor2D, eps = 0): IouParts {
  return tf.tidy(() => {
    const [ax1, ay1, ax2, ay2] = tf.split(a, 4, 1);
    const [bx1, by1, bx2, by2] = tf.split(b, 4, 1);
    const interW = tf.relu(tf.sub(tf.minimum(ax2, bx2), tf.maximum(ax1, bx1)));
    const interH = tf.relu(tf.sub(tf.minimum(ay2, by2), tf.maximum(ay1, by1)));
    const inter = tf.reshape(tf.mul(interW, interH), [-1]);
    const union = tf.sub(tf.add(boxArea(a), boxArea(b)), inter);
    const iou = tf.div(inter, eps === 0 ? union : tf.add(union, eps)) as tf.Tensor1D;
    return { iou, union: union as tf.Tensor1D };
  });
}

/** Element-wise generalised IoU of xyxy boxes, `[N]`: IoU − (C − U) / C with C the enclosing box area. */
export function pairedGiou(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const { iou, union } = pairedIou(a, b);
    const [ax1, ay1, ax2, ay2] = tf.split(a, 4, 1);
    const [bx1, by1, bx2, by2] = tf.split(b, 4, 1);
    const hullW = tf.relu(tf.sub(tf.maximum(ax2, bx2), tf.minimum(ax1, bx1)));
    const hullH = tf.relu(tf.sub(tf.maximum(ay2, by2), tf.minimum(ay1, by1)));
    const hull = tf.reshape(tf.mul(hullW, hullH), [-1]);
    return tf.sub(iou, tf.div(tf.sub(hull, union), hull)) as tf.Tensor1D;
  });
}

/** Plain-number helpers for single boxes (CLI output, reports). */
export type Box4 = [number, number, number, number];

export function cxcywhToXyxyBox([cx, cy, w, h]: readonly number[]): Box4 {
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

export function xyxyToCxcywhBox([x1, y1, x2, y2]: readonly number[]): Box4 {
  return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
}
