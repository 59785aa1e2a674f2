import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPth } from '@clip-vg/torch-io';
import { tempDir } from '@clip-vg/test-utils';
import { runCli } from '../testing/run-cli';

const SMALL = ['--host', 'simulated', '--host-option', 'sources=template:60:0.7,relation:40:0.5', '--examples', '2'];

test('a custom policy module from a temp folder runs through clip-vg curriculum --policy', async () => {
  const dir = tempDir('custom-policy-');
  writeFileSync(
    path.join(dir, 'keep-half.js'),
    `module.exports = {
      name: 'keep-half',
      description: 'score with a model trained on everything, keep the better half',
      async run(sources, host, options) {
        const all = Object.values(sources).flat();
        const measurer = await host.train(all, { stage: 'measurer' });
        const r = await host.score(measurer, all);
        host.release(measurer);
        const cut = [...r].sort((a, b) => b - a)[Math.floor(r.length / 2)];
        const selected = all.filter((_, i) => r[i] > cut);
        const model = await host.train(selected, { stage: 'final' });
        const valAccuracy = await host.evaluate(model);
        const trace = [{ index: 0, kind: 'select', stage: 'final', message: 'kept ' + selected.length + ' above r > ' + cut }];
        host.report && host.report(trace[0]);
        return { model, selected, thresholds: { all: cut }, valAccuracy, trace, reliabilities: [{ measurer: 'all', source: 'all', values: r }] };
      },
    };\n`,
  );
  const out = path.join(dir, 'report');
  const { code, stdout, stderr } = await runCli(['curriculum', '--policy', path.join(dir, 'keep-half.js'), ...SMALL, '-o', out, '--json']);
  expect([code, stderr.split('\n').filter((l) => l.startsWith('clip-vg:'))]).toEqual([0, []]);
  expect(stderr).toMatch(/\[final\] kept \d+ above r > /);
  const summary = JSON.parse(stdout);
  expect(summary.policy).toBe('keep-half');
  expect(summary.totalSamples).toBe(100);
  expect(summary.selectedSamples).toBeLessThanOrEqual(50);
  expect(summary.trainings).toBe(2);
  expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).policy).toBe('keep-half');
  expect(existsSync(path.join(out, 'report.html'))).toBe(true);
  expect(existsSync(path.join(out, 'plots', 'histogram_all__all.png'))).toBe(true);
  expect(readdirSync(path.join(out, 'examples'))).toEqual(['01.png', '02.png']);
  expect((loadPth(path.join(out, 'synthetic_train_pseudo.pth')) as unknown[]).length).toBe(summary.selectedSamples);
});

test('msa on the simulated host writes the per-source split files in k order and the SR/CR grid', async () => {
  const out = tempDir('msa-');
  const { code, stdout, stderr } = await runCli([
    'curriculum',
    '--policy',
    'msa',
    ...SMALL,
    '-o',
    out,
    '--thresholds',
    '0.1,0.3,0.5',
    '--set',
    'measurers=all',
  ]);
  expect([code, stderr.split('\n').filter((l) => l.startsWith('clip-vg:'))]).toEqual([0, []]);
  expect(stdout).toMatch(/^curriculum msa: val Acc@0\.5 \d+\.\d\d% on \d+\/100 samples/);
  expect(stderr).toMatch(/\[msa step 1\] step 1: add/);
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  const files = readdirSync(path.join(out, 'train_separate')).sort();
  expect(files.length).toBe(results.sources.filter((s: { order: number | null }) => s.order !== null).length);
  expect(files[0]).toMatch(/^1_synthetic_train_pseudo_(template|relation)_0_[135]\.pth$/);
  expect(existsSync(path.join(out, 'plots', 'histograms_grid.png'))).toBe(true);
  expect(existsSync(path.join(out, 'plots', 'threshold_curve.png'))).toBe(true);
});

test('bad input fails with one line and exit code 1', async () => {
  const out = tempDir('bad-');
  const unknown = await runCli(['curriculum', '--policy', 'nope', ...SMALL, '-o', out]);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/^clip-vg: unknown curriculum policy "nope": not a built-in \(all, fixed, ssa, msa[^\n]*\n$/);
  const badOption = await runCli(['curriculum', '--policy', 'ssa', ...SMALL, '-o', out, '--search', 'sideways']);
  expect(badOption.stderr).toBe('clip-vg: policy ssa: option search must be one of first-drop|scan-all, got "sideways"\n');
  const noHost = await runCli(['curriculum', '--policy', 'ssa', '--host', 'gpu-cluster', '-o', out]);
  expect(noHost.stderr).toMatch(/^clip-vg: unknown curriculum host "gpu-cluster" \(known: simulated/);
  const badSet = await runCli(['curriculum', '--policy', 'ssa', ...SMALL, '-o', out, '--set', 'oops']);
  expect(badSet.stderr).toBe('clip-vg: --set expects key=value, got "oops"\n');
  const unknownSet = await runCli(['curriculum', '--policy', 'ssa', ...SMALL, '-o', out, '--set', 'round=2']);
  expect(unknownSet.stderr).toBe('clip-vg: policy ssa: unknown option "round" (known: thresholds, search, baseline, rounds, source)\n');
  const unknownHostOption = await runCli(['curriculum', '--policy', 'ssa', ...SMALL, '-o', out, '--host-option', 'sed=3']);
  expect(unknownHostOption.stderr).toBe('clip-vg: simulated host: unknown option "sed" (known: seed, sources)\n');
  // -o naming a file fails before any training
  const file = path.join(out, 'a-file');
  writeFileSync(file, 'x');
  const intoFile = await runCli(['curriculum', '--policy', 'ssa', ...SMALL, '-o', file]);
  expect([intoFile.code, intoFile.stderr]).toEqual([1, `clip-vg: ${file}: is a file, expected a folder\n`]);
  // a policy whose result lacks fields: one line naming them, no report folder
  const policyFile = path.join(out, 'no-model.js');
  writeFileSync(
    policyFile,
    "module.exports = { name: 'no-model', description: 'd', async run() { return { selected: [], thresholds: {}, valAccuracy: 0 }; } };\n",
  );
  const partial = path.join(out, 'partial');
  const noModel = await runCli(['curriculum', '--policy', policyFile, ...SMALL, '-o', partial]);
  expect(noModel.stderr).toMatch(/^clip-vg: policy no-model: its result has no "model", "trace" is not an array/);
  expect(existsSync(partial)).toBe(false);
});
