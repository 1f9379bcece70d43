/**
 * Hashes of the code in folders (file names and contents of .js, .ts, .c and
 * .h files, in name order), for cache keys that must change when the code
 * that computed an entry changes.
 */
import type { Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Feeds the code of `dir` and its sub-folders into `h`. */
export function hashCodeTree(h: Hash, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashCodeTree(h.update(`${name}/`), path);
    else if (/\.(js|ts|c|h)$/.test(name)) h.update(name).update('\0').update(readFileSync(path)).update('\0');
  }
}
