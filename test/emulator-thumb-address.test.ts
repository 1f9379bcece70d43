/**
 * The `address` field of `decodeThumb` (how a load or store forms its
 * address) for hand-picked encodings of each addressing mode and sign. The
 * halfwords were produced by arm-none-eabi-as 2.40 (-mcpu=cortex-m4 -mthumb
 * -mfpu=fpv4-sp-d16) and checked with arm-none-eabi-objdump; each case names
 * objdump's line. The corpus test (emulator-thumb-decode-objdump) checks the
 * same field on every load and store of newlib.
 */
import { describe, expect, it } from 'vitest';
import { decodeThumb } from '../src/emulator/thumb/decode.js';
import type { MemAddress } from '../src/emulator/thumb/insn.js';

const SP = 13;
const PC = 15;

/** `[Rn, #offset]`. */
function off(base: number, offset: number): MemAddress {
  return { mode: 'offset', base, index: -1, shift: 0, offset };
}
/** `[Rn, #offset]!`. */
function pre(base: number, offset: number): MemAddress {
  return { mode: 'pre', base, index: -1, shift: 0, offset };
}
/** `[Rn], #offset`. */
function post(base: number, offset: number): MemAddress {
  return { mode: 'post', base, index: -1, shift: 0, offset };
}
/** `[Rn, Rm, lsl #shift]`. */
function reg(base: number, index: number, shift: number): MemAddress {
  return { mode: 'offset', base, index, shift, offset: 0 };
}
/** A register list from Rn, increment after / decrement before. */
function ia(base: number): MemAddress {
  return { mode: 'ia', base, index: -1, shift: 0, offset: 0 };
}
function db(base: number): MemAddress {
  return { mode: 'db', base, index: -1, shift: 0, offset: 0 };
}

/** [objdump's line, hw1, hw2 (0 for 16-bit encodings), expected address]. */
const CASES: readonly (readonly [string, number, number, MemAddress | null])[] = [
  // ---- 16-bit ----
  ['ldr r0, [r1, #4] (imm5 * 4)', 0x6848, 0, off(1, 4)],
  ['ldrb r2, [r3, #31] (imm5 * 1)', 0x7fda, 0, off(3, 31)],
  ['strh r0, [r1, #62] (imm5 * 2)', 0x87c8, 0, off(1, 62)],
  ['ldrsh r0, [r1, r2]', 0x5e88, 0, reg(1, 2, 0)],
  ['str r5, [sp, #1020] (imm8 * 4)', 0x95ff, 0, off(SP, 1020)],
  ['ldr r0, [pc, #8]', 0x4802, 0, off(PC, 8)],
  ['push {r4, lr}', 0xb510, 0, db(SP)],
  ['pop {r4, pc}', 0xbd10, 0, ia(SP)],
  ['ldmia r0!, {r1, r2}', 0xc806, 0, ia(0)],
  ['ldmia r0, {r0, r1} (no writeback)', 0xc803, 0, ia(0)],
  ['stmia r1!, {r2}', 0xc104, 0, ia(1)],
  // ---- 32-bit multiple, dual, exclusive, table branch ----
  ['ldmdb r0, {r1, r2}', 0xe910, 0x0006, db(0)],
  ['stmdb sp!, {r4, r5, r6, r7, r8, r9, sl, fp, lr}', 0xe92d, 0x4ff0, db(SP)],
  ['ldmia.w sp!, {r4, r5, r6, r7, r8, r9, sl, fp, pc}', 0xe8bd, 0x8ff0, ia(SP)],
  ['ldrd r0, r1, [r2], #-8 (post-indexed, U = 0)', 0xe872, 0x0102, post(2, -8)],
  ['strd r0, r1, [r2, #8]! (pre-indexed)', 0xe9e2, 0x0102, pre(2, 8)],
  ['ldrd r0, r1, [r2, #-16]', 0xe952, 0x0104, off(2, -16)],
  ['ldrd r0, r1, [pc, #-16] (literal, U = 0)', 0xe95f, 0x0104, off(PC, -16)],
  ['ldrex r0, [r1, #4] (imm8 * 4)', 0xe851, 0x0f01, off(1, 4)],
  ['strex r2, r0, [r1, #8]', 0xe841, 0x0202, off(1, 8)],
  ['ldrexb r0, [r1]', 0xe8d1, 0x0f4f, off(1, 0)],
  ['strexh r2, r0, [r1]', 0xe8c1, 0x0f52, off(1, 0)],
  ['tbb [pc, r3]', 0xe8df, 0xf003, reg(PC, 3, 0)],
  ['tbh [pc, r3, lsl #1]', 0xe8df, 0xf013, reg(PC, 3, 1)],
  ['tbh [r1, r3, lsl #1]', 0xe8d1, 0xf013, reg(1, 3, 1)],
  // ---- 32-bit single loads and stores ----
  ['ldr.w r0, [r1, #4095] (T3, imm12)', 0xf8d1, 0x0fff, off(1, 4095)],
  ['strb.w r0, [r1, #4095] (T2, imm12)', 0xf881, 0x0fff, off(1, 4095)],
  ['ldr.w r0, [r1, #-4]! (T4, pre-indexed, U = 0)', 0xf851, 0x0d04, pre(1, -4)],
  ['ldr.w r0, [r1, #-255] (T4, negative offset)', 0xf851, 0x0cff, off(1, -255)],
  ['ldrsh.w r0, [r1, #-2]', 0xf931, 0x0c02, off(1, -2)],
  ['ldr.w r0, [r1], #4 (post-indexed)', 0xf851, 0x0b04, post(1, 4)],
  ['ldr.w r0, [r1], #-4 (post-indexed, U = 0)', 0xf851, 0x0904, post(1, -4)],
  ['ldr.w pc, [sp], #4', 0xf85d, 0xfb04, post(SP, 4)],
  ['str.w r0, [r1, #4]!', 0xf841, 0x0f04, pre(1, 4)],
  ['strh.w r0, [r1], #-2', 0xf821, 0x0902, post(1, -2)],
  ['str.w r0, [r1, #-8]', 0xf841, 0x0c08, off(1, -8)],
  ['ldr.w r0, [r1] (.inst.w 0xf8510c00: U = 0, offset 0)', 0xf851, 0x0c00, off(1, 0)],
  ['ldrt r0, [r1, #4]', 0xf851, 0x0e04, off(1, 4)],
  ['strbt r0, [r1]', 0xf801, 0x0e00, off(1, 0)],
  ['ldr.w r0, [r1, r2, lsl #3]', 0xf851, 0x0032, reg(1, 2, 3)],
  ['strh.w r0, [r1, r2, lsl #1]', 0xf821, 0x0012, reg(1, 2, 1)],
  ['ldr.w r0, [pc, #-12] (literal, U = 0)', 0xf85f, 0x000c, off(PC, -12)],
  ['ldr.w r0, [pc, #12] (literal, U = 1)', 0xf8df, 0x000c, off(PC, 12)],
  ['ldrb.w r0, [pc, #-12]', 0xf81f, 0x000c, off(PC, -12)],
  // ---- floating point ----
  ['vldr s0, [r3, #-8]', 0xed13, 0x0a02, off(3, -8)],
  ['vldr d0, [pc, #16]', 0xed9f, 0x0b04, off(PC, 16)],
  ['vldr d0, [pc, #-16]', 0xed1f, 0x0b04, off(PC, -16)],
  ['vstr s2, [r1]', 0xed81, 0x1a00, off(1, 0)],
  ['vpush {s16-s19}', 0xed2d, 0x8a04, db(SP)],
  ['vpop {d8-d9}', 0xecbd, 0x8b04, ia(SP)],
  ['vldmia r0!, {s0-s3}', 0xecb0, 0x0a04, ia(0)],
  ['vstmia r1, {s4-s5}', 0xec81, 0x2a02, ia(1)],
  ['vldmdb r2!, {s6}', 0xed32, 0x3a01, db(2)],
  ['vstmdb r3!, {d0}', 0xed23, 0x0b02, db(3)],
  // ---- no memory access ----
  ['pld [r0, #4]', 0xf890, 0xf004, null],
  ['pli [r1, r2]', 0xf911, 0xf002, null],
  ['pld [pc, #-4]', 0xf81f, 0xf004, null],
  ['pld [r0, #-4]', 0xf810, 0xfc04, null],
  ['add r0, r1', 0x4408, 0, null],
  ['add r2, pc, #0 (adr)', 0xa200, 0, null],
  ['bx lr', 0x4770, 0, null],
];

