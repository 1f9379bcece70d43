import { join, resolve } from 'node:path';
import { makeDirectory } from './atomic-write.js';
import { projectRoot } from './paths.js';

/**
 * Root of sim-dse's content-addressed caches (compiled objects, images,
 * layer costs, significance): `SIM_DSE_CACHE` when set, else
 * `.sim-dse-cache/` in the checkout. Entries are written atomically and
 * named by the hash of everything that determines them, so a stale or
 * half-written entry can never be read.
 */
export function cacheRoot(): string {
  const env = process.env.SIM_DSE_CACHE;
  return env ? resolve(env) : join(projectRoot, '.sim-dse-cache');
}

/** A sub-folder of the cache root (created if missing). */
export function cacheDir(...parts: string[]): string {
  const dir = join(cacheRoot(), ...parts);
  makeDirectory(dir, 'cache folder (SIM_DSE_CACHE)');
  return dir;
}
