import { hubHeaders } from './endpoint';

/** A repository at one revision, from `GET {endpoint}/api/models/{name}/revision/{revision}`. */
export interface RevisionInfo {
  /** The commit the revision resolves to. */
  commit: string;
  files: string[];
}

export async function fetchRevisionInfo(endpoint: string, name: string, revision: string): Promise<RevisionInfo> {
  const url = `${endpoint}/api/models/${name}/revision/${encodeURIComponent(revision)}`;
  const response = await request(url, { headers: hubHeaders({ accept: 'application/json' }) });
  if (response.status === 401 || response.status === 404) {
    throw new Error(`${name}@${revision}: not found on ${endpoint} (HTTP ${response.status}; a private or gated model needs HF_TOKEN)`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const body = (await response.json().catch(() => undefined)) as { sha?: unknown; siblings?: unknown } | undefined;
  if (!body || typeof body.sha !== 'string' || !Array.isArray(body.siblings)) {
    throw new Error(`${url}: unexpected answer (no sha and siblings)`);
  }
  const files = body.siblings.map((s: { rfilename?: unknown }) => s.rfilename).filter((f): f is string => typeof f === 'string');
  return { commit: body.sha, files };
}

/** What the hub says about one file before we fetch it. */
export interface FileMetadata {
  /** Where to GET the bytes (after the hub's redirect to its storage, if any). */
  url: string;
  size: number;
  /** Unquoted ETag: a sha256 (64 hex) for LFS files, a git blob sha1 (40 hex) otherwise. */
  etag: string;
}

/**
 * `HEAD {endpoint}/{name}/resolve/{commit}/{file}` without following the redirect to storage: LFS metadata
 * (`X-Linked-Etag`, `X-Linked-Size`) sits on that redirect. Other redirects (a renamed repository) are followed.
 */
export async function fetchFileMetadata(endpoint: string, name: string, commit: string, file: string): Promise<FileMetadata> {
  let url = resolveUrl(endpoint, name, commit, file);
  for (let hops = 0; ; hops++) {
    const response = await request(url, { method: 'HEAD', redirect: 'manual', headers: hubHeaders() });
    if (response.status >= 400) throw new Error(`${name}/${file}: HTTP ${response.status} from ${url}`);
    const header = (key: string): string | undefined => response.headers.get(key) ?? undefined;
    const location = response.status >= 300 && response.status < 400 ? header('location') : undefined;
    if (location && header('x-linked-size') === undefined) {
      if (hops >= 5) throw new Error(`${name}/${file}: too many redirects from ${url}`);
      url = new URL(location, url).toString();
      continue;
    }
    const etag = unquoteEtag(header('x-linked-etag') ?? header('etag') ?? '');
    const size = Number(header('x-linked-size') ?? header('content-length'));
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`${name}/${file}: the hub gave no file size`);
    return { url: location ? new URL(location, url).toString() : url, size, etag };
  }
}

export function resolveUrl(endpoint: string, name: string, revision: string, file: string): string {
  return `${endpoint}/${name}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

function unquoteEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** fetch, with a network failure turned into one line naming the address. */
export async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}
