import { readFileSync } from 'node:fs';
import { FileError } from './errors.js';

/**
 * Reads a whole input file (a model, a dataset batch, a log); a path that
 * is a directory, unreadable or gone becomes a FileError naming `what` and
 * the reason, never an internal error.
 */
export function readInputFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a directory' : code === 'ENOENT' ? 'not found' : (code ?? (err as Error).message);
    throw new FileError(`cannot read ${what} ${path} (${why})`);
  }
}
