import { getPolicy } from './registry';
import { createSimulatedHost, simulatedSources } from './simulated';
import { fractionAbove } from './histogram';

test('the simulated world shows skewed SR and bimodal CR histograms and a unimodal SSA curve', async () => {
  const sources = simulatedSources();
  const host = createSimulatedHost();
  const result = await getPolicy('msa').run(sources, host, {});
  const sr = result.reliabilities!.find((r) => r.measurer === 'caption' && r.source === 'caption')!.values;
  const cr = result.reliabilities!.find((r) => r.measurer === 'template' && r.source === 'caption')!.values;
  // a foreign measurer puts the noisy labels near 0: fewer survive h = 0.2
  expect(fractionAbove(cr, 0.2)).toBeLessThan(fractionAbove(sr, 0.2) - 0.2);
  expect(result.perSource!.length).toBeGreaterThanOrEqual(2);
  expect([...host.live]).toHaveLength(1);
  // deterministic: same decisions twice
  const again = await getPolicy('msa').run(simulatedSources(), createSimulatedHost(), {});
  expect(again.trace.map((e) => e.message)).toEqual(result.trace.map((e) => e.message));

  const ssa = await getPolicy('ssa').run({ template: sources.template }, createSimulatedHost(), { search: 'scan-all' });
  const acc = ssa.curves![0].points.map((p) => p.accuracy);
  const peak = acc.indexOf(Math.max(...acc));
  expect(peak).toBeGreaterThan(0);
  expect(peak).toBeLessThan(acc.length - 1);
});
