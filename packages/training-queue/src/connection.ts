/**
 * Redis connections from a `redis://` / `rediss://` URL (user, password and database in the URL, as ioredis
 * reads them), and a check made once before anything else: an unreachable server or a refused password is one
 * clear error instead of ioredis retrying forever.
 */
import IORedis, { type RedisOptions } from 'ioredis';

export class RedisConnectionError extends Error {
  override name = 'RedisConnectionError';
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable Redis URL)';
  }
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisConnectionError(`${redactUrl(url)}: not a URL (expected redis://host:port or rediss://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisConnectionError(`${redactUrl(url)}: expected a redis:// or rediss:// URL`);
}

/**
 * A connection for BullMQ: commands wait through a Redis restart (no per-request retry limit, reconnects every
 * ≤ 2 s) instead of failing the experiment.
 */
export function createRedis(url: string, extra: RedisOptions = {}): IORedis {
  checkUrl(url);
  return new IORedis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(200 * times, 2000), ...extra });
}

/** Connect once, authenticate, read the server version; rejects with one line naming the (redacted) URL. */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<{ version: string }> {
  checkUrl(url);
  const where = redactUrl(url);
  const client = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    const info = await client.info('server');
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    const [major, minor] = version.split('.').map(Number);
    if (major < 6 || (major === 6 && minor < 2)) throw new RedisConnectionError(`${where}: Redis ${version} is too old (BullMQ needs 6.2 or newer)`);
    return { version };
  } catch (error) {
    if (error instanceof RedisConnectionError) throw error;
    throw new RedisConnectionError(`${where}: ${describe(lastError ?? (error as Error))}`);
  } finally {
    // ioredis arms a 2 s "destroy the stream" timer on disconnect that only the stream's close clears: after a
    // failed connect the stream has closed already, and the timer would hold the process open
    if (client.status !== 'end') client.disconnect();
  }
}

function describe(error: Error): string {
  const message = error.message.split('\n')[0] ?? '';
  const code = (error as { code?: string }).code;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return 'wrong password or user (Redis refused the credentials)';
  if (/NOAUTH/.test(message)) return 'Redis asks for a password (put it in the URL: redis://:PASSWORD@host:port)';
  if (code === 'ECONNREFUSED') return 'cannot connect (connection refused: is redis-server running there?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'cannot connect (unknown host)';
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return 'cannot connect (timed out)';
  return `cannot connect (${message || code || 'connection closed'})`;
}
