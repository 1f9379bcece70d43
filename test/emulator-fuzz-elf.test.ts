/**
 * Fuzzing the ELF reader and the emulator: mutants of real microbenchmark
 * ELFs (byte flips, truncation, splices, fields of the ELF, program, section
 * and symbol headers) are parsed, loaded into a machine, and two of their
 * functions called and the image run as firmware, each under an instruction
 * limit. Every mutant runs or faults (a result), or throws a SimDseError;
 * nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { parseElf } from '../src/emulator/elf.js';
import { Machine } from '../src/emulator/machine.js';
import { byteFlips, elfFields, fuzz, mutantCount, splice, truncate, wordSet } from './helpers/fuzz.js';

const MICROBENCH = join(import.meta.dirname, '..', 'firmware-prebuilt', 'microbench');
const MUTATORS = [byteFlips, truncate, splice, wordSet, elfFields, elfFields, elfFields];
const BOARDS = ['nucleo-f446re', 'nucleo-l4r5zi', 'ideal'].map(getBoard);
/** Far above what the real functions take (at most ~10,000 instructions), so a mutated loop ends as a fault. */
const LIMIT = 20_000;

/** Parse, load, call `symbols` and run from reset: the paths `cycles` and `emulate-firmware` take. */
function loadAndRun(bytes: Uint8Array, index: number, symbols: readonly string[]): void {
  const machine = new Machine(parseElf(bytes, 'mutant.elf'), BOARDS[index % BOARDS.length], 'mutant.elf');
  try {
    for (const symbol of symbols) machine.call({ symbol, args: [index, 3], maxInstructions: LIMIT }, { warm: index % 2 === 1 });
    machine.runFirmware({ maxInstructions: LIMIT });
  } finally {
    machine.close();
  }
}

describe('ELF fuzz: mutated ELFs load and run (or fault), or fail cleanly', () => {
  const cases = [
    ['mem.elf', ['str_then_ldr', 'ldm_stm8'], 3],
    ['div.elf', ['sdiv_7_3', 'udiv_large'], 4],
  ] as const;
  for (const [file, symbols, seed] of cases) {
    it(`${file}: ${mutantCount(100, 2)} mutants (seed ${seed})`, () => {
      const input = new Uint8Array(readFileSync(join(MICROBENCH, file)));
      const run = (m: Uint8Array, i: number): void => loadAndRun(m, i, symbols);
      run(input, 0); // the real ELF itself runs
      const counts = fuzz(`elf ${file}`, input, MUTATORS, seed, mutantCount(100, 2), run);
      expect(counts.crashes).toEqual([]);
      expect(counts.ok).toBeGreaterThan(0);
      expect(counts.clean).toBeGreaterThan(0);
    });
  }
});
