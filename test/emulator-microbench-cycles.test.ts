import { describe, expect, it } from 'vitest';
import { expected, runMicrobench } from './helpers/microbench.js';

/**
 * Every microbenchmark, on the zero-wait `ideal` profile and on
 * nucleo-f446re (5 wait states, 16-byte flash lines, ART prefetch and
 * caches), with its cycle count derived by hand from the timing table
 * (src/emulator/timing/table.ts) and the ART model (native/cycles.c):
 *
 *   core: ALU/MUL/MLA/SMLAD 1; LDR 2, a following independent LDR/STR 1 (load-pipelining),
 *   not for a 32-bit instruction at a halfword address; STR 2, 1 when no memory access follows
 *   (store-buffer); LDM/STM/PUSH/POP 1+N; B<cond> 1, taken +P; BX 1+P; IT folded 0;
 *   condition-failed IT instruction 1; SDIV/UDIV 2 + ceil(bits(quotient)*10/32); P = 2.
 *   f446re: the first flash line of a cold call misses (+5 = wait states); each next line comes
 *   from the prefetch, ready 6 cycles after the previous line was fetched, so a line whose
 *   instructions take c < 6 cycles stalls the next one by 6 - c; lines fetched once are in the
 *   instruction cache; constant loads from flash miss the data cache per new 16-byte line (+5).
 *   Lines are written "offset:cycles" (cycles of the instructions starting in that line).
 */
