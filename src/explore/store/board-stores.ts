/**
 * The layout of a multi-board run (`sim-dse run --board A,B`): the run
 * directory holds `boards.json` (the boards, in `--board` order), the
 * comparison report, and one sub-store per board, `<run>/<board>/`, each a
 * complete single-board store (config.json with its `board` and the run's
 * `boards`, points.jsonl, final.jsonl, firmware.jsonl, report.md, ...).
 * The sub-stores hold the same configurations under the same row ids and
 * the same accuracies (evaluated once, shared); only cycles, flash, fits
 * and the kernel choice differ. So `show`, `export`, `validate`, `report`
 * and the row checks read a sub-store exactly as they read a single-board
 * run. A single-board run is a store at the run directory itself, with no
 * `boards.json` (what main always wrote).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { FileError, UsageError } from '../../util/errors.js';
import { STORE_VERSION } from './run-config.js';

/** File naming the boards of a multi-board run directory. */
export const BOARDS_FILE = 'boards.json';

/** `boards.json`. */
export interface StoredBoards {
  readonly version: number;
  readonly boards: readonly string[];
}

/** The sub-store of `board` inside multi-board run directory `dir`. */
export function boardStoreDir(dir: string, board: string): string {
  return join(dir, board);
}

/** The boards of multi-board run directory `dir`, or null when it is not one. */
export function runBoards(dir: string): readonly string[] | null {
  const path = join(dir, BOARDS_FILE);
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FileError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const boards = (value as Partial<StoredBoards> | null)?.boards;
  if (!Array.isArray(boards) || boards.length < 2 || !boards.every((b) => typeof b === 'string')) throw new FileError(`${path} does not list the boards of a run; the store is corrupt`);
  return boards as string[];
}

/**
 * Opens `dir` as a multi-board run of `boards` for writing: writes
 * `boards.json` when the directory is new, else checks it lists the same
 * boards. Touches nothing when it refuses.
 * @throws UsageError when `dir` is a single-board run or a run of other boards
 */
export function openBoardStores(dir: string, boards: readonly string[]): void {
  if (existsSync(join(dir, 'config.json'))) throw new UsageError(`run directory ${dir} is a single-board run, not one of ${boards.join(', ')}; choose another --id or --out`);
  const stored = runBoards(dir);
  if (stored !== null) {
    if (stored.join(',') !== boards.join(',')) throw new UsageError(`run directory ${dir} was made for boards ${stored.join(',')}, not ${boards.join(',')}; choose another --id or --out`);
    return;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FileError(`cannot create run directory ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  writeFileAtomic(join(dir, BOARDS_FILE), `${JSON.stringify({ version: STORE_VERSION, boards }, null, 2)}\n`);
}

/**
 * The store directory a command reads for `board` in run directory `dir`:
 * `dir` itself for a single-board run (whatever `board` says: export may
 * target another board than the run's), the board's sub-store for a
 * multi-board run.
 * @throws UsageError when a multi-board run has no such board, or none is given
 *   and `firstByDefault` is false
 */
export function boardStore(dir: string, board: string | undefined, firstByDefault = false): string {
  const boards = runBoards(dir);
  if (boards === null) return dir;
  if (board === undefined) {
    if (firstByDefault) return boardStoreDir(dir, boards[0]);
    throw new UsageError(`run ${dir} explored several boards (${boards.join(', ')}): choose one with --board`);
  }
  if (!boards.includes(board)) {
    if (firstByDefault) return boardStoreDir(dir, boards[0]);
    throw new UsageError(`run ${dir} has no board ${board} (its boards: ${boards.join(', ')})`);
  }
  return boardStoreDir(dir, board);
}
