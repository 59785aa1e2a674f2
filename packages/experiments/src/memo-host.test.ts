import { createSimulatedHost, getPolicy, simulatedSources, type SimulatedSample } from '@clip-vg/curriculum';
import { memoizeHost } from './memo-host';

describe('memoizeHost', () => {
  it('trains each distinct sample list once and gives the same results as the plain host', async () => {
    const sources = simulatedSources();
    const plain = await getPolicy('msa').run(sources, createSimulatedHost(), { measurers: 'own' });
    const host = memoizeHost(createSimulatedHost());
    for (const name of Object.keys(sources)) await getPolicy('all').run({ [name]: sources[name] }, host, {});
    const before = host.trainings;
    const memo = await getPolicy('msa').run(sources, host, { measurers: 'own' });
    expect(memo.valAccuracy).toBe(plain.valAccuracy);
    expect(memo.thresholds).toEqual(plain.thresholds);
    expect(host.reused).toBeGreaterThanOrEqual(Object.keys(sources).length); // the baselines were the measurers
    // the distinct training sets asked for, speculative prefetches aside, are fewer than the plain run's trainings
    const asked = host.trainings - host.unused;
    expect(asked - before).toBeLessThan(plain.trace.filter((e) => e.kind === 'train').length);
    host.dispose();
  });

  it('starts announced trainings once and counts the ones never asked for', async () => {
    const started: string[] = [];
    const inner = createSimulatedHost();
    const host = memoizeHost({
      ...inner,
      train: (samples: SimulatedSample[], info) => (started.push(samples.map((s) => s.id).join()), inner.train(samples, info)),
    });
    const samples = Object.values(simulatedSources())[0];
    host.prefetch([samples.slice(0, 10), samples.slice(10, 20)], { stage: 'test' });
    await host.train(samples.slice(0, 10), { stage: 'test' });
    await host.train(samples.slice(0, 10), { stage: 'test' });
    expect(started).toHaveLength(2);
    expect([host.trainings, host.reused, host.unused]).toEqual([2, 1, 1]);
    host.dispose();
  });
});
