import { getPolicy } from '../registry';
import { scriptedHost } from '../test-hosts';
import type { Sample } from '../types';

// 12 samples, one per reliability; each threshold h = 0.0..0.9 removes exactly one more sample
const R = [0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1];
const S: Sample[] = R.map((r, i) => ({ id: `s${i}`, source: 'template', r }));
// accuracy by training-set size: rises to 9 samples (h = 0.2), dips at 8 (h = 0.3), peaks at 6 (h = 0.5)
const ACC: Record<number, number> = { 12: 0.5, 11: 0.52, 10: 0.55, 9: 0.58, 8: 0.57, 7: 0.6, 6: 0.62, 5: 0.59, 4: 0.55, 3: 0.5, 2: 0.4 };
const host = () =>
  scriptedHost(
    (s) => s.r as number,
    (set) => ACC[set.length],
  );

test('ssa stops at the first drop and keeps the threshold before it', async () => {
  const h = host();
  const result = await getPolicy('ssa').run({ template: S }, h, {});
  expect(result.thresholds).toEqual({ template: 0.2 });
  expect(result.valAccuracy).toBe(0.58);
  expect(result.selected.map((s) => s.r)).toEqual(R.filter((r) => r > 0.2));
  expect(h.trained.map((t) => t.length)).toEqual([12, 11, 10, 9, 8]); // measurer, then h = 0.0, 0.1, 0.2, 0.3
  expect(result.curves![0].points.map((p) => p.threshold)).toEqual([null, 0, 0.1, 0.2, 0.3]);
  expect([...h.live]).toEqual([result.model.id]); // every other model was released
  expect(result.trace.filter((e) => e.kind === 'stop')).toHaveLength(1);
  expect(result.reliabilities).toEqual([{ measurer: 'template', source: 'template', values: R }]);
});

test('ssa scan-all tries every threshold and keeps the argmax', async () => {
  const h = host();
  const result = await getPolicy('ssa').run({ template: S }, h, { search: 'scan-all' });
  expect(result.thresholds).toEqual({ template: 0.5 });
  expect(result.valAccuracy).toBe(0.62);
  expect(h.trained).toHaveLength(11);
  expect([...h.live]).toEqual([result.model.id]);
});

test('ssa keeps the measurer (no selection) when no threshold beats it', async () => {
  const h = scriptedHost(
    (s) => s.r as number,
    (set) => (set.length === 12 ? 0.7 : 0.6),
  );
  const result = await getPolicy('ssa').run({ template: S }, h, {});
  expect(result.thresholds).toEqual({ template: null });
  expect(result.selected).toHaveLength(12);
  expect(h.trained).toHaveLength(2);
});

test('ssa without baseline, custom thresholds, two rounds', async () => {
  const h = host();
  const result = await getPolicy('ssa').run({ template: S }, h, { baseline: false, thresholds: '0.4,0.5,0.6', rounds: 2 });
  // round 1: 0.4 → 0.60, 0.5 → 0.62, 0.6 → 0.59 (stop); round 2 re-scores with the 0.5 model: same r, no gain
  expect(result.thresholds).toEqual({ template: 0.5 });
  expect(result.reliabilities).toHaveLength(2);
  expect(result.curves!.map((c) => c.chosen)).toEqual([0.5, 0.5]);
});

test('ssa pools several sources unless one is named, and rejects bad options in one line', async () => {
  const A = S.slice(0, 6).map((s) => ({ ...s, source: 'a' }));
  const B = S.slice(6).map((s) => ({ ...s, source: 'b' }));
  const h = host();
  const pooled = await getPolicy('ssa').run({ a: A, b: B }, h, {});
  expect(Object.keys(pooled.thresholds)).toEqual(['a+b']);
  await expect(getPolicy('ssa').run({ a: A }, host(), { source: 'c' })).rejects.toThrow('policy ssa: option source must be one of a');
  await expect(getPolicy('ssa').run({ a: A }, host(), { search: 'best' })).rejects.toThrow('option search must be one of first-drop|scan-all');
  await expect(getPolicy('ssa').run({ a: A }, host(), { thresholds: [0.5, 2] })).rejects.toThrow('option thresholds');
});

test('fixed keeps r > threshold; all trains once on everything', async () => {
  const h = host();
  const fixed = await getPolicy('fixed').run({ template: S }, h, { threshold: 0.5 });
  expect(fixed.selected).toHaveLength(6);
  expect(fixed.valAccuracy).toBe(0.62);
  expect(h.trained.map((t) => t.length)).toEqual([12, 6]);
  const h2 = host();
  const all = await getPolicy('all').run({ template: S }, h2, { measure: true });
  expect(all.selected).toHaveLength(12);
  expect(all.thresholds).toEqual({ template: null });
  expect(all.reliabilities![0].values).toEqual(R);
  expect(h2.trained).toHaveLength(1);
});

test('h = 1 selects r == 1 only', async () => {
  const h = host();
  const fixed = await getPolicy('fixed').run({ template: S }, h, { threshold: 1 });
  expect(fixed.selected.map((s) => s.r)).toEqual([1]);
});

test('ssa announces its threshold candidates together, and the hint changes nothing', async () => {
  const plain = await getPolicy('ssa').run({ template: S }, host(), {});
  const h = host();
  const announced: number[][] = [];
  const hinted = await getPolicy('ssa').run({ template: S }, { ...h, prefetch: (sets) => announced.push(sets.map((s) => s.length)) }, {});
  // after the measurer: every threshold 0.0..0.9 that selects something, before the first of them is trained
  expect(announced).toEqual([[11, 10, 9, 8, 7, 6, 5, 4, 3, 2]]);
  expect(hinted.thresholds).toEqual(plain.thresholds);
  expect(hinted.trace).toEqual(plain.trace);
});
