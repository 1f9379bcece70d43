import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { parseElf } from '../src/emulator/elf.js';
import { Machine } from '../src/emulator/machine.js';
import { builtCli } from './helpers/cli.js';

const ROOT = join(import.meta.dirname, '..');
const ALU = join(ROOT, 'firmware-prebuilt', 'microbench', 'alu.elf');
const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-cycles-'));
const FAULT_ELF = join(tmp, 'fault.elf');

beforeAll(() => {
  const obj = join(tmp, 'fault.o');
  execFileSync('arm-none-eabi-as', ['-mcpu=cortex-m4', '-mthumb', '-o', obj, join(ROOT, 'test', 'fixtures', 'fault.S')]);
  execFileSync('arm-none-eabi-ld', ['-Ttext=0x08000000', '-o', FAULT_ELF, obj]);
});

describe('sim-dse cycles', () => {
  it('prints cycles, time and breakdown of a function', () => {
    const r = builtCli('cycles', ALU, '--fn', 'alu_chain16', '--args', '1,2', '--board', 'nucleo-f446re');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cycles        24  (0.133 us at 180 MHz)');
    expect(r.stdout).toContain('instructions  17');
    expect(r.stdout).toContain('r0            33 (0x21)');
  });

  it('prints JSON with --json', () => {
    const r = builtCli('cycles', ALU, '--fn', 'alu_chain16', '--args', '1,2', '--board', 'ideal', '--json');
    const j = JSON.parse(r.stdout);
    expect([j.kind, j.cycles, j.instructions, j.returnValue, j.board, j.breakdown.byClass.alu]).toEqual(['ok', 19, 17, 33, 'ideal', 16]);
  });

  it('fails --check on any difference and leaves the golden file as it was', () => {
    const golden = join(tmp, 'golden.json');
    const text = readFileSync(join(ROOT, 'firmware-prebuilt', 'golden-cycles.json'), 'utf8')
      .replace(/"fn":"alu_chain16","board":"ideal","args":\[1,2\],"warm":false,"cycles":19/, '"fn":"alu_chain16","board":"ideal","args":[1,2],"warm":false,"cycles":18')
      .replaceAll('"elf":"', `"elf":"${join(ROOT, 'firmware-prebuilt')}/`);
    writeFileSync(golden, text);
    const entries = (text.match(/"elf":/g) ?? []).length;
    const r = builtCli('cycles', '--check', golden);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('alu_chain16 ideal: cycles 18 -> 19, instructions 17 -> 17');
    expect(r.stdout).toContain(`${entries} golden entries, 1 differences`);
    expect(readFileSync(golden, 'utf8')).toBe(text);
    const u = builtCli('cycles', '--check', golden, '--update');
    expect(u.code).toBe(0);
    expect(builtCli('cycles', '--check', golden).code).toBe(0);
  });
});

