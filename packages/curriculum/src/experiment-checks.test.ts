import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';
import { loadHost } from './hosts';
import { runExperiment } from './experiment';
import { ssaPolicy } from './policies/ssa';
import type { CurriculumPolicy } from './types';

const SOURCES = 'template:60:0.7,relation:40:0.5';

test('the ssa report counts each pooled source in the selection and numbers its decisions 1, 2, 3, ...', async () => {
  const session = await loadHost('simulated', { hostOptions: { sources: SOURCES } });
  const outDir = tempDir('ssa-report-');
  const out = await runExperiment({ policy: ssaPolicy, options: { thresholds: [0.2, 0.5] }, session, outDir, examples: 0 });
  const perSource = out.summary.sources.reduce((a, s) => a + s.selected, 0);
  expect(out.summary.selectedSamples).toBeGreaterThan(0);
  expect(perSource).toBe(out.summary.selectedSamples);
  const md = readFileSync(path.join(outDir, 'report.md'), 'utf8');
  expect(md).not.toMatch(/\| 0 \| - \| - \| not used/);
  expect(md).toMatch(/\| pooled \|/);
  const numbers = [
    ...md
      .split('## Decisions')[1]
      .split('## Figures')[0]
      .matchAll(/^(\d+)\. /gm),
  ].map((m) => Number(m[1]));
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
});

test('a policy result without model or trace fails with one line naming the field, before anything is written', async () => {
  const session = await loadHost('simulated', { hostOptions: { sources: SOURCES } });
  const outDir = path.join(tempDir('bad-policy-'), 'report');
  const broken: CurriculumPolicy = {
    name: 'broken',
    description: 'returns no model and no trace',
    async run(sources) {
      return { selected: Object.values(sources).flat(), thresholds: {}, valAccuracy: 0.5 } as never;
    },
  };
  await expect(runExperiment({ policy: broken, options: {}, session, outDir })).rejects.toThrow(
    'policy broken: its result has no "model", "trace" is not an array (use [] for none); run() must resolve to { model, selected, thresholds, valAccuracy, trace }',
  );
  expect(existsSync(outDir)).toBe(false);
});

test('unknown policy and host option keys are rejected, listing the known ones', async () => {
  const session = await loadHost('simulated', { hostOptions: { sources: SOURCES } });
  await expect(runExperiment({ policy: ssaPolicy, options: { treshold: 0.5 }, session, outDir: tempDir('x-') })).rejects.toThrow(
    'policy ssa: unknown option "treshold" (known: thresholds, search, baseline, rounds, source)',
  );
  await expect(loadHost('simulated', { hostOptions: { seed: 1, size: 3 } })).rejects.toThrow('simulated host: unknown option "size" (known: seed, sources)');
});
