import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import type { CallArg, CallResult } from '../src/emulator/call-types.js';
import { type ElfImage, parseElf } from '../src/emulator/elf.js';
import { Machine, type MachineOptions } from '../src/emulator/machine.js';
import { MICROBENCH, expected, runsOn } from './helpers/microbench.js';

/**
 * Block replay (src/emulator/timing/access-replay.ts, native/cycles.c replay_block) charges a
 * block's loads and stores at its entry instead of in the memory hook. Its invariant: the cycles,
 * the instructions, the whole breakdown and the registers are the same whether every access goes
 * through the hook (memoryReplay false), every block with a replay program is replayed from its
 * first execution ('every') or the default picks the hot flash blocks and runs them on Unicorn's
 * fast memory path (true). Every mode runs on a fresh Machine: a cold call, then a warm call.
 */
type Mode = Exclude<MachineOptions['memoryReplay'], undefined>;
const MODES: readonly Mode[] = [false, 'every', true];
const ROOT = join(import.meta.dirname, '..');

interface Counts {
  readonly replayed: number;
  readonly hooked: number;
}

/** One mode's cold and warm call: what must match across modes, and how the accesses were charged. */
interface ModeRun {
  readonly cold: unknown;
  readonly warm: unknown;
  readonly coldCounts: Counts;
  readonly warmCounts: Counts;
}

/** What must not depend on the replay mode: everything a call reports but its buffers' identity. */
function projection(r: CallResult): unknown {
  if (r.kind === 'ok') {
    return {
      kind: r.kind, cycles: r.cycles, instructions: r.instructions, breakdown: r.breakdown, registers: r.registers,
      buffers: r.buffers.map((b) => Buffer.from(b).toString('hex')),
    };
  }
  return { kind: r.kind, reason: r.reason, cycles: r.cycles, instructions: r.instructions, pc: r.pc, address: r.address, message: r.message };
}

/** A cold then a warm call of `symbol` in each mode, each mode on its own Machine. */
function runModes(image: ElfImage, board: string, symbol: string, args: readonly CallArg[] = [], maxInstructions?: number): Map<Mode, ModeRun> {
  const out = new Map<Mode, ModeRun>();
  for (const mode of MODES) {
    const m = new Machine(image, getBoard(board), symbol, { memoryReplay: mode });
    try {
      const request = { symbol, args, maxInstructions };
      const cold = projection(m.call(request));
      const coldCounts = m.accessCounts();
      const warm = projection(m.call(request, { warm: true }));
      out.set(mode, { cold, warm, coldCounts, warmCounts: m.accessCounts() });
    } finally {
      m.close();
    }
  }
  return out;
}

/** Asserts that 'every' and the default give exactly what the memory hook alone gives, cold and warm. */
function expectSameInEveryMode(runs: Map<Mode, ModeRun>, label: string): void {
  const hook = runs.get(false) as ModeRun;
  for (const mode of MODES.slice(1)) {
    const r = runs.get(mode) as ModeRun;
    expect(r.cold, `${label}, cold call, memoryReplay ${String(mode)} vs false`).toEqual(hook.cold);
    expect(r.warm, `${label}, warm call, memoryReplay ${String(mode)} vs false`).toEqual(hook.warm);
  }
}

/** [replayed, hooked] of the cold and the warm call of each mode. */
function countsOf(runs: Map<Mode, ModeRun>): Record<string, { cold: [number, number]; warm: [number, number] }> {
  const pair = (c: Counts): [number, number] => [c.replayed, c.hooked];
  return Object.fromEntries(MODES.map((mode) => {
    const r = runs.get(mode) as ModeRun;
    return [String(mode), { cold: pair(r.coldCounts), warm: pair(r.warmCounts) }];
  }));
}

const loadElf = (path: string): ElfImage => parseElf(readFileSync(path), path);

