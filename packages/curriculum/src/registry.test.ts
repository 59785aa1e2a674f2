import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';
import { getPolicy, listPolicies, loadPolicy, registerPolicy } from './registry';
import type { CurriculumPolicy } from './types';

const POLICY_SOURCE = `
module.exports = {
  name: 'first-half',
  description: 'keeps the first half of every source',
  async run(sources, host) {
    const selected = Object.values(sources).flatMap((s) => s.slice(0, Math.ceil(s.length / 2)));
    const model = await host.train(selected, { stage: 'final' });
    const valAccuracy = await host.evaluate(model);
    return { model, selected, thresholds: {}, valAccuracy, trace: [] };
  },
};
`;

test('built-ins are registered by name', () => {
  expect(listPolicies()).toEqual(expect.arrayContaining(['all', 'fixed', 'ssa', 'msa']));
  expect(() => getPolicy('nope')).toThrow('unknown curriculum policy "nope" (known: all, fixed, ssa, msa');
});

test('a policy module loads from a path relative to cwd and registers under its name', async () => {
  const dir = tempDir('policy-');
  writeFileSync(path.join(dir, 'my-policy.js'), POLICY_SOURCE);
  writeFileSync(path.join(dir, 'named.cjs'), POLICY_SOURCE.replace('module.exports =', 'exports.policy =').replace('first-half', 'named-half'));
  const p = await loadPolicy('./my-policy.js', dir);
  expect(p.name).toBe('first-half');
  expect(getPolicy('first-half')).toBe(p);
  expect((await loadPolicy(path.join(dir, 'named.cjs'))).name).toBe('named-half');
});

test('bad policy modules fail with one line naming the file', async () => {
  const dir = tempDir('policy-');
  writeFileSync(path.join(dir, 'empty.js'), 'module.exports = { hello: 1 };');
  await expect(loadPolicy('./empty.js', dir)).rejects.toThrow(`${path.join(dir, 'empty.js')}: exports no curriculum policy`);
  await expect(loadPolicy('./missing.js', dir)).rejects.toThrow('missing.js: policy module not found');
  await expect(loadPolicy('no-such-package-xyz', dir)).rejects.toThrow('not a built-in');
  expect(() => registerPolicy({ name: '', description: '', run: async () => undefined } as unknown as CurriculumPolicy)).toThrow('needs a non-empty name');
});
