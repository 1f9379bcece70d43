import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBoards } from '../src/emulator/boards.js';
import { checkSegmentsFit, findSymbol, mappingKindAt, parseElf, readElfFile } from '../src/emulator/elf.js';
import { projectRoot } from '../src/util/paths.js';

const benchDir = join(projectRoot, 'firmware-prebuilt', 'microbench');
const elfPath = (name: string): string => join(benchDir, name);
const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** True when binutils for ARM are installed (for the cross-check against nm). */
function haveNm(): boolean {
  try {
    execFileSync('arm-none-eabi-nm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('parseElf on the microbenchmark ELFs', () => {
  const mem = readElfFile(elfPath('mem.elf'));

  it('reads the header: ARM, Thumb entry point', () => {
    expect(mem.fileName).toBe('mem.elf');
    expect(mem.machine).toBe(40);
    expect(mem.entry).toBe(0x0800_0001);
  });

  it('finds every function of mem.elf at the address nm prints, with size and Thumb bit', () => {
    const want: Record<string, [number, number]> = {
      ldr_independent8: [0x0800_0000, 48],
      ldr_chase8: [0x0800_0030, 28],
      str_then_ldr: [0x0800_004c, 22],
      ldm_stm4: [0x0800_0064, 36],
      ldm_stm8: [0x0800_0088, 48],
      push_pop_pc: [0x0800_00b8, 14],
      ldr_literal4: [0x0800_00c8, 32],
      _start: [0x0800_0000, 48],
    };
    for (const [name, [value, size]] of Object.entries(want)) {
      expect(findSymbol(mem, name), name).toEqual({ value, size, type: 'func', bind: 'global', thumb: true });
    }
  });

  it('reads data objects and the file symbol', () => {
    expect(findSymbol(mem, 'mb_words')).toEqual({ value: 0x2000_0000, size: 32, type: 'object', bind: 'global', thumb: false });
    expect(findSymbol(mem, 'mb_chain')).toEqual({ value: 0x2000_0020, size: 32, type: 'object', bind: 'global', thumb: false });
    expect(findSymbol(mem, 'mb_scratch')).toEqual({ value: 0x2000_0040, size: 32, type: 'object', bind: 'global', thumb: false });
    expect(findSymbol(mem, 'mem.o')).toEqual({ value: 0, size: 0, type: 'file', bind: 'local', thumb: false });
    expect([...mem.symbols.keys()].sort()).toEqual([
      '_start', 'ldm_stm4', 'ldm_stm8', 'ldr_chase8', 'ldr_independent8', 'ldr_literal4',
      'mb_chain', 'mb_scratch', 'mb_words', 'mem.o', 'push_pop_pc', 'str_then_ldr',
    ]);
  });

  it('reads the two PT_LOAD segments: code in flash, data + bss in SRAM', () => {
    expect(mem.segments.map((s) => [s.paddr, s.vaddr, s.memsz, s.data.length])).toEqual([
      [0x0800_0000, 0x0800_0000, 0xe8, 0xe8],
      [0x2000_0000, 0x2000_0000, 0x60, 0x40],
    ]);
    // push {r4-r7}; movw r1, #0
    expect(hexBytes(mem.segments[0].data.subarray(0, 6))).toBe('f0b440f20001');
    // the literal pool of ldr_literal4
    expect(hexBytes(mem.segments[0].data.subarray(0xd8, 0xe8))).toBe('78563412f0debc9a0df0ad0beeffc000');
    // mb_words (1, 2, 4, ... 128), then mb_chain (payload, then node addresses)
    expect(hexBytes(mem.segments[1].data)).toBe(
      '0100000002000000040000000800000010000000200000004000000080000000' +
        'eeffc000' + '20000020' + '24000020' + '28000020' + '2c000020' + '30000020' + '34000020' + '38000020',
    );
  });

  it('reads the section headers with names, addresses, types and raw flags', () => {
    expect(mem.sections).toEqual([
      { name: '.text', addr: 0x0800_0000, size: 0xe8, type: 'progbits', flags: 6 },
      { name: '.data', addr: 0x2000_0000, size: 0x40, type: 'progbits', flags: 3 },
      { name: '.bss', addr: 0x2000_0040, size: 0x20, type: 'nobits', flags: 3 },
      { name: '.ARM.attributes', addr: 0, size: 0x25, type: '0x70000003', flags: 0 },
      { name: '.symtab', addr: 0, size: 0x150, type: 'symtab', flags: 0 },
      { name: '.strtab', addr: 0, size: 0x85, type: 'strtab', flags: 0 },
      { name: '.shstrtab', addr: 0, size: 0x3c, type: 'strtab', flags: 0 },
    ]);
  });

  it('collects the mapping symbols in address order and classifies addresses by them', () => {
    expect(mem.mappingSymbols).toEqual([
      { address: 0x0800_0000, kind: 't' },
      { address: 0x0800_00d8, kind: 'd' },
      { address: 0x2000_0000, kind: 'd' },
      { address: 0x2000_0040, kind: 'd' },
    ]);
    expect(mappingKindAt(mem, 0x07ff_fffe)).toBeUndefined();
    expect(mappingKindAt(mem, 0x0800_0000)).toBe('t');
    expect(mappingKindAt(mem, 0x0800_00d6)).toBe('t');
    expect(mappingKindAt(mem, 0x0800_00d8)).toBe('d');
    expect(mappingKindAt(mem, 0x0800_00e4)).toBe('d');
  });

  it('sees the literal words inside it_load_fail as data', () => {
    const it_ = readElfFile(elfPath('it.elf'));
    expect(it_.mappingSymbols).toEqual([
      { address: 0x0800_0000, kind: 't' },
      { address: 0x0800_0028, kind: 'd' },
    ]);
    expect(findSymbol(it_, 'it_load_fail')).toEqual({ value: 0x0800_0018, size: 24, type: 'func', bind: 'global', thumb: true });
  });

  it('loads the 40 KB straight-line block as one 40072-byte flash segment', () => {
    // push (2) + 16 MOVW/MOVT (64) + 10000 x 4 + pop (2) + bx (2) = 40070, padded to 40072
    const s = readElfFile(elfPath('straight40k.elf'));
    expect(s.segments.map((x) => [x.paddr, x.memsz, x.data.length])).toEqual([
      [0x0800_0000, 40072, 40072],
      [0x2000_0000, 0, 0],
    ]);
    expect(findSymbol(s, 'straight_40k')).toEqual({ value: 0x0800_0000, size: 40070, type: 'func', bind: 'global', thumb: true });
  });

  it('finds every function of expected.json in its ELF', () => {
    const expected = JSON.parse(readFileSync(elfPath('expected.json'), 'utf8')) as Record<string, { elf: string }>;
    expect(Object.keys(expected).length).toBe(27);
    for (const [fn, e] of Object.entries(expected)) {
      const sym = findSymbol(readElfFile(elfPath(e.elf)), fn);
      expect(sym.type, fn).toBe('func');
      expect(sym.thumb, fn).toBe(true);
    }
  });

  it('fits every microbenchmark ELF on every board it names (sram-alias.elf: the L4R5 SRAM2 window only)', () => {
    const only: Record<string, string[]> = { 'sram-alias.elf': ['nucleo-l4r5zi'] };
    for (const f of readdirSync(benchDir).filter((n) => n.endsWith('.elf'))) {
      const image = parseElf(readFileSync(elfPath(f)), f);
      for (const board of listBoards()) {
        const fits = only[f] === undefined || only[f].includes(board.id);
        if (fits) expect(() => checkSegmentsFit(image, board, f)).not.toThrow();
        else expect(() => checkSegmentsFit(image, board, f)).toThrow(/does not fit/);
      }
    }
  });

  it.skipIf(!haveNm())('agrees with arm-none-eabi-nm on every symbol of every ELF', () => {
    for (const f of readdirSync(benchDir).filter((n) => n.endsWith('.elf'))) {
      const image = readElfFile(elfPath(f));
      const lines = execFileSync('arm-none-eabi-nm', [elfPath(f)], { encoding: 'utf8' }).trim().split('\n');
      for (const line of lines) {
        const [addr, , name] = line.split(' ');
        expect(findSymbol(image, name).value, `${f} ${name}`).toBe(parseInt(addr, 16));
      }
    }
  });
});
