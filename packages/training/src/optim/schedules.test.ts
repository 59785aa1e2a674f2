import { learningRate, lrMultiplier } from './schedules';

test('cosine, per epoch, as the spec worked example (110 epochs, lr 2.5e-4)', () => {
  const opts = { epochs: 110 };
  expect(learningRate(2.5e-4, 'cosine', 0, opts)).toBeCloseTo(2.5e-4, 12);
  expect(learningRate(2.5e-4, 'cosine', 55, opts)).toBeCloseTo(1.25e-4, 12);
  expect(learningRate(2.5e-4, 'cosine', 109, opts)).toBeCloseTo(5.1e-8, 9);
});

test('the other official schedules', () => {
  expect(lrMultiplier('step', 59, { epochs: 90 })).toBe(1);
  expect(lrMultiplier('step', 60, { epochs: 90 })).toBeCloseTo(0.1, 12);
  expect(lrMultiplier('step', 3, { epochs: 90, lrDrop: 2 })).toBeCloseTo(0.1, 12);
  expect(lrMultiplier('poly', 45, { epochs: 90 })).toBeCloseTo(0.5 ** 0.9, 12);
  expect(lrMultiplier('halfdecay', 19, { epochs: 100 })).toBe(0.5);
  expect(lrMultiplier('halfdecay', 20, { epochs: 100 })).toBe(0.25);
  expect(lrMultiplier('exponential', 3, { epochs: 10 })).toBeCloseTo(0.729, 12);
  expect(() => lrMultiplier('linear' as never, 0, { epochs: 1 })).toThrow(/unknown lr scheduler 'linear'/);
});
