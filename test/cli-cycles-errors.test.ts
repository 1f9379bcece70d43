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
    ['a bad --args', [ALU, '--fn', 'alu_chain16', '--args', '1,x'], /^sim-dse: --args: 'x' is not an integer\n$/],
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
