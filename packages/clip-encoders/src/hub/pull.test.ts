import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findCachedModel, readManifest } from './manifest';
import { ensureModel, pullModel } from './pull';
import { type LocalHub, startLocalHub } from '@clip-vg/test-utils';

const NAME = 'openai/clip-tiny';
const weights = randomBytes(200_000);
const files = {
  'config.json': '{"model_type": "clip"}',
  'model.safetensors': weights,
  'vocab.json': '{"a": 0}',
  'merges.txt': '#version: 0.2\na b\n',
  'README.md': 'not pulled by default',
};

let cacheDir: string;
let hub: LocalHub | undefined;
beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'clip-vg-hub-'));
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  rmSync(cacheDir, { recursive: true, force: true });
  delete process.env.CLIP_VG_OFFLINE;
});

test('pulls the default files into the cache that findCachedModel finds, and resumes a dropped download', async () => {
  hub = await startLocalHub({ repos: { [NAME]: { files } }, dropOnce: ['model.safetensors'] });
  const seen: string[] = [];
  const result = await pullModel(NAME, { cacheDir, endpoint: hub.endpoint, onProgress: (p) => p.bytes === 0 && seen.push(p.file) });

  expect(seen).toEqual(['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']);
  expect(result.downloaded).toEqual(seen);
  expect(readFileSync(path.join(result.dir, 'model.safetensors')).equals(weights)).toBe(true);
  expect(existsSync(path.join(result.dir, 'README.md'))).toBe(false);
  expect(existsSync(`${result.dir}.incomplete`)).toBe(false);
  // The first GET of the weights died halfway; the retry asked for the rest only.
  const lfsGets = hub.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/lfs/'));
  expect(lfsGets.map((r) => r.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
  expect(Number(/=(\d+)-/.exec(lfsGets[1].range!)![1])).toBeGreaterThan(0);

  const manifest = readManifest(result.dir)!;
  expect(manifest.files.find((f) => f.name === 'model.safetensors')!.sha256).toBe(createHash('sha256').update(weights).digest('hex'));
  expect(findCachedModel(NAME, { cacheDir })).toBe(result.dir);
});

test('a second pull at the same commit transfers nothing; offline mode forbids the network', async () => {
  hub = await startLocalHub({ repos: { [NAME]: { files } } });
  await pullModel(NAME, { cacheDir, endpoint: hub.endpoint });
  const again = await pullModel(NAME, { cacheDir, endpoint: hub.endpoint });
  expect(again.downloaded).toEqual([]);

  process.env.CLIP_VG_OFFLINE = '1';
  await expect(pullModel(NAME, { cacheDir, endpoint: hub.endpoint })).rejects.toThrow(/CLIP_VG_OFFLINE=1 forbids network access/);
  expect(findCachedModel(NAME, { cacheDir })).toBeDefined();
});

test('a download interrupted in one run resumes from the .incomplete file in the next', async () => {
  hub = await startLocalHub({ repos: { [NAME]: { files } } });
  // What an earlier, killed run left behind: the first 1000 bytes.
  const staging = path.join(cacheDir, 'models', 'openai--clip-tiny', 'main.incomplete');
  mkdirSync(staging, { recursive: true });
  writeFileSync(path.join(staging, 'model.safetensors.incomplete'), weights.subarray(0, 1000));
  const result = await pullModel(NAME, { cacheDir, endpoint: hub.endpoint, files: ['model.safetensors'] });
  expect(hub.requests.find((r) => r.path.startsWith('/lfs/') && r.method === 'GET')!.range).toBe('bytes=1000-');
  expect(readFileSync(path.join(result.dir, 'model.safetensors')).equals(weights)).toBe(true);
});

test('a corrupted partial file fails the checksum and is deleted', async () => {
  hub = await startLocalHub({ repos: { [NAME]: { files } } });
  const staging = path.join(cacheDir, 'models', 'openai--clip-tiny', 'main.incomplete');
  mkdirSync(staging, { recursive: true });
  writeFileSync(path.join(staging, 'model.safetensors.incomplete'), Buffer.alloc(1000, 7));
  await expect(pullModel(NAME, { cacheDir, endpoint: hub.endpoint, files: ['model.safetensors'] })).rejects.toThrow(/checksum mismatch/);
  expect(existsSync(path.join(staging, 'model.safetensors.incomplete'))).toBe(false);
  expect(findCachedModel(NAME, { cacheDir })).toBeUndefined();
});

test('unknown repository and unreachable hub are one-line errors', async () => {
  hub = await startLocalHub({ repos: {} });
  await expect(pullModel(NAME, { cacheDir, endpoint: hub.endpoint })).rejects.toThrow(
    /^openai\/clip-tiny@main: not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404/,
  );
  const endpoint = hub.endpoint;
  await hub.close();
  hub = undefined;
  await expect(pullModel(NAME, { cacheDir, endpoint })).rejects.toThrow(/ECONNREFUSED/);
  await expect(pullModel('no-slash', { cacheDir, endpoint })).rejects.toThrow(/not a hub model name/);
});

test('ensureModel returns the cached folder, pulls when online, and explains itself offline', async () => {
  hub = await startLocalHub({ repos: { [NAME]: { files } } });
  process.env.CLIP_VG_OFFLINE = '1';
  await expect(ensureModel(NAME, { cacheDir, endpoint: hub.endpoint })).rejects.toThrow(
    /^openai\/clip-tiny: not in the model cache \(.*\) and CLIP_VG_OFFLINE=1; run `clip-vg models pull openai\/clip-tiny` first$/,
  );
  delete process.env.CLIP_VG_OFFLINE;
  const dir = await ensureModel(NAME, { cacheDir, endpoint: hub.endpoint });
  const requests = hub.requests.length;
  process.env.CLIP_VG_OFFLINE = '1';
  expect(await ensureModel(NAME, { cacheDir, endpoint: hub.endpoint })).toBe(dir);
  expect(hub.requests.length).toBe(requests);
});

test('a renamed repository: relative redirects on resolve are followed for metadata', async () => {
  hub = await startLocalHub({ repos: { [NAME]: { files } }, renamed: { 'someone/old-name': NAME } });
  const result = await pullModel('someone/old-name', { cacheDir, endpoint: hub.endpoint, files: ['config.json', 'model.safetensors'] });
  expect(readFileSync(path.join(result.dir, 'config.json'), 'utf8')).toBe(files['config.json']);
  expect(readFileSync(path.join(result.dir, 'model.safetensors')).equals(weights)).toBe(true);
  expect(hub.requests.filter((r) => r.path.startsWith('/someone/old-name/resolve/')).length).toBe(2);
});
