import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findCachedModel } from '@clip-vg/clip-encoders';
import { type LocalHub, startLocalHub } from '@clip-vg/test-utils';
import { runCli } from '../testing/run-cli';

const NAME = 'openai/clip-vit-base-patch16';
const weights = randomBytes(100_000);
let cacheDir: string;
let hub: LocalHub;
beforeEach(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'clip-vg-models-'));
  hub = await startLocalHub({
    repos: { [NAME]: { files: { 'config.json': '{}', 'model.safetensors': weights, 'merges.txt': '#version: 0.2\na b\n' } } },
    dropOnce: ['model.safetensors'],
  });
});
afterEach(async () => {
  await hub.close();
  rmSync(cacheDir, { recursive: true, force: true });
  delete process.env.CLIP_VG_OFFLINE;
});

test('models pull (default name) fetches into the cache, resuming the dropped download; models list shows it', async () => {
  const result = await runCli(['models', 'pull', '--cache-dir', cacheDir, '--endpoint', hub.endpoint]);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  const dir = findCachedModel(NAME, { cacheDir })!;
  expect(result.out).toMatch(new RegExp(`^pulled ${NAME}@main \\(commit [0-9a-f]{12}\\): 3 files, .*, 3 downloaded, into ${dir}\\n$`));
  expect(readFileSync(path.join(dir, 'model.safetensors')).equals(weights)).toBe(true);
  expect(hub.requests.some((r) => r.range?.startsWith('bytes='))).toBe(true);

  const listed = await runCli(['models', 'list', '--cache-dir', cacheDir]);
  expect(listed.out).toMatch(new RegExp(`^${NAME}\\tmain\\t[0-9a-f]{12}\\t.*\\t${dir}\\n$`));
});

test('models pull errors are one line: unknown model, offline mode', async () => {
  const unknown = await runCli(['models', 'pull', 'someone/nothing', '--cache-dir', cacheDir, '--endpoint', hub.endpoint]);
  expect(unknown.code).toBe(1);
  expect(unknown.err).toMatch(/^clip-vg: someone\/nothing@main: not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404[^\n]*\n$/);

  process.env.CLIP_VG_OFFLINE = '1';
  const offline = await runCli(['models', 'pull', '--cache-dir', cacheDir, '--endpoint', hub.endpoint]);
  expect(offline.code).toBe(1);
  expect(offline.err).toBe(`clip-vg: pull ${NAME}: CLIP_VG_OFFLINE=1 forbids network access (unset it, or use a cached model)\n`);
  expect(existsSync(path.join(cacheDir, 'models'))).toBe(false);
});
