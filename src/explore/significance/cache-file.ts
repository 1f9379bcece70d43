/**
 * The file I/O the calibration-derived caches share (significance, ./cache.ts; the compensation's Gram
 * inverses, ./compensation-cache.ts): read a cache file when there is one, write one atomically.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { FileError } from '../../util/errors.js';

const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

/**
 * The bytes of the `what` cache file `path`, or null when there is none.
 * @throws FileError when it exists but cannot be read
 */
export function readCacheFile(path: string, what: string): Uint8Array | null {
  if (!existsSync(path)) return null;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new FileError(`cannot read ${what} cache ${path} (${code(err)})`);
  }
}

/**
 * Writes the `what` cache file `path` atomically, creating its folder.
 * @throws FileError when the folder cannot be created or the file written
 */
export function writeCacheFile(path: string, bytes: Uint8Array, what: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FileError(`cannot create ${what} cache folder ${dir} (${code(err)})`);
  }
  writeFileAtomic(path, bytes);
}