describe('block replay charges exactly what the memory hook charges', () => {
  describe('every prebuilt microbenchmark on ideal, nucleo-f446re and nucleo-l4r5zi', () => {
    const BOARDS = ['ideal', 'nucleo-f446re', 'nucleo-l4r5zi'];
    /**
     * Measured [replayed, hooked] accesses (the same cold and warm, on every board). The default
     * replays none of them: no block runs often enough in one call to pay for its translation.
     * unaligned_loop100 / aligned_loop100: the loop's block runs 99 times replayed (4 accesses);
     * its first run is the block entered at the function (address registers set in it: hooked).
     * ldr_chase8: every load's address comes from the block's own MOVW/MOVT: nothing replayable.
     */
    const PINNED: Record<string, Record<string, [number, number]>> = {
      unaligned_loop100: { false: [0, 400], every: [396, 4], true: [0, 400] },
      aligned_loop100: { false: [0, 400], every: [396, 4], true: [0, 400] },
      sbus_load_loop100: { false: [0, 200], every: [198, 2], true: [0, 200] },
      push_pop_pc: { false: [0, 10], every: [10, 0], true: [0, 10] },
      ldr_literal4: { false: [0, 4], every: [4, 0], true: [0, 4] },
      ldr_chase8: { false: [0, 8], every: [0, 8], true: [0, 8] },
    };

    it('pins counts only of microbenchmarks that exist', () => {
      for (const fn of Object.keys(PINNED)) expect(expected[fn], fn).toBeDefined();
    });

    for (const [fn, e] of Object.entries(expected)) {
      it(fn, () => {
        const image = loadElf(join(MICROBENCH, e.elf));
        const boards = BOARDS.filter((b) => runsOn(e, b));
        expect(boards.length).toBeGreaterThan(0);
        for (const board of boards) {
          const runs = runModes(image, board, fn, e.args);
          expectSameInEveryMode(runs, `${fn} on ${board}`);
          const ok = runs.get(false) as ModeRun;
          expect((ok.cold as { kind: string }).kind, `${fn} on ${board}`).toBe('ok');
          expect((ok.cold as { registers: number[] }).registers[0], `${fn} on ${board}: r0`).toBe(e.r0);
          const pinned = PINNED[fn];
          if (pinned) {
            const want = Object.fromEntries(Object.entries(pinned).map(([mode, c]) => [mode, { cold: c, warm: c }]));
            expect(countsOf(runs), `${fn} on ${board}: [replayed, hooked]`).toEqual(want);
          } else {
            // whatever it replays, the hook-only mode replays nothing
            const c = countsOf(runs);
            expect([c.false.cold[0], c.false.warm[0]], `${fn} on ${board}`).toEqual([0, 0]);
          }
        }
      });
    }
  });

  describe('the prebuilt model images (sim_bench, one inference)', () => {
    const MODELS = join(ROOT, 'firmware-prebuilt', 'models');
    const CASES: { model: string; board: string }[] = [
      { model: 'lenet-baseline', board: 'nucleo-l4r5zi' },
      { model: 'lenet-baseline', board: 'nucleo-f446re' },
      { model: 'resnet8-baseline', board: 'nucleo-l4r5zi' },
      { model: 'resnet8-baseline', board: 'nucleo-f446re' },
      { model: 'lenet-unpacked', board: 'nucleo-l4r5zi' },
      { model: 'resnet8-unpacked', board: 'nucleo-l4r5zi' },
    ];

    for (const { model, board } of CASES) {
      it(`${model} on ${board}`, () => {
        const runs = runModes(loadElf(join(MODELS, `${model}.elf`)), board, 'sim_bench');
        expectSameInEveryMode(runs, `${model} on ${board}`);
        const hook = runs.get(false) as ModeRun;
        expect((hook.warm as { kind: string }).kind).toBe('ok');
        const c = countsOf(runs);
        // the hook-only mode replays nothing; the default replays the kernels' loops on the warm call
        expect([c.false.cold[0], c.false.warm[0]]).toEqual([0, 0]);
        expect(c.true.warm[0]).toBeGreaterThan(0);
        expect(c.every.warm[0]).toBeGreaterThan(0);
        if (model === 'lenet-baseline' && board === 'nucleo-l4r5zi') {
          // measured: 2227260 accesses reach the hook when nothing is replayed; the default replays
          // 2078998 (its hot flash blocks) and leaves 148262 on the hook (blocks that run too rarely
          // to pay for a translation, or whose addresses are not known at entry); 'every' replays
          // every block with a program. The cold call replays too: the image reads DWT CYCCNT, so
          // its first call runs twice (the second with the reading block traced).
          expect(c).toEqual({
            false: { cold: [0, 2227260], warm: [0, 2227260] },
            every: { cold: [2085669, 141527], warm: [2085669, 141527] },
            true: { cold: [2078998, 148262], warm: [2078998, 148262] },
          });
        }
      });
    }
  });

  const haveToolchain = ['arm-none-eabi-as', 'arm-none-eabi-ld'].every((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0);

  describe.skipIf(!haveToolchain)('a synthetic fixture of access patterns (test/fixtures/replay-exact.S)', () => {
    const BOARDS = ['nucleo-f446re', 'nucleo-l4r5zi'];
    const BUF = 0x2000_0000;
    const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-replay-'));
    let image: ElfImage;

    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    beforeAll(() => {
      const obj = join(tmp, 'replay-exact.o');
      const elf = join(tmp, 'replay-exact.elf');
      execFileSync('arm-none-eabi-as', ['-mcpu=cortex-m4', '-mthumb', '-o', obj, join(ROOT, 'test', 'fixtures', 'replay-exact.S')]);
      execFileSync('arm-none-eabi-ld', ['-T', join(ROOT, 'test', 'fixtures', 'replay-exact.ld'), '--build-id=none', '-n', '-o', elf, obj]);
      image = loadElf(elf);
    });

    it('is laid out as its cases need (page-crossing tables and code at fixed addresses)', () => {
      const at = (name: string): number => image.symbols.get(name)?.value ?? -1;
      expect({
        case_index: at('case_index'), tbh_table: at('tbh_table'), it_straddle: at('it_straddle') & ~1, ftab: at('ftab'), buf: at('buf'),
      }).toEqual({ case_index: 0x0800_03fc, tbh_table: 0x0800_0bfd, it_straddle: 0x0800_0ff4, ftab: 0x0800_1fc0, buf: BUF });
    });

    it('replay_mix: 2000 passes over every case, same cycles, breakdown and registers in every mode', () => {
      for (const board of BOARDS) {
        const runs = runModes(image, board, 'replay_mix', [2000]);
        expectSameInEveryMode(runs, `replay_mix on ${board}`);
        const hook = runs.get(false) as ModeRun;
        const warm = hook.warm as { kind: string; breakdown: { dataStalls: number } };
        expect(warm.kind).toBe('ok');
        expect(warm.breakdown.dataStalls).toBeGreaterThan(0);
        // measured (the same on both boards): 375521 accesses reach the hook without replay (an
        // access split at a page counts three times, a byte store once); 'every' replays the
        // loop's blocks with a program from the first pass (260000, each split access once; a flash
        // literal loaded after a store is read at entry) and leaves 32525 to the hook (the IT
        // block, the store-then-load block through SRAM, TBB [pc], the block
        // after SUB SP, the UMLAL block, set-up and return); the default replays nothing cold and
        // on the warm call all of those but the four TBB/TBH targets with an access (500 runs of
        // one access each: too few to pay for a translation).
        expect(countsOf(runs), `replay_mix on ${board}: [replayed, hooked]`).toEqual({
          false: { cold: [0, 375521], warm: [0, 375521] },
          every: { cold: [260000, 32525], warm: [260000, 32525] },
          true: { cold: [0, 375521], warm: [258000, 38025] },
        });
      }
    });

    it('cross_once: a word crossing 0x20000400 is one replayed access, three hooked ones, one unaligned penalty', () => {
      for (const board of BOARDS) {
        const runs = runModes(image, board, 'cross_once');
        expectSameInEveryMode(runs, `cross_once on ${board}`);
        // the literal load and the crossing word: the hook sees the word and its two aligned halves
        expect(countsOf(runs), `cross_once on ${board}`).toEqual({
          false: { cold: [0, 4], warm: [0, 4] },
          every: { cold: [2, 0], warm: [2, 0] },
          true: { cold: [0, 4], warm: [0, 4] },
        });
        // warm: no flash stall left, only the word's halfword-aligned penalty (1 cycle), charged once
        const warm = runs.get('every')?.warm as { breakdown: { dataStalls: number }; registers: number[] };
        expect(warm.breakdown.dataStalls).toBe(1);
      }
    });

    /*
     * The cases below are the smallest patterns that once told the modes apart; each names what
     * the replay must know to stay exact.
     */

    it('it_straddle: an IT block split by the 1 KB code page at 0x08001000 (the conditional load that starts the page)', () => {
      // Unicorn ends a translation block at a page boundary even inside an IT block, so the block
      // at 0x08001000 starts with `ldrne r2, [r1, #8]` under IT state, which its own decode cannot
      // see: the machine tells replayProgram which addresses are inside IT blocks of the image
      // (ReplayContext.conditional), and the load stays on the hook.
      // p = buf + 1: both loads unaligned (2 cycles each); the condition holds on 1000 passes of 2000.
      for (const board of BOARDS) expectSameInEveryMode(runModes(image, board, 'it_straddle', [2000, BUF + 1]), `it_straddle on ${board}`);
      // and the cost model knows the page's first load conditional (the image's IT scan): on the
      // zero-wait profile, n = 2, p aligned, the loads cost 1 + 1 on the failing pass and 2 + 1
      // on the executing one (the second load follows the first: load-pipelining, as the whole
      // function's scan sees it) = 5 in every mode; a block-local decode charged the second 2
      // on both passes (7).
      const ideal = runModes(image, 'ideal', 'it_straddle', [2, BUF]);
      expectSameInEveryMode(ideal, 'it_straddle on ideal');
      expect((ideal.get(false)?.warm as { breakdown: { byClass: { load: number } } }).breakdown.byClass.load).toBe(5);
    });

    it('unpriv_signed_index: LDRSBT / LDRSHT values used as negative indices', () => {
      // the unprivileged forms sign-extend too: -3 read by ldrsbt must not replay as 253 (nor -1 by
      // ldrsht as 65535), which would touch other flash lines and miss elsewhere
      for (const board of BOARDS) expectSameInEveryMode(runModes(image, board, 'unpriv_signed_index', [2000]), `unpriv_signed_index on ${board}`);
    });

    it('periph_pointer: a pointer kept in plain peripheral memory, loaded and dereferenced', () => {
      // the pointer lives in peripheral plain memory, outside the host-mapped memory: read_value
      // takes it from the peripheral model (periph_peek), so the replayed dereference reads flash
      // 0x08001ffd as the hook sees it, not address 0
      for (const board of BOARDS) expectSameInEveryMode(runModes(image, board, 'periph_pointer', [2000]), `periph_pointer on ${board}`);
    });

    it('a call stopped by the instruction limit at the entry of a block with an unaligned access', () => {
      // the limit stops the call before a block runs: its accesses must not be charged, and the
      // reported pc is that block's address in every mode (not whatever Unicorn's PC holds)
      for (const board of BOARDS) {
        expectSameInEveryMode(runModes(image, board, 'cross_once', [], 3), `cross_once, limit 3, on ${board}`);
        expectSameInEveryMode(runModes(image, board, 'replay_mix', [2000], 33_333), `replay_mix, limit 33333, on ${board}`);
      }
    });

    it('a call that faults on a load followed, in the same block, by an unaligned load', () => {
      // the memory hook never sees the faulting access nor those after it: the replay stops at the
      // first access that would fault (an unmapped page, a store to flash, an unaligned LDRD/LDM)
      for (const board of BOARDS) {
        expectSameInEveryMode(runModes(image, board, 'fault_mid_block', [BUF, 0x3000_0000]), `fault_mid_block on ${board}`);
      }
    });
  });
});