describe('decodeThumb address', () => {
  it.each(CASES.map((c) => [c[0], c[1], c[2], c[3]] as const))('%s', (_src, hw1, hw2, expected) => {
    const insn = decodeThumb(hw1, hw2);
    expect(insn.address).toEqual(expected);
    // A zero offset is +0 (the U = 0 encodings with offset 0 included).
    if (expected !== null) expect(Object.is(insn.address?.offset, expected.offset)).toBe(true);
    // pre and post write the base back; a plain offset does not.
    if (expected?.mode === 'pre' || expected?.mode === 'post') expect(insn.writeback).toBe(true);
    if (expected?.mode === 'offset') expect(insn.writeback).toBe(false);
  });

  it('gives the literal addresses objdump computes, from Align(instruction address + 4, 4)', () => {
    // [instruction address, hw1, hw2, objdump's target]: from the listing of the cases above.
    const literals: readonly (readonly [number, number, number, number])[] = [
      [0x0a, 0x4802, 0, 0x14], // ldr r0, [pc, #8] @ (14 <.text+0x14>)
      [0x2e, 0xe95f, 0x0104, 0x20], // ldrd r0, r1, [pc, #-16] @ 20
      [0x8a, 0xf85f, 0x000c, 0x80], // ldr.w r0, [pc, #-12] @ 80
      [0x8e, 0xf8df, 0x000c, 0x9c], // ldr.w r0, [pc, #12] @ 9c
      [0x9e, 0xed1f, 0x0b04, 0x90], // vldr d0, [pc, #-16] @ 90
    ];
    for (const [at, hw1, hw2, target] of literals) {
      const a = decodeThumb(hw1, hw2).address;
      expect(a?.base).toBe(PC);
      expect((((at + 4) & ~3) + (a?.offset ?? NaN)) >>> 0).toBe(target);
    }
  });

  it('shares one object shape across every address record', () => {
    const keys = new Set(CASES.map((c) => decodeThumb(c[1], c[2]).address).filter((a) => a !== null).map((a) => Object.keys(a).join()));
    expect([...keys]).toEqual(['mode,base,index,shift,offset']);
  });
});
