import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalHubRepo {
  /** Commit id the repository's revisions resolve to; default a hash of its contents. */
  commit?: string;
  files: Record<string, Uint8Array | string>;
}

export interface LocalHubOptions {
  /** Repositories by name (`owner/name`). Every revision name resolves to the same commit. */
  repos: Record<string, LocalHubRepo>;
  /** Files at least this large are served like LFS files (redirect, sha256 ETag); default 1024 bytes. */
  lfsThreshold?: number;
  /** Files whose first GET dies halfway through (the connection is destroyed), to exercise resuming. */
  dropOnce?: string[];
  /** Old repository names that redirect (307, relative) to their new name, as the hub does after a rename. */
  renamed?: Record<string, string>;
}

export interface LocalHub {
  /** `http://127.0.0.1:<port>`, for `pullModel({endpoint})` or `HF_ENDPOINT`. */
  endpoint: string;
  /** Every request seen: method, path and Range header. */
  requests: Array<{ method: string; path: string; range?: string }>;
  close(): Promise<void>;
}

/**
 * A Hugging Face hub on 127.0.0.1 serving in-memory repositories on the routes `pullModel` uses: revision
 * info, `resolve` with ETag/size headers and Range support, LFS-style redirects. For tests and air-gapped
 * mirrors; it never touches the network.
 */
export async function startLocalHub(options: LocalHubOptions): Promise<LocalHub> {
  const threshold = options.lfsThreshold ?? 1024;
  const toDrop = new Set(options.dropOnce ?? []);
  const requests: LocalHub['requests'] = [];
  const repos = new Map(
    Object.entries(options.repos).map(([name, repo]) => {
      const files = new Map(Object.entries(repo.files).map(([f, data]) => [f, Buffer.from(data)]));
      const commit = repo.commit ?? sha1([...files].map(([f, d]) => f + sha256(d)).join());
      return [name, { commit, files }];
    }),
  );
  // Hash every file once: a 600 MB safetensors takes seconds to hash.
  const hashes = new Map<Buffer, string>([...repos.values()].flatMap((r) => [...r.files.values()].map((d) => [d, sha256(d)] as const)));
  const blobs = new Map<string, Buffer>([...hashes].map(([data, hash]) => [hash, data]));

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, range: req.headers.range });
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (api) {
      const repo = repos.get(options.renamed?.[api[1]] ?? api[1]);
      if (!repo) return json(res, 404, { error: 'Repository not found' });
      return json(res, 200, { id: api[1], sha: repo.commit, siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })) });
    }
    const lfs = /^\/lfs\/([0-9a-f]{64})$/.exec(url.pathname);
    if (lfs && blobs.has(lfs[1])) return serveBytes(req, res, blobs.get(lfs[1])!, `"${lfs[1]}"`, url.searchParams.get('file') ?? '');
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const newName = resolve ? options.renamed?.[resolve[1]] : undefined;
    if (resolve && newName) {
      res.writeHead(307, { location: `/${newName}/resolve/${resolve[2]}/${resolve[3]}`, 'content-length': '0' });
      return void res.end();
    }
    const repo = resolve ? repos.get(resolve[1]) : undefined;
    const file = resolve ? decodeURIComponent(resolve[3]) : '';
    const data = repo?.files.get(file);
    if (!repo || !data) return json(res, 404, { error: 'Entry not found' });
    if (data.length >= threshold) {
      const hash = hashes.get(data)!;
      res.writeHead(302, {
        location: `/lfs/${hash}?file=${encodeURIComponent(file)}`,
        'x-linked-etag': `"${hash}"`,
        'x-linked-size': String(data.length),
        'x-repo-commit': repo.commit,
      });
      return res.end();
    }
    return serveBytes(req, res, data, `"${sha1(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]))}"`, file);
  });

  function serveBytes(req: IncomingMessage, res: ServerResponse, data: Buffer, etag: string, file: string): void {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= data.length && data.length > 0) {
      res.writeHead(416, { 'content-range': `bytes */${data.length}` });
      return void res.end();
    }
    const body = data.subarray(start);
    res.writeHead(range ? 206 : 200, {
      etag,
      'content-length': String(body.length),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    if (toDrop.delete(file)) {
      // Send half, give the client time to consume it (fetch discards chunks still queued when its stream
      // errors), then cut the connection: the client sees a truncated body.
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.destroy(), 100));
      return;
    }
    res.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function sha1(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}
