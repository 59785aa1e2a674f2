import { coarsen, fractionAbove, reliabilityHistogram } from './histogram';
import { selectByReliability, thresholdTag } from './select';

test('bins are (k/n, (k+1)/n]; zeros fall outside', () => {
  const h = reliabilityHistogram([0, 0.001, 0.0011, 0.5, 1, 1], 1000);
  expect(h.zeros).toBe(1);
  expect(h.total).toBe(6);
  expect(h.counts[0]).toBe(1); // 0.001 is the right edge of bin 0
  expect(h.counts[1]).toBe(1);
  expect(h.counts[499]).toBe(1);
  expect(h.counts[999]).toBe(2);
  expect(coarsen(h, 10).counts[0]).toBe(2);
  expect(() => reliabilityHistogram([1.5])).toThrow('outside [0, 1]');
});

test('selection is strict, and 1 means exactly 1', () => {
  const r = [0, 0.5, 0.50001, 1];
  expect(selectByReliability(['a', 'b', 'c', 'd'], r, 0)).toEqual(['b', 'c', 'd']);
  expect(selectByReliability(['a', 'b', 'c', 'd'], r, 0.5)).toEqual(['c', 'd']);
  expect(selectByReliability(['a', 'b', 'c', 'd'], r, 1)).toEqual(['d']);
  expect(fractionAbove(r, 0.5)).toBe(0.5);
  expect(() => selectByReliability(['a'], [], 0)).toThrow('1 samples but 0 reliabilities');
});

test('threshold tags follow Python str(h).replace(".", "_")', () => {
  expect([0, 0.1, 0.3, 0.5, 1].map(thresholdTag)).toEqual(['0_0', '0_1', '0_3', '0_5', '1_0']);
});
