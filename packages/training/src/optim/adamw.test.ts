import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import reference from '../../test/adamw-reference.json';
import { AdamW } from './adamw';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

test('matches torch.optim.AdamW over five steps with changing learning rates', async () => {
  const param = tf.variable(tf.tensor(reference.start, [3, 4]));
  const optimizer = new AdamW({ lr: reference.lrs[0], weightDecay: reference.weight_decay });
  const variables = new Map([['p', param]]);
  reference.grads.forEach((g, i) => {
    optimizer.lr = reference.lrs[i];
    const grad = tf.tensor(g, [3, 4]);
    optimizer.applyGradients(variables, { p: grad });
    grad.dispose();
  });
  expect(maxAbsDiff(await param.data(), reference.final)).toBeLessThan(1e-6);
  const state = await optimizer.getState();
  expect(state.step).toBe(5);
  expect(maxAbsDiff(state.moments.p.m, reference.exp_avg)).toBeLessThan(1e-6);
  expect(maxAbsDiff(state.moments.p.v, reference.exp_avg_sq)).toBeLessThan(1e-7);
  optimizer.dispose();
  param.dispose();
});

test('state round-trips: a restored optimizer continues identically', async () => {
  const make = () => tf.variable(tf.tensor(reference.start, [3, 4]));
  const a = make();
  const b = make();
  const optA = new AdamW({ lr: 1e-3, weightDecay: 1e-4 });
  const grad = tf.tensor(reference.grads[0], [3, 4]);
  optA.applyGradients(new Map([['p', a]]), { p: grad });
  b.assign(a);
  const optB = new AdamW({ lr: 1e-3, weightDecay: 1e-4 });
  optB.setState(await optA.getState());
  optA.applyGradients(new Map([['p', a]]), { p: grad });
  optB.applyGradients(new Map([['p', b]]), { p: grad });
  expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
  const before = tf.memory().numTensors;
  optA.applyGradients(new Map([['p', a]]), { p: grad });
  expect(tf.memory().numTensors).toBe(before);
  [optA, optB].forEach((o) => o.dispose());
  [a, b, grad].forEach((t) => t.dispose());
});
