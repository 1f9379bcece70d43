import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileError } from './errors.js';

/**
 * Writes a file atomically: the data goes to a temporary file in the same
 * folder, which is then renamed over `path` (readers never see half a file).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    throw new FileError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * Creates a folder and its parents (nothing when it exists).
 * @param what names the folder in the message, e.g. `--out folder`
 * @throws FileError "cannot create <what> <path> (EACCES)" on a read-only or non-folder path
 */
export function makeDirectory(path: string, what: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new FileError(`cannot create ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, path);
  }
}
