import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardProfile } from '../src/emulator/board.js';
import { getBoard } from '../src/emulator/boards.js';
import { checkSegmentsFit, ElfError, findSymbol, parseElf, readElfFile } from '../src/emulator/elf.js';
import { FileError } from '../src/util/errors.js';
import { projectRoot } from '../src/util/paths.js';

const benchDir = join(projectRoot, 'firmware-prebuilt', 'microbench');
const memBytes = (): Uint8Array => new Uint8Array(readFileSync(join(benchDir, 'mem.elf')));

/** The ElfError `fn` throws (fails the test when it throws anything else or nothing). */
function elfError(fn: () => unknown): ElfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    expect((e as ElfError).kind).toBe('elf');
    expect((e as ElfError).message).not.toContain('\n');
    return e as ElfError;
  }
  throw new Error('expected an ElfError, nothing was thrown');
}

/** Deterministic pseudo-random bytes (a 32-bit LCG). */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('parseElf errors', () => {
  it('rejects random bytes and an empty file as not an ELF', () => {
    expect(elfError(() => parseElf(randomBytes(256, 7), 'noise.bin')).message).toBe('noise.bin: not an ELF file (bad magic)');
    expect(elfError(() => parseElf(new Uint8Array(0), 'empty.elf')).message).toBe('empty.elf: not an ELF file (bad magic)');
  });

  it('rejects a file cut inside the ELF header', () => {
    expect(elfError(() => parseElf(memBytes().subarray(0, 40), 'cut.elf')).message).toBe(
      'cut.elf: truncated ELF: the file has 40 bytes, the ELF header needs 52',
    );
  });

  it('rejects a file cut inside a loadable segment', () => {
    // mem.elf: segment 1 (.data) is 64 bytes at file offset 0x15c = 348
    expect(elfError(() => parseElf(memBytes().subarray(0, 0x160), 'cut.elf')).message).toBe(
      'cut.elf: truncated ELF: segment 1 (file offset 348, 64 bytes) ends past the end of the file (352 bytes)',
    );
  });

  it('rejects a file cut before its section header table', () => {
    const bytes = memBytes();
    const shoff = new DataView(bytes.buffer).getUint32(32, true);
    expect(shoff).toBe(0x3d8);
    expect(elfError(() => parseElf(bytes.subarray(0, 0x3e0), 'cut.elf')).message).toBe(
      'cut.elf: truncated ELF: section header table of 8 entries (file offset 984, 320 bytes) ends past the end of the file (992 bytes)',
    );
  });

  it('rejects a section that runs past the end of the file', () => {
    const bytes = memBytes();
    const dv = new DataView(bytes.buffer);
    // section 6 (.strtab): make it 0x10000 bytes long
    dv.setUint32(0x3d8 + 6 * 40 + 20, 0x10000, true);
    expect(elfError(() => parseElf(bytes, 'long.elf')).message).toBe(
      'long.elf: truncated ELF: section 6 (file offset 788, 65536 bytes) ends past the end of the file (1304 bytes)',
    );
  });

  it.skipIf(!existsSync('/bin/true'))('rejects an x86-64 executable by its machine', () => {
    const bytes = new Uint8Array(readFileSync('/bin/true'));
    expect(elfError(() => parseElf(bytes, 'true')).message).toBe('true: machine x86-64 (62), expected ARM (40)');
  });

  it('rejects a 32-bit x86 ELF by its machine', () => {
    const bytes = memBytes();
    new DataView(bytes.buffer).setUint16(18, 3, true);
    expect(elfError(() => parseElf(bytes, 'x86.elf')).message).toBe('x86.elf: machine x86 (3), expected ARM (40)');
  });

  it('rejects a 64-bit ARM ELF', () => {
    const bytes = memBytes();
    bytes[4] = 2;
    expect(elfError(() => parseElf(bytes, 'wide.elf')).message).toBe('wide.elf: 64-bit ELF, expected 32-bit');
  });

  it('rejects a big-endian ARM ELF', () => {
    const bytes = memBytes();
    bytes[5] = 2;
    new DataView(bytes.buffer).setUint16(18, 40, false);
    expect(elfError(() => parseElf(bytes, 'be.elf')).message).toBe('be.elf: big-endian ELF, expected little-endian');
  });

  it('reports a missing symbol with the closest function names', () => {
    const image = readElfFile(join(benchDir, 'mem.elf'));
    expect(elfError(() => findSymbol(image, 'ldr_chase')).message).toBe(
      "symbol 'ldr_chase' not found in mem.elf (closest functions: ldr_chase8, ldm_stm4, ldm_stm8)",
    );
    expect(elfError(() => findSymbol(image, 'main')).message).toBe(
      "symbol 'main' not found in mem.elf (closest functions: _start, ldm_stm4, ldm_stm8)",
    );
  });

  it('reports a file that cannot be read as a FileError', () => {
    expect(() => readElfFile('/nonexistent/x.elf')).toThrowError(new FileError('cannot read ELF file /nonexistent/x.elf (ENOENT)'));
  });
});

describe('checkSegmentsFit', () => {
  const tiny: BoardProfile = {
    ...getBoard('ideal'),
    id: 'tiny',
    regions: [
      { name: 'flash', kind: 'flash', base: 0x0800_0000, size: 32 * 1024, bus: 'code' },
      { name: 'sram', kind: 'sram', base: 0x2000_0000, size: 64, bus: 'system' },
      { name: 'peripherals', kind: 'peripheral', base: 0x4000_0000, size: 0x2000_0000, bus: 'system' },
    ],
  };

  it('rejects a 40 KB code segment on a board with 32 KB of flash', () => {
    const image = readElfFile(join(benchDir, 'straight40k.elf'));
    expect(elfError(() => checkSegmentsFit(image, tiny, 'straight40k.elf')).message).toBe(
      "straight40k.elf: segment 0x08000000..0x08009c88 (40072 bytes) does not fit in any memory region of board 'tiny' " +
        '(flash 0x08000000..0x08008000, sram 0x20000000..0x20000040)',
    );
  });

  it('rejects data + bss that overflow the SRAM', () => {
    const image = readElfFile(join(benchDir, 'mem.elf'));
    expect(elfError(() => checkSegmentsFit(image, tiny, 'mem.elf')).message).toBe(
      "mem.elf: segment 0x20000000..0x20000060 (96 bytes) does not fit in any memory region of board 'tiny' " +
        '(flash 0x08000000..0x08008000, sram 0x20000000..0x20000040)',
    );
  });

  it('ignores empty segments', () => {
    const image = readElfFile(join(benchDir, 'it.elf'));
    expect(image.segments[1].memsz).toBe(0);
    expect(() => checkSegmentsFit(image, tiny, 'it.elf')).not.toThrow();
  });
});