const CASES: { fn: string; ideal: number; f446: number }[] = [
  // 16 ADDS + BX (1+2) = 19. f446: lines 0:8 10:8 20:1 -> miss 5, then each line >= 6 cycles: 19 + 5 = 24
  { fn: 'alu_chain16', ideal: 19, f446: 24 },
  // 8 MUL + BX 3 = 11. f446: lines 0:4 10:4 20:1 -> 5 + (6-4) + (6-4) = 9 stalls: 20
  { fn: 'mul_chain8', ideal: 11, f446: 20 },
  // 8 MLA + BX 3 = 11. f446: lines 20:3 30:4 40:2 -> 5 + 3 + 2 = 10 stalls: 21
  { fn: 'mla_chain8', ideal: 11, f446: 21 },
  // 8 SMLAD + BX 3 = 11. f446: lines 40:2 50:4 60:3 -> 5 + 4 + 2 = 11 stalls: 22
  { fn: 'smlad_chain8', ideal: 11, f446: 22 },
  // PUSH{4} 5 + MOVW/MOVT/MOVS 3 + LDR 2 + 6 pipelined LDR 6 + LDR.W at 0x1a (halfword address:
  // does not pipeline) 2 + 7 ADD + POP{4} 5 + BX 3 = 33. f446: lines 0:11 10:8 20:12 -> 5: 38
  { fn: 'ldr_independent8', ideal: 33, f446: 38 },
  // MOVW/MOVT/NOP 3 + 8 dependent LDR x 2 + BX 3 = 22. f446: lines 30:9 40:11 -> 5: 27
  { fn: 'ldr_chase8', ideal: 22, f446: 27 },
  // 3 + STR 2 (a load follows) + LDR 2 + ADDS 1 + STR 2 + LDR 2 + BX 3 = 15.
  // f446: lines 40:1 50:11 60:1 -> 5 + (6-1) = 10 stalls: 25
  { fn: 'str_then_ldr', ideal: 15, f446: 25 },
  // 3 + LDM{4} 5 + 3 + STM{4} 5 + 3 ADD + BX 3 = 22. f446: lines 60:8 70:8 80:4 -> 5: 27
  { fn: 'ldm_stm4', ideal: 22, f446: 27 },
  // PUSH{4} 5 + 3 + LDM{8} 9 + 3 + STM{8} 9 + 7 ADD + POP{4} 5 + BX 3 = 44. f446: 80:7 90:12 a0:15 b0:8 -> 5: 49
  { fn: 'ldm_stm8', ideal: 44, f446: 49 },
  // PUSH{5} 6 + 5 ALU + POP{4,pc} 1+5+P = 19. f446: lines b0:9 c0:8 -> 5: 24
  { fn: 'push_pop_pc', ideal: 19, f446: 24 },
  // LDR 2 + 3 pipelined LDR 3 + 3 ADD + BX 3 = 11. f446: lines c0:5 d0:4 -> 5 + (6-5) fetch;
  // literals at 0xd8/0xdc (line d0) and 0xe0/0xe4 (line e0): 2 data-cache misses x 5 = 10: 27
  { fn: 'ldr_literal4', ideal: 11, f446: 27 },
  // MOVS/MOVS 2 + 100 x (ADDS, SUBS, BNE) 300 + 99 taken x 2 + BX 3 = 503. f446: all in line 0: 508
  { fn: 'loop_countdown100', ideal: 503, f446: 508 },
  // CMP 1 + 8 BNE not taken 8 + MOVS 1 + BX 3 = 13. f446: lines 0:2 10:8 20:1 -> 5 + (6-2) = 9: 22
  { fn: 'bcc_not_taken8', ideal: 13, f446: 22 },
  // CMP 1 + 2 x (ITETE folded 0 + 4 ALU, two failing at 1) 8 + BX 3 = 12. f446: 0:6 10:4 -> 5: 17
  { fn: 'it_alu_fail', ideal: 12, f446: 17 },
  // ADR 1 + CMP 1 + ITETE 0 + LDRNE fails 1 + ADDEQ 1 + LDRNE fails 1 + ADDEQ 1 + BX 3 = 9.
  // f446: lines 10:3 20:4 -> 5 + (6-3) = 8: 17
  { fn: 'it_load_fail', ideal: 9, f446: 17 },
  // MOVS/MOVS 2 + SDIV 2 + 1 (quotient 2: 2 bits -> ceil(20/32) = 1) + BX 3 = 8. f446: line 0:5 -> 5: 13
  { fn: 'sdiv_7_3', ideal: 8, f446: 13 },
  // MVN.W/MOVS 2 + SDIV 2 + 10 (0x7fffffff/3: 30 bits -> 10) + BX 3 = 17. f446: 0:1 10:4 -> 5 + 5: 27
  { fn: 'sdiv_large', ideal: 17, f446: 27 },
  // MVN.W/MOVS 2 + SDIV 2 + 1 (|-7|/3 = 2) + BX 3 = 8. f446: 10:4 20:1 -> 5 + 2: 15
  { fn: 'sdiv_neg', ideal: 8, f446: 15 },
  // MVN.W/MOVS 2 + UDIV 2 + 10 (0xffffffff/3: 31 bits -> ceil(310/32) = 10) + BX 3 = 17. f446: 20:5 -> 5: 22
  { fn: 'udiv_large', ideal: 17, f446: 22 },
  // MOVS/MOVS/MOVW 3 + 1000 x 6 + 999 taken x 2 + BX 3 = 8004. f446: the loop's two lines are
  // fetched once (miss 5, then the prefetch is ready in time) and hit the I-cache after: 8009
  { fn: 'art_loop1000', ideal: 8004, f446: 8009 },
  // PUSH{4} 5 + 16 MOVW/MOVT + 10000 x 1 + POP{4} 5 + BX 3 = 10029. f446: 40 KB of 32-bit
  // instructions, four (4 cycles) per 16-byte line: 5 + 2 x 2503 lines = 5011 stalls: 15040,
  // i.e. flash bandwidth bound at 6 cycles per line
  { fn: 'straight_40k', ideal: 10029, f446: 15040 },
  // MOVW/MOVT/MOVS/MOVS 4 + 100 x (LDR.W 2 + ADD.W 1 + LDRH.W 2 + ADD.W 1 + LDR.W 2 + ADD.W 1 + STR.W 1
  // (store-buffer) + SUBS 1 + BNE 1) 1200 + 99 taken x 2 + BX 3 = 1405. f446: lines 0:6 10:6 20:4, the
  // loop's lines in the I-cache after the first pass: 5: 1410
  { fn: 'aligned_loop100', ideal: 1405, f446: 1410 },
  // the same + 100 x unaligned penalties (memory-rules.ts, TRM 3.3.2): LDR [r3,#1] byte-aligned word 2,
  // LDRH [r3,#5] byte-aligned halfword 1, LDR [r3,#10] and STR [r3,#18] halfword-aligned words 1 + 1
  // = 1405 + 500 = 1905. f446: lines 30:6 40:6 50:4 -> 5: 1910
  { fn: 'unaligned_loop100', ideal: 1905, f446: 1910 },
];

/**
 * Code run from SRAM over the System bus, and from the L4R5 SRAM2 window on I-Code
 * (src/emulator/timing/memory-rules.ts; derivations in firmware-prebuilt/microbench/src/sram-*.S):
 * a block fetched over the S-bus takes max(base, 2 x words + 1 + S-bus data words).
 */
const SBUS_CASES: { fn: string; ideal: number; f446: number }[] = [
  { fn: 'sbus_alu_loop100', ideal: 1305, f446: 1305 },
  { fn: 'sbus_load_loop100', ideal: 1309, f446: 1309 },
  // f446: the two flash words share one 16-byte line: one D-cache miss (+5)
  { fn: 'sbus_dcode_loop100', ideal: 1109, f446: 1114 },
];

