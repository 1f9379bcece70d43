/**
 * A temporary folder for a test file whose `cache/` is sim-dse's cache
 * (SIM_DSE_CACHE) while the file's tests run, so they start from an empty
 * cache; the previous setting is restored and the folder removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** Makes the folder (named `prefix` + random), registers the hooks; returns the folder. */
export function useTemporaryCache(prefix: string): string {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const saved = process.env.SIM_DSE_CACHE;
  beforeAll(() => {
    process.env.SIM_DSE_CACHE = join(tmp, 'cache');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SIM_DSE_CACHE;
    else process.env.SIM_DSE_CACHE = saved;
    rmSync(tmp, { recursive: true, force: true });
  });
  return tmp;
}
