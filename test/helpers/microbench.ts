import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBoard } from '../../src/emulator/boards.js';
import type { CallResult } from '../../src/emulator/call-types.js';
import { parseElf } from '../../src/emulator/elf.js';
import { Machine } from '../../src/emulator/machine.js';

/** Folder of the prebuilt microbenchmark ELFs. */
export const MICROBENCH = join(import.meta.dirname, '..', '..', 'firmware-prebuilt', 'microbench');

/** Expected functional results, written with the assembly sources. */
export interface Expected {
  readonly elf: string;
  readonly args: number[];
  readonly r0: number;
  readonly memory?: Record<string, string>;
  /** The only boards the ELF fits (its code needs a memory other boards lack); absent: every board. */
  readonly boards?: readonly string[];
}

/** Whether microbenchmark `e` runs on board `boardId`. */
export function runsOn(e: Expected, boardId: string): boolean {
  return e.boards === undefined || e.boards.includes(boardId);
}

/** expected.json of the microbenchmark suite. */
export const expected: Record<string, Expected> = JSON.parse(readFileSync(join(MICROBENCH, 'expected.json'), 'utf8'));

/** Runs one microbenchmark on a board; returns the result and the bytes of the named symbols afterwards. */
export function runMicrobench(fn: string, boardId: string, warm = false): { result: CallResult; memory: Record<string, string> } {
  const e = expected[fn];
  const path = join(MICROBENCH, e.elf);
  const image = parseElf(readFileSync(path), path);
  const machine = new Machine(image, getBoard(boardId), path);
  try {
    const result = machine.call({ symbol: fn, args: e.args }, { warm });
    const memory: Record<string, string> = {};
    for (const [name, hex] of Object.entries(e.memory ?? {})) {
      const sym = image.symbols.get(name);
      if (!sym) throw new Error(`no symbol ${name}`);
      memory[name] = Buffer.from(machine.readMemory(sym.value, hex.length / 2)).toString('hex');
    }
    return { result, memory };
  } finally {
    machine.close();
  }
}
