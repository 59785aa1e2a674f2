import { getPolicy } from '../registry';
import { scriptedHost } from '../test-hosts';
import type { Sample } from '../types';

// Reliability of each sample under the measurer trained on source A, B or C.
// A: 8 good + 2 bad. Its own measurer half-trusts the bad ones (SR 0.6); B's measurer separates them (CR 0.1).
// B: 3 good + 3 bad. A's measurer separates them; B's and C's do not.
// C: 5 bad; only its own measurer trusts them.
function make(source: string, good: number, bad: number, rel: { good: Record<string, number>; bad: Record<string, number> }): Sample[] {
  return [
    ...Array.from({ length: good }, (_, i) => ({ id: `${source}g${i}`, source, good: true, rel: rel.good })),
    ...Array.from({ length: bad }, (_, i) => ({ id: `${source}b${i}`, source, good: false, rel: rel.bad })),
  ];
}
const sources = {
  A: make('A', 8, 2, { good: { A: 0.8, B: 0.7, C: 0.3 }, bad: { A: 0.6, B: 0.1, C: 0.3 } }),
  B: make('B', 3, 3, { good: { A: 0.6, B: 0.9, C: 0.55 }, bad: { A: 0.2, B: 0.7, C: 0.55 } }),
  C: make('C', 0, 5, { good: {}, bad: { A: 0.05, B: 0.05, C: 0.9 } }),
};
// val accuracy: +1 point per good sample, -2 per bad one
const accuracy = (set: Sample[]) => Math.round(300 + set.reduce((a, s) => a + (s.good ? 10 : -20), 0)) / 1000;
const host = () => scriptedHost((s, m) => (s.rel as Record<string, number>)[m], accuracy);

test('msa picks source and measurer at h0, searches the threshold, and stops when accuracy stops rising', async () => {
  const h = host();
  const result = await getPolicy('msa').run(sources, h, {});
  // step 1: A by B at h0 (0.38) beats A by A (0.34), B by A (0.33), ...; greedy: 0.0 → 0.34, 0.1 → 0.38, 0.2 → 0.38 stop
  // step 2: B by A at h0 (0.41); greedy 0.0 → 0.35, 0.1 → 0.35 stop; the h0 model (0.41) is kept
  // step 3: C by C (0.31) does not beat 0.41: stop with C unused
  expect(result.perSource!.map((p) => [p.order, p.source, p.measurer, p.threshold, p.samples.length])).toEqual([
    [1, 'A', 'B', 0.1, 8],
    [2, 'B', 'A', 0.5, 3],
  ]);
  expect(result.thresholds).toEqual({ A: 0.1, B: 0.5 });
  expect(result.valAccuracy).toBe(0.41);
  expect(result.selected.every((s) => s.good)).toBe(true);
  expect(result.reliabilities).toHaveLength(9);
  expect(result.curves!.map((c) => c.label)).toEqual(['step 1: A by B', 'step 2: B by A', 'step 3: C by C']);
  const stops = result.trace.filter((e) => e.kind === 'stop');
  expect(stops[stops.length - 1].message).toMatch(/adding C gives 31\.00%, no better than 41\.00%; stop/);
  // 3 measurers; step 1: 6 pairs + 3 searches; step 2: 4 pairs + 2; step 3: 1 pair + 2 (0.0, 0.1)
  expect(h.trained).toHaveLength(3 + 9 + 6 + 3);
  expect([...h.live]).toEqual([result.model.id]);
});

test('msa own-measurers only, fixed order, and adding every source', async () => {
  const h = host();
  const result = await getPolicy('msa').run(sources, h, { measurers: 'own', order: 'fixed', stopOnNoGain: false, sourceOrder: 'A,B,C' });
  expect(result.perSource!.map((p) => [p.source, p.measurer])).toEqual([
    ['A', 'A'],
    ['B', 'B'],
    ['C', 'C'],
  ]);
  expect(result.reliabilities!.map((r) => `${r.measurer}${r.source}`)).toEqual(['AA', 'BB', 'CC']);
  expect([...h.live]).toEqual([result.model.id]);
});

test('msa scan-all and cross measurers', async () => {
  const result = await getPolicy('msa').run(sources, host(), { measurers: 'cross', search: 'scan-all' });
  expect(result.perSource!.every((p) => p.source !== p.measurer)).toBe(true);
  expect(result.perSource![0]).toMatchObject({ source: 'A', measurer: 'B', threshold: 0.1 });
});

test('msa stops early when no pair selects anything, and fails when nothing can be trained', async () => {
  const onlyC = { C: sources.C };
  await expect(getPolicy('msa').run(onlyC, host(), { measurers: 'cross', h0: 0.95 })).rejects.toThrow('policy msa: no source has samples with r>0.95');
  await expect(getPolicy('msa').run({ A: [] }, host(), {})).rejects.toThrow('policy msa: source A has no samples');
  await expect(getPolicy('msa').run(sources, host(), { sourceOrder: 'A,Z' })).rejects.toThrow('unknown source Z');
});

test('msa announces its measurers and each step’s measurer candidates together, and the hint changes nothing', async () => {
  const sources = {
    a: [
      { id: 'a0', source: 'a', r: 0.9 },
      { id: 'a1', source: 'a', r: 0.2 },
    ],
    b: [
      { id: 'b0', source: 'b', r: 0.8 },
      { id: 'b1', source: 'b', r: 0.6 },
    ],
  };
  const hostFor = () =>
    scriptedHost(
      (s) => s.r as number,
      (set) => 0.3 + 0.1 * set.length,
    );
  const plain = await getPolicy('msa').run(sources, hostFor(), {});
  const stages: string[] = [];
  const hinted = await getPolicy('msa').run(sources, { ...hostFor(), prefetch: (_sets, info) => stages.push(info.stage) }, {});
  expect(stages.slice(0, 2)).toEqual(['measurer', 'msa step 1']);
  expect(hinted.trace).toEqual(plain.trace);
  expect(hinted.thresholds).toEqual(plain.thresholds);
});
