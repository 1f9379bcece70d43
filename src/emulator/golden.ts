import { readFileSync } from 'node:fs';
import { SimDseError } from '../util/errors.js';

/** One golden measurement: calling `fn` of `elf` on `board` takes exactly `cycles`. */
export interface GoldenEntry {
  /** ELF path relative to the golden file's folder. */
  readonly elf: string;
  readonly fn: string;
  readonly board: string;
  /** Integer register arguments (r0..r3). */
  readonly args: readonly number[];
  /** Run once before measuring (warm ART caches). */
  readonly warm: boolean;
  readonly cycles: number;
  readonly instructions: number;
}

/** The golden file: every prebuilt ELF's cycle counts, reviewed as a diff. */
export interface GoldenFile {
  readonly version: 1;
  readonly entries: readonly GoldenEntry[];
}

/** A difference found by a check, as a tagged union. */
export type GoldenDiff =
  | { readonly kind: 'changed'; readonly entry: GoldenEntry; readonly cycles: number; readonly instructions: number }
  | { readonly kind: 'fault'; readonly entry: GoldenEntry; readonly message: string };

/** Reads and validates a golden file. */
export function readGolden(path: string): GoldenFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SimDseError('golden', e.code === 'ENOENT' ? `golden file not found: ${path}` : `golden file ${path} is not valid JSON: ${e.message}`, { path });
  }
  const file = raw as Partial<GoldenFile>;
  if (file.version !== 1 || !Array.isArray(file.entries)) {
    throw new SimDseError('golden', `golden file ${path}: expected {"version": 1, "entries": [...]}`, { path });
  }
  file.entries.forEach((e, i) => {
    const ok =
      typeof e.elf === 'string' && typeof e.fn === 'string' && typeof e.board === 'string' && Array.isArray(e.args) &&
      typeof e.warm === 'boolean' && Number.isInteger(e.cycles) && Number.isInteger(e.instructions);
    if (!ok) throw new SimDseError('golden', `golden file ${path}: entry ${i} needs elf, fn, board, args, warm, cycles, instructions`, { path });
  });
  return file as GoldenFile;
}

/** Serialises a golden file deterministically: one entry per line, sorted, so diffs review well. */
export function formatGolden(file: GoldenFile): string {
  const sorted = [...file.entries].sort(
    (a, b) => a.elf.localeCompare(b.elf) || a.fn.localeCompare(b.fn) || a.board.localeCompare(b.board) || Number(a.warm) - Number(b.warm),
  );
  const lines = sorted.map((e) =>
    JSON.stringify({ elf: e.elf, fn: e.fn, board: e.board, args: e.args, warm: e.warm, cycles: e.cycles, instructions: e.instructions }),
  );
  return `{"version": 1, "entries": [\n  ${lines.join(',\n  ')}\n]}\n`;
}
