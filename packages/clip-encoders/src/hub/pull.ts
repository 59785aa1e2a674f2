import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFileAtomic } from '@clip-vg/torch-io';
import * as path from 'node:path';
import { modelCacheDir, type ModelCacheOptions } from './cache';
import { downloadFile } from './download-file';
import { assertOnline, hubEndpoint, isOffline } from './endpoint';
import { fetchFileMetadata, fetchRevisionInfo } from './hub-api';
import { findCachedModel, MANIFEST_FILE, type ManifestFile, type ModelManifest, readManifest } from './manifest';

/** What `pullModel` fetches by default (whichever of them the repository has). */
export const DEFAULT_MODEL_FILES = [
  'config.json',
  'model.safetensors',
  'vocab.json',
  'merges.txt',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
];

export const DEFAULT_MODEL = 'openai/clip-vit-base-patch16';

export interface PullProgress {
  file: string;
  /** Index of the file among those pulled, and how many there are. */
  index: number;
  count: number;
  /** Bytes that just arrived (or were found already downloaded), and the file's size. */
  bytes: number;
  size: number;
}

export interface PullOptions extends ModelCacheOptions {
  /** Hub address; default `$HF_ENDPOINT` or https://huggingface.co. */
  endpoint?: string;
  /** Files to fetch; default `DEFAULT_MODEL_FILES` (those the repository has). */
  files?: string[];
  /** Extra attempts per file after a dropped connection (each resumes). Default 3. */
  retries?: number;
  /** Called when a file starts (bytes 0) and as bytes arrive. */
  onProgress?: (progress: PullProgress) => void;
}

export interface PullResult {
  /** The folder that `fromPretrained(name)` reads. */
  dir: string;
  manifest: ModelManifest;
  /** Files actually transferred (the others were already in the cache at this commit). */
  downloaded: string[];
}

/**
 * Download hub repository `name` at `revision` into the model cache (`modelCacheDir`). Files are staged in
 * `<dir>.incomplete/` as `<file>.incomplete` (resumed across runs with `Range`), verified (size, sha256 or
 * git sha1), moved into place, and the manifest is written last. Files already cached at the same commit are
 * kept. Refuses to run when `CLIP_VG_OFFLINE=1`.
 */
export async function pullModel(name: string, options: PullOptions = {}): Promise<PullResult> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(name)) throw new Error(`${name}: not a hub model name (expected owner/name)`);
  assertOnline(`pull ${name}`);
  const endpoint = hubEndpoint(options.endpoint);
  const revision = options.revision ?? 'main';
  const dir = modelCacheDir(name, { ...options, revision });
  const info = await fetchRevisionInfo(endpoint, name, revision);

  const wanted = options.files ?? DEFAULT_MODEL_FILES;
  const files = options.files ? wanted : wanted.filter((f) => info.files.includes(f));
  const missing = files.filter((f) => !info.files.includes(f));
  if (missing.length > 0) throw new Error(`${name}@${revision}: the repository has no ${missing.join(', ')}`);
  if (files.length === 0) throw new Error(`${name}@${revision}: none of ${wanted.join(', ')} in the repository`);

  const previous = readManifest(dir);
  const staging = `${dir}.incomplete`;
  mkdirSync(staging, { recursive: true });
  const entries: ManifestFile[] = [];
  const downloaded: string[] = [];
  for (const [index, file] of files.entries()) {
    const meta = await fetchFileMetadata(endpoint, name, info.commit, file);
    const report = (bytes: number): void => options.onProgress?.({ file, index, count: files.length, bytes, size: meta.size });
    report(0);
    const cached = previous?.files.find((f) => f.name === file);
    if (cached && cached.etag === meta.etag && cached.size === meta.size && sizeOf(path.join(dir, file)) === meta.size) {
      report(meta.size);
      entries.push(cached);
      continue;
    }
    const dest = path.join(staging, file);
    mkdirSync(path.dirname(dest), { recursive: true });
    const got = await downloadFile(meta.url, dest, { size: meta.size, etag: meta.etag, retries: options.retries, onBytes: report });
    entries.push({ name: file, size: got.size, sha256: got.sha256, etag: meta.etag });
    downloaded.push(file);
  }

  const manifest: ModelManifest = { name, revision, commit: info.commit, endpoint, files: entries, pulledAt: new Date().toISOString() };
  commitStaging(staging, dir, downloaded, manifest);
  return { dir, manifest, downloaded };
}

/**
 * The cache folder of `name`, pulling it first when it is not cached. With `CLIP_VG_OFFLINE=1` a missing
 * model is a one-line error that says how to fetch it.
 */
export async function ensureModel(name: string, options: PullOptions = {}): Promise<string> {
  const cached = findCachedModel(name, options);
  if (cached) return cached;
  if (isOffline()) {
    throw new Error(`${name}: not in the model cache (${modelCacheDir(name, options)}) and CLIP_VG_OFFLINE=1; run \`clip-vg models pull ${name}\` first`);
  }
  return (await pullModel(name, options)).dir;
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : -1;
}

/** Move verified files from the staging folder into the cache folder; the manifest goes last, atomically. */
function commitStaging(staging: string, dir: string, downloaded: string[], manifest: ModelManifest): void {
  mkdirSync(dir, { recursive: true });
  // A stale manifest must not vouch for files while they are being replaced.
  rmSync(path.join(dir, MANIFEST_FILE), { force: true });
  for (const file of downloaded) {
    const dest = path.join(dir, file);
    mkdirSync(path.dirname(dest), { recursive: true });
    renameSync(path.join(staging, file), dest);
  }
  writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  if (readdirSync(staging).every((f) => !f.endsWith('.incomplete'))) rmSync(staging, { recursive: true, force: true });
}