describe('sim-dse cycles: bad input gets one clear line and a non-zero exit', () => {
  const cases: [string, string[], RegExp][] = [
    ['a truncated ELF', ['TRUNC'], /^sim-dse: .*truncated.*\n$/],
    ['an x86 ELF', ['/bin/true', '--fn', 'main'], /^sim-dse: \/bin\/true: .*expected ARM \(40\)\n$/],
    ['a missing symbol', [ALU, '--fn', 'nope'], /^sim-dse: symbol 'nope' not found in .*alu\.elf.*\n$/],
    ['an unknown board', [ALU, '--fn', 'alu_chain16', '--board', 'nucleo-h743zi'], /^sim-dse: unknown board 'nucleo-h743zi' \(known: .*\)\n$/],
    ['a missing file', ['/nonexistent.elf', '--fn', 'f'], /^sim-dse: ELF file not found: \/nonexistent\.elf\n$/],
    ['a bad --args', [ALU, '--fn', 'alu_chain16', '--args', '1,x'], /^sim-dse: --args: 'x' is not an integer, buf:N or hex:<bytes>\n$/],
    ['an --args over 32 bits (not wrapped)', [ALU, '--fn', 'alu_chain16', '--args', '99999999999999999999'], /^sim-dse: --args: 99999999999999999999 does not fit a 32-bit register \(-2147483648\.\.4294967295\)\n$/],
    ['an --args of 2^32', [ALU, '--fn', 'alu_chain16', '--args', '1,4294967296'], /^sim-dse: --args: 4294967296 does not fit a 32-bit register/],
    ['an --args below -2^31', [ALU, '--fn', 'alu_chain16', '--args', '-2147483649'], /^sim-dse: --args: -2147483649 does not fit a 32-bit register/],
    ['an odd hex: buffer', [ALU, '--fn', 'alu_chain16', '--args', 'hex:123'], /^sim-dse: --args: 'hex:123': hex: takes an even number of hex digits/],
    ['an empty buf:', [ALU, '--fn', 'alu_chain16', '--args', 'buf:0'], /^sim-dse: --args: 'buf:0': a buffer holds 1 to 16777216 bytes\n$/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      if (args[0] === 'TRUNC') {
        const cut = join(tmp, 'cut.elf');
        writeFileSync(cut, readFileSync(ALU).subarray(0, 100));
        args.splice(0, 1, cut, '--fn', 'alu_chain16');
      }
      const r = builtCli('cycles', ...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('a function that reads unmapped memory: the fault with PC and address', () => {
    const r = builtCli('cycles', FAULT_ELF, '--fn', 'load_unmapped');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sim-dse: .*fault\.elf: load_unmapped: invalid memory access to 0x30000000 \(.*\) at pc 0x08000004\n$/);
  });
});

describe('sim-dse cycles: loose ends of the call harness', () => {
  it('a symbol at the return stub is an error, not cycles 0', () => {
    const r = builtCli('cycles', FAULT_ELF, '--fn', 'at_stub');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sim-dse: .*fault\.elf: symbol 'at_stub' is at 0x1fff0000, the emulator's return stub \(0x1fff0000\.\.0x1fff1000\), not a function of the image\n$/);
  });

  it('a store to flash faults naming pc and address', () => {
    const r = builtCli('cycles', FAULT_ELF, '--fn', 'store_flash');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sim-dse: .*fault\.elf: store_flash: store to flash address 0x08000100 \(flash is read-only to stores: the board drops the write and sets FLASH_SR\.PGSERR\) at pc 0x08000012\n$/);
    // and the flash still holds the image (the store was not performed)
    const m = new Machine(parseElf(readFileSync(FAULT_ELF), 'fault.elf'), getBoard('nucleo-l4r5zi'), 'fault.elf');
    try {
      const f = m.call({ symbol: 'store_flash', args: [0xdeadbeef] });
      expect(f.kind === 'fault' && [f.reason, f.pc, f.address]).toEqual(['memory', 0x08000012, 0x08000100]);
      expect([...m.readMemory(0x08000100, 4)]).not.toEqual([0xef, 0xbe, 0xad, 0xde]);
    } finally {
      m.close();
    }
  });

  it('a wfi ends with a clear message at its pc', () => {
    const r = builtCli('cycles', FAULT_ELF, '--fn', 'wait_irq');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sim-dse: ${FAULT_ELF}: wait_irq: wfi (wait for interrupt; nothing raises an interrupt in a measured call, so the core would sleep forever) at pc 0x0800001c\n`);
  });

  it('--args passes buffers (hex: bytes, buf:N zeros) and prints them after the call', () => {
    const r = builtCli('cycles', FAULT_ELF, '--fn', 'sum_bytes', '--args', 'hex:01020304,4', '--board', 'ideal');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('r0            10 (0xa)');
    expect(r.stdout).toContain('  buffers after the call:\n    r0 (4 bytes) 02 03 04 05\n');
    const j = JSON.parse(builtCli('cycles', FAULT_ELF, '--fn', 'sum_bytes', '--args', 'buf:100,100', '--board', 'ideal', '--json').stdout);
    expect([j.returnValue, j.buffers]).toEqual([0, ['01'.repeat(100)]]);
    const long = builtCli('cycles', FAULT_ELF, '--fn', 'sum_bytes', '--args', 'buf:100,0x64', '--board', 'ideal');
    expect(long.stdout).toContain(`    r0 (100 bytes) ${'01 '.repeat(63)}01 ... (36 more)\n`);
  });

  it('negative and hex integers go into the register as 32-bit two\'s complement', () => {
    const j = JSON.parse(builtCli('cycles', ALU, '--fn', 'alu_chain16', '--args', '-1,0x10', '--board', 'ideal', '--json').stdout);
    const plus = JSON.parse(builtCli('cycles', ALU, '--fn', 'alu_chain16', '--args', '4294967295,16', '--board', 'ideal', '--json').stdout);
    expect(j.returnValue).toBe(plus.returnValue);
  });
});

describe('call harness faults, as results', () => {
  it('reports an undefined instruction and an instruction limit', () => {
    const m = new Machine(parseElf(readFileSync(FAULT_ELF), 'fault.elf'), getBoard('ideal'), 'fault.elf');
    try {
      const u = m.call({ symbol: 'undefined_insn' });
      expect(u.kind === 'fault' && [u.reason, u.pc]).toEqual(['undefined-instruction', 0x08000008]);
      const s = m.call({ symbol: 'spin_forever', maxInstructions: 1000 });
      expect(s.kind === 'fault' && [s.reason, s.instructions]).toEqual(['instruction-limit', 1001]);
      // the machine is still usable after faults
      const ok = m.call({ symbol: 'load_unmapped' });
      expect(ok.kind === 'fault' && ok.address).toBe(0x30000000);
    } finally {
      m.close();
    }
  });
});
