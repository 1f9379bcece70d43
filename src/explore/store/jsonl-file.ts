/**
 * Append-only JSON-lines files that survive interruption: every row is
 * appended as one complete line with a single synchronous write, and a
 * reader drops a trailing partial line (a write cut short by a crash) and
 * truncates the file to its last complete line before appending again.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { FileError } from '../../util/errors.js';

/** Parses the complete lines of `text`; returns the rows and the byte length of the complete part. */
export function parseJsonLines<T>(text: string, source: string): { rows: T[]; completeLength: number } {
  const end = text.lastIndexOf('\n') + 1;
  const rows: T[] = [];
  const lines = text.slice(0, end).split('\n');
  lines.pop();
  lines.forEach((line, i) => {
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      throw new FileError(`${source}: line ${i + 1} is not valid JSON`);
    }
  });
  return { rows, completeLength: Buffer.byteLength(text.slice(0, end)) };
}

/**
 * Reads the complete rows of a JSON-lines file (none when it does not
 * exist). With `repair`, a trailing partial line is also cut off the file,
 * so that appends start on a fresh line.
 */
export function readJsonLines<T>(path: string, repair = false): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const { rows, completeLength } = parseJsonLines<T>(text, path);
  if (repair && completeLength !== Buffer.byteLength(text)) truncateSync(path, completeLength);
  return rows;
}

/** Appends one row as one line. */
export function appendJsonLine(path: string, row: unknown): void {
  try {
    appendFileSync(path, `${JSON.stringify(row)}\n`);
  } catch (err) {
    throw new FileError(`cannot append to ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
