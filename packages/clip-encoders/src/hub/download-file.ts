import { createHash } from 'node:crypto';
import { createReadStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hubHeaders } from './endpoint';
import { request } from './hub-api';

export interface DownloadOptions {
  /** Expected size in bytes. */
  size: number;
  /** sha256 (64 hex) or git blob sha1 (40 hex) to verify; anything else is not checked. */
  etag: string;
  /** Extra attempts after a dropped connection; each resumes with `Range` where it stopped. Default 3. */
  retries?: number;
  /** Called with the number of new bytes as they arrive (resumed bytes are reported once at the start). */
  onBytes?: (n: number) => void;
}

export interface DownloadedFile {
  size: number;
  sha256: string;
}

/**
 * Download `url` to `dest`: bytes go to `dest.incomplete`, a later call (or a retry after a dropped
 * connection) resumes from its length with a `Range` request, and only a file of the right size and
 * checksum is renamed to `dest`.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions): Promise<DownloadedFile> {
  const partial = `${dest}.incomplete`;
  const retries = options.retries ?? 3;
  let have = existsSync(partial) ? statSync(partial).size : 0;
  if (have > options.size) {
    rmSync(partial); // longer than the file: stale, start over
    have = 0;
  }
  if (have > 0) options.onBytes?.(have);
  for (let attempt = 0; have < options.size; attempt++) {
    try {
      have = await fetchInto(url, partial, have, options.onBytes);
    } catch (error) {
      if (attempt >= retries) {
        throw new Error(
          `${url}: download failed after ${attempt + 1} attempts at ${have}/${options.size} bytes (${(error as Error).message}); run again to resume`,
        );
      }
      have = existsSync(partial) ? statSync(partial).size : 0;
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
    if (have > options.size) break;
  }
  return verifyAndCommit(partial, dest, url, options);
}

/** One GET from byte `from`; appends to `partial` and returns its new length. Throws when the connection drops. */
async function fetchInto(url: string, partial: string, from: number, onBytes?: (n: number) => void): Promise<number> {
  const headers = hubHeaders(from > 0 ? { range: `bytes=${from}-` } : {});
  const response = await request(url, { headers });
  if (response.status === 416) {
    // Our partial file does not fit the file on the server: drop it; the retry starts over.
    await response.body?.cancel();
    rmSync(partial, { force: true });
    throw new Error('the server refused the resume range (HTTP 416)');
  }
  let offset = from;
  if (response.status === 200)
    offset = 0; // the server ignored the Range: start over
  else if (response.status === 206) {
    const start = Number(/bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1]);
    if (start !== from) throw new Error(`asked for bytes from ${from}, got a range from ${start}`);
  } else {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  const handle = await open(partial, offset === 0 ? 'w' : 'a');
  try {
    if (!response.body) throw new Error('empty response');
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      await handle.write(chunk);
      offset += chunk.length;
      onBytes?.(chunk.length);
    }
  } finally {
    await handle.close();
  }
  return offset;
}

async function verifyAndCommit(partial: string, dest: string, url: string, options: DownloadOptions): Promise<DownloadedFile> {
  const size = statSync(partial).size;
  if (size !== options.size) {
    rmSync(partial);
    throw new Error(`${url}: got ${size} bytes, the hub announced ${options.size}; deleted, run again`);
  }
  const { sha256, gitSha1 } = await hashFile(partial, size);
  const expected = options.etag.toLowerCase();
  const actual = /^[0-9a-f]{64}$/.test(expected) ? sha256 : /^[0-9a-f]{40}$/.test(expected) ? gitSha1 : expected;
  if (actual !== expected) {
    rmSync(partial);
    throw new Error(`${url}: checksum mismatch (expected ${expected}, got ${actual}); deleted, run again`);
  }
  renameSync(partial, dest);
  return { size, sha256 };
}

/** sha256 of the bytes, and the git blob sha1 (`sha1("blob <size>\0" + bytes)`) that the hub uses as ETag for small files. */
async function hashFile(file: string, size: number): Promise<{ sha256: string; gitSha1: string }> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    sha256.update(chunk);
    sha1.update(chunk);
  }
  return { sha256: sha256.digest('hex'), gitSha1: sha1.digest('hex') };
}
