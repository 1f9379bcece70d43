/**
 * Small JSON entries of a content-addressed cache folder (`<cache>/<folder>/<key[0..2]>/<key>.json`):
 * read back only when they have the expected shape (an unreadable or malformed entry reads as
 * missing, so it is computed again and overwritten), written atomically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { cacheDir } from './cache-dir.js';

const entryPath = (folder: string, key: string): string => join(cacheDir(folder, key.slice(0, 2)), `${key}.json`);

/** The entry `key` of `folder` when it exists and `valid` accepts it, else null. */
export function readJsonEntry<T>(folder: string, key: string, valid: (x: T) => boolean): T | null {
  const path = entryPath(folder, key);
  if (!existsSync(path)) return null;
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as T;
    return valid(entry) ? entry : null;
  } catch {
    return null;
  }
}

/** Writes the entry `key` of `folder`. */
export function writeJsonEntry(folder: string, key: string, value: unknown): void {
  writeFileAtomic(entryPath(folder, key), JSON.stringify(value) + '\n');
}