describe('microbenchmark cycles, derived by hand from the timing table', () => {
  it('covers every microbenchmark of the suite', () => {
    expect([...CASES, ...SBUS_CASES].map((c) => c.fn).concat('alias_alu_loop100').sort()).toEqual(Object.keys(expected).sort());
  });

  for (const c of SBUS_CASES) {
    it(`${c.fn} (code in SRAM): ${c.ideal} cycles on ideal, ${c.f446} on nucleo-f446re`, () => {
      const ideal = runMicrobench(c.fn, 'ideal').result;
      const f446 = runMicrobench(c.fn, 'nucleo-f446re').result;
      expect([ideal.kind === 'ok' && ideal.cycles, f446.kind === 'ok' && f446.cycles]).toEqual([c.ideal, c.f446]);
      for (const r of [ideal, f446]) {
        if (r.kind !== 'ok') continue;
        const b = r.breakdown;
        const classes = Object.values(b.byClass).reduce((a, x) => a + (x ?? 0), 0);
        expect(classes + b.branchPenalty + b.fetchStalls + b.dataStalls + b.divideExtra).toBe(r.cycles);
      }
    });
  }

  it('the same loop costs 1305 cycles from SRAM over the S-bus, 803 from the SRAM2 window on I-Code (nucleo-l4r5zi)', () => {
    const sbus = runMicrobench('sbus_alu_loop100', 'nucleo-l4r5zi').result;
    const alias = runMicrobench('alias_alu_loop100', 'nucleo-l4r5zi').result;
    expect([sbus.kind === 'ok' && sbus.cycles, alias.kind === 'ok' && alias.cycles]).toEqual([1305, 803]);
    expect(alias.kind === 'ok' && alias.breakdown.fetchStalls).toBe(0);
  });

  for (const c of CASES) {
    it(`${c.fn}: ${c.ideal} cycles on ideal, ${c.f446} on nucleo-f446re`, () => {
      const ideal = runMicrobench(c.fn, 'ideal').result;
      const f446 = runMicrobench(c.fn, 'nucleo-f446re').result;
      expect(ideal.kind).toBe('ok');
      expect(f446.kind).toBe('ok');
      if (ideal.kind !== 'ok' || f446.kind !== 'ok') return;
      expect(ideal.cycles).toBe(c.ideal);
      expect(f446.cycles).toBe(c.f446);
      // the breakdown accounts for every cycle
      for (const r of [ideal, f446]) {
        const b = r.breakdown;
        const classes = Object.values(b.byClass).reduce((a, x) => a + (x ?? 0), 0);
        expect(classes + b.branchPenalty + b.fetchStalls + b.dataStalls + b.divideExtra).toBe(r.cycles);
      }
      expect(ideal.breakdown.fetchStalls).toBe(0);
    });
  }

  it('unaligned accesses cost 5 data-stall cycles per pass more than the aligned peer, on every board', () => {
    for (const board of ['ideal', 'nucleo-f446re', 'nucleo-l4r5zi']) {
      const aligned = runMicrobench('aligned_loop100', board).result;
      const unaligned = runMicrobench('unaligned_loop100', board).result;
      if (aligned.kind !== 'ok' || unaligned.kind !== 'ok') throw new Error(`${board}: a run failed`);
      expect([unaligned.cycles - aligned.cycles, aligned.breakdown.dataStalls, unaligned.breakdown.dataStalls]).toEqual([500, 0, 500]);
    }
  });

  it('a loop that fits in the ART cache runs at zero wait states once warm', () => {
    const warm = runMicrobench('art_loop1000', 'nucleo-f446re', true).result;
    expect(warm.kind === 'ok' && warm.cycles).toBe(8004);
  });

  it('straight-line code far larger than the cache stays flash-bound when warm', () => {
    const warm = runMicrobench('straight_40k', 'nucleo-f446re', true).result;
    // 2505 lines stream through a 64-line cache: by the time the second run reaches a line, the
    // lines before it in this run have evicted it, so the warm run costs exactly the cold one
    expect(warm.kind === 'ok' && [warm.cycles, warm.breakdown.fetchStalls]).toEqual([15040, 5011]);
  });
});

describe('microbenchmark results (the emulator is functionally right)', () => {
  for (const [fn, e] of Object.entries(expected)) {
    it(`${fn} returns ${e.r0}${e.memory ? ' and writes the expected memory' : ''}`, () => {
      const { result, memory } = runMicrobench(fn, e.boards?.[0] ?? 'nucleo-f446re');
      expect(result.kind).toBe('ok');
      if (result.kind !== 'ok') return;
      expect(result.returnValue).toBe(e.r0);
      expect(memory).toEqual(e.memory ?? {});
    });
  }
});
