import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { FileError } from '../util/errors.js';
import type { BoardProfile } from './board.js';
import { getBoard } from './boards.js';
import type { CallArg, CallResult } from './call-types.js';
import { parseElf } from './elf.js';
import { type GoldenDiff, type GoldenEntry, formatGolden, readGolden } from './golden.js';
import { Machine } from './machine.js';

/** Reads an ELF file and loads it into a machine for the board (the caller closes it). */
export function openMachine(elfPath: string, board: BoardProfile): Machine {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(elfPath);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new FileError(e.code === 'ENOENT' ? `ELF file not found: ${elfPath}` : `cannot read ${elfPath}: ${e.message}`);
  }
  return new Machine(parseElf(bytes, elfPath), board, elfPath);
}

/** Calls one function of an ELF file on a board. */
export function measure(elfPath: string, fn: string, board: BoardProfile, args: readonly CallArg[], warm: boolean): CallResult {
  const machine = openMachine(elfPath, board);
  try {
    return machine.call({ symbol: fn, args }, { warm });
  } finally {
    machine.close();
  }
}

/** Outcome of checking a golden file. */
export interface GoldenCheck {
  readonly entries: number;
  readonly diffs: readonly GoldenDiff[];
  /** True when the file was rewritten with the measured values. */
  readonly updated: boolean;
  /** The measured entries (the golden file's values where a call faulted). */
  readonly measured: readonly GoldenEntry[];
}

/**
 * Re-measures every entry of a golden file; with `update`, rewrites the file
 * (atomically) with the new values. Machines are reused per (ELF, board).
 */
export function checkGolden(goldenPath: string, update: boolean): GoldenCheck {
  const golden = readGolden(goldenPath);
  const base = dirname(resolve(goldenPath));
  const machines = new Map<string, Machine>();
  const diffs: GoldenDiff[] = [];
  const fresh: GoldenEntry[] = [];
  try {
    for (const entry of golden.entries) {
      const key = `${entry.elf}\0${entry.board}`;
      let machine = machines.get(key);
      if (!machine) {
        // the golden file names boards by id: resolved here, where it is read
        machine = openMachine(resolve(base, entry.elf), getBoard(entry.board));
        machines.set(key, machine);
      }
      const r = machine.call({ symbol: entry.fn, args: entry.args }, { warm: entry.warm });
      if (r.kind === 'fault') {
        diffs.push({ kind: 'fault', entry, message: r.message });
        fresh.push(entry);
        continue;
      }
      if (r.cycles !== entry.cycles || r.instructions !== entry.instructions) {
        diffs.push({ kind: 'changed', entry, cycles: r.cycles, instructions: r.instructions });
      }
      fresh.push({ ...entry, cycles: r.cycles, instructions: r.instructions });
    }
  } finally {
    for (const m of machines.values()) m.close();
  }
  const canUpdate = update && !diffs.some((d) => d.kind === 'fault');
  if (canUpdate) {
    writeFileAtomic(goldenPath, formatGolden({ version: 1, entries: fresh }));
  }
  return { entries: golden.entries.length, diffs, updated: canUpdate, measured: fresh };
}
