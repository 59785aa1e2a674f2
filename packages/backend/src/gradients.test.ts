import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init';
import { ensureGradients } from './gradients';

/** Gradients of every transpose combination of a 2-D product, and of a batched one, as plain arrays. */
function productGradients(): number[][] {
  const a = tf.tensor2d([
    [0.3, -1.2, 0.5],
    [2.0, 0.1, -0.7],
  ]); // [2, 3]
  const b = tf.tensor2d([
    [1.1, -0.4],
    [0.2, 0.9],
    [-1.5, 0.6],
  ]); // [3, 2]
  const out: number[][] = [];
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const x = tf.variable(ta ? tf.transpose(a) : a, true, `x${ta}${tb}`);
    const y = tf.variable(tb ? tf.transpose(b) : b, true, `y${ta}${tb}`);
    const weights = tf.tensor2d([
      [1, 2],
      [3, -4],
    ]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), weights)), [x, y]);
    out.push(Array.from(grads[x.name].dataSync()), Array.from(grads[y.name].dataSync()));
    tf.dispose([x, y]);
  }
  const q = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
  const k = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 2);
  const qv = tf.variable(q, true, 'q');
  const kv = tf.variable(k, true, 'k');
  const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(qv, kv, false, true))), [qv, kv]);
  out.push(Array.from(grads.q.dataSync()), Array.from(grads.k.dataSync()));
  tf.dispose([qv, kv]);
  return out;
}

describe('ensureGradients: matMul gradients on wasm', () => {
  it('equal the stock gradients computed on the cpu backend', async () => {
    await initBackend('cpu', { log: null });
    ensureGradients();
    const expected = tf.tidy(() => productGradients());
    await initBackend('wasm', { log: null });
    const actual = tf.tidy(() => productGradients());
    expect(actual.length).toBe(expected.length);
    actual.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected[i][j])))));
  });
});
