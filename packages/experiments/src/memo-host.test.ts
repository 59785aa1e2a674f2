import { createSimulatedHost, getPolicy, simulatedSources } from '@clip-vg/curriculum';
import { memoizeHost } from './memo-host';

describe('memoizeHost', () => {
  it('trains each distinct sample list once and gives the same results as the plain host', async () => {
    const sources = simulatedSources();
    const plain = await getPolicy('msa').run(sources, createSimulatedHost(), { measurers: 'own' });
    const host = memoizeHost(createSimulatedHost());
    for (const name of Object.keys(sources)) await getPolicy('all').run({ [name]: sources[name]! }, host, {});
    const before = host.trainings;
    const memo = await getPolicy('msa').run(sources, host, { measurers: 'own' });
    expect(memo.valAccuracy).toBe(plain.valAccuracy);
    expect(memo.thresholds).toEqual(plain.thresholds);
    expect(host.reused).toBeGreaterThanOrEqual(Object.keys(sources).length); // the baselines were the measurers
    expect(host.trainings - before).toBeLessThan(plain.trace.filter((e) => e.kind === 'train').length);
    host.dispose();
  });
});
