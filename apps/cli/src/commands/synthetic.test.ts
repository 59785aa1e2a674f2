import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../testing/run-cli';

describe('clip-vg data synthesize', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'clipvg-cli-synth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a world that data inspect reads as unc', async () => {
    const out = path.join(dir, 'world');
    const made = await runCli([
      'data',
      'synthesize',
      '--out',
      out,
      '--train',
      '8',
      '--val',
      '3',
      '--test',
      '2',
      '--imsize',
      '48',
      '--seed',
      '3',
      '--noise',
      'caption=0.6',
      '--json',
    ]);
    expect(made.code).toBe(0);
    const summary = JSON.parse(made.out);
    expect(summary.images).toEqual({ train: 8, val: 3, test: 2 });
    expect(summary.pseudo.caption.configuredErrorRate).toBeCloseTo(0.6);
    const inspected = await runCli(['data', 'inspect', summary.files.splits.val, '--dataset', 'unc']);
    expect(inspected.code).toBe(0);
    const rows = inspected.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(summary.records.val);
    expect(rows[0].image).toMatch(/^synthetic_val_\d{6}\.png$/);
    const text = await runCli(['data', 'synthesize', '--out', path.join(dir, 'small'), '--train', '2', '--val', '1', '--test', '0']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/template +\d+ pseudo-labels/);
  });

  test('a used folder: refused without --overwrite; with it, no stale image of the bigger world stays', async () => {
    const out = path.join(dir, 'reused');
    expect((await runCli(['data', 'synthesize', '--out', out, '--train', '6', '--val', '2', '--test', '2', '--imsize', '32'])).code).toBe(0);
    const refused = await runCli(['data', 'synthesize', '--out', out, '--train', '2', '--val', '1', '--test', '0', '--imsize', '32']);
    expect([refused.code, refused.err]).toEqual([1, `clip-vg: ${out}: holds a world already (images/, synthetic/); pass --overwrite to replace it\n`]);
    expect((await runCli(['data', 'synthesize', '--out', out, '--train', '2', '--val', '1', '--test', '0', '--imsize', '32', '--overwrite'])).code).toBe(0);
    expect(readdirSync(path.join(out, 'images')).sort()).toEqual(['synthetic_train_000000.png', 'synthetic_train_000001.png', 'synthetic_val_000000.png']);
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect((await runCli(['data', 'synthesize', '--out', file])).err).toBe(`clip-vg: ${file}: is a file, expected a folder\n`);
  });

  test('bad options fail with one line', async () => {
    const bad = await runCli(['data', 'synthesize', '--out', dir, '--noise', 'detector=0.3']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('clip-vg: --noise: unknown source "detector", expected template, relation, caption\n');
    const range = await runCli(['data', 'synthesize', '--out', dir, '--objects', '4-2']);
    expect(range.err).toMatch(/^clip-vg: --objects expects MIN-MAX/);
  });
});
