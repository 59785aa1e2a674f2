/** Where the Hugging Face hub lives: `options.endpoint`, else `$HF_ENDPOINT`, else https://huggingface.co. */
export function hubEndpoint(endpoint?: string): string {
  return (endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

/** `CLIP_VG_OFFLINE=1` (or `true`) forbids every network access; models must come from the cache. */
export function isOffline(): boolean {
  const value = process.env.CLIP_VG_OFFLINE;
  return value === '1' || value?.toLowerCase() === 'true';
}

/** Throws when offline, naming what wanted the network. */
export function assertOnline(what: string): void {
  if (isOffline()) throw new Error(`${what}: CLIP_VG_OFFLINE=1 forbids network access (unset it, or use a cached model)`);
}

/** Request headers: no compression (sizes and checksums refer to the raw bytes), and `$HF_TOKEN` if set. */
export function hubHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'clip-vg', ...extra };
  if (process.env.HF_TOKEN) headers.authorization = `Bearer ${process.env.HF_TOKEN}`;
  return headers;
}
