import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';
import { runExperiment } from './experiment';
import { getPolicy } from './registry';
import { scriptedHost } from './test-hosts';

const sources = { a: Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, source: 'a', r: i / 5 })) };
const session = () => ({
  dataset: 'plain',
  host: scriptedHost(
    (s) => s.r as number,
    (set) => set.length / 10,
  ),
  sources,
});

test('samples without split-record fields skip the split files (auto), or fail before the policy runs (true)', async () => {
  const out = tempDir('exp-');
  const s = session();
  const run = await runExperiment({ policy: getPolicy('fixed'), options: { threshold: 0.3 }, session: s, outDir: out });
  expect(run.splits).toEqual([]);
  expect(run.summary.trainings).toBe(2);
  expect(existsSync(path.join(out, 'results.json'))).toBe(true);
  const strict = session();
  await expect(
    runExperiment({ policy: getPolicy('fixed'), options: {}, session: strict, outDir: out, writeSubsets: true, hostName: 'scripted' }),
  ).rejects.toThrow('host scripted: sample 0 lacks image/boxOriginal/text');
  expect(strict.host.trained).toHaveLength(0);
});
