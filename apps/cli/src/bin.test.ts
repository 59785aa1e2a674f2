/**
 * `npx clip-vg` in a fresh clone: npm links a workspace's bin only when its file exists at install time, so the
 * bin must be a committed file (bin/clip-vg.js), not dist/cli.js, which exists only after a build.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';

const APP = path.resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(APP, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
const launcher = path.join(APP, manifest.bin['clip-vg']);

test('the bin is a committed, executable launcher outside dist/', () => {
  expect(path.relative(APP, launcher).split(path.sep)[0]).toBe('bin');
  expect(existsSync(launcher)).toBe(true);
  expect(statSync(launcher).mode & 0o111).not.toBe(0);
  expect(readFileSync(launcher, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  expect(manifest.files).toContain('bin');
});

test('npm install links the launcher in a workspace that has never been built', () => {
  const root = tempDir('clip-vg-bin-');
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'clone', private: true, workspaces: ['apps/*'] }));
  const app = path.join(root, 'apps', 'cli');
  mkdirSync(path.join(app, 'bin'), { recursive: true });
  // the real manifest without its dependencies (an offline install of nothing but the link)
  const { dependencies: _d, ...bare } = JSON.parse(readFileSync(path.join(APP, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(app, 'package.json'), JSON.stringify(bare));
  copyFileSync(launcher, path.join(app, manifest.bin['clip-vg']));
  const install = spawnSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(install.status).toBe(0);
  expect(existsSync(path.join(root, 'node_modules', '.bin', 'clip-vg'))).toBe(true);

  // not built: one line saying how to build, exit 1
  const run = spawnSync(path.join(root, 'node_modules', '.bin', 'clip-vg'), ['--help'], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^clip-vg: not built yet: run `npm run build` in .+\n$/);
}, 90_000);

test('once built, the launcher runs the CLI', () => {
  if (!existsSync(path.join(APP, 'dist', 'cli.js'))) throw new Error('apps/cli/dist/cli.js is missing: run npx nx run @clip-vg/cli:build first');
  const run = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Usage: clip-vg /);
});
