/**
 * Redis connections of a cluster run: the URL checked as an option, a
 * reachability check that turns a Redis that is not there into one line, and
 * the connections BullMQ's queue, events and workers use.
 */
import { Redis } from 'ioredis';
import { SimDseError, UsageError } from '../../util/errors.js';

/** Checks a `--redis` URL (redis://[user:password@]host[:port][/db] or rediss://); returns it. */
export function parseRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--redis ${JSON.stringify(url)}: not a URL (expected redis://HOST:PORT)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(`--redis ${JSON.stringify(url)}: expected a redis:// or rediss:// URL`);
  }
  if (parsed.hostname === '') throw new UsageError(`--redis ${JSON.stringify(url)}: no host`);
  return url;
}

/** The URL without its password, for messages. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString().replace(/\/$/, '');
}

/** Connects once and pings; a Redis that does not answer within `timeoutMs` is a one-line {@link SimDseError} of kind `cluster`. */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  let cause: NodeJS.ErrnoException | undefined; // the socket's error (connect() itself rejects with "Connection is closed.")
  r.on('error', (err: NodeJS.ErrnoException) => (cause ??= err));
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    const e = cause ?? (err as NodeJS.ErrnoException);
    throw new SimDseError('cluster', `Redis at ${displayUrl(url)} is unreachable (${e.code ?? e.message})`);
  } finally {
    r.disconnect();
  }
}

/** A connection for BullMQ (it needs commands that wait for the server rather than fail). */
export function bullConnection(url: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: null });
  r.on('error', () => undefined); // reconnects on its own; a Redis gone for good shows as jobs that never finish
  return r;
}
