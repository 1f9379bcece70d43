/**
 * Every field of `decodeThumb` for hand-picked encodings. The halfwords were
 * produced by arm-none-eabi-as 2.40 (-mcpu=cortex-m4 -mfpu=fpv4-sp-d16) and
 * checked with arm-none-eabi-objdump; the source line and, for branches, the
 * listing addresses are given in each comment.
 */
import { describe, expect, it } from 'vitest';
import { ThumbDecodeError, decodeBlock, decodeThumb, thumbInsnSize } from '../src/emulator/thumb/decode.js';
import type { MemAddress, ThumbInsn } from '../src/emulator/thumb/insn.js';

const PC = 1 << 15;
const LR = 1 << 14;
const SP = 1 << 13;

/** Mask of the listed core registers. */
function r(...regs: number[]): number {
  return regs.reduce((m, n) => m | (1 << n), 0);
}

/** A complete expected record: the given fields over the defaults of a non-memory, non-branch instruction. */
function insn(fields: Partial<ThumbInsn> & Pick<ThumbInsn, 'size' | 'cls' | 'mnemonic'>): ThumbInsn {
  return {
    reads: 0,
    writes: 0,
    addrRegs: 0,
    regCount: 0,
    memBytes: 0,
    writeback: false,
    pcRelative: false,
    cond: 14,
    itCount: 0,
    itConds: [],
    branchOffset: null,
    address: null,
    ...fields,
  };
}

/** An address record (see MemAddress): mode, base, then the index (-1 for none), shift and offset. */
function at(mode: MemAddress['mode'], base: number, offset = 0, index = -1, shift = 0): MemAddress {
  return { mode, base, index, shift, offset };
}

/** [source, hw1, hw2, expected record]. hw2 is 0 for 16-bit encodings. */
const CASES: readonly (readonly [string, number, number, ThumbInsn])[] = [
  // ---- loads and stores ----
  ['ldr r0, [r1, #4]', 0x6848, 0,
    insn({ size: 2, cls: 'load', mnemonic: 'ldr', reads: r(1), writes: r(0), addrRegs: r(1), regCount: 1, memBytes: 4, address: at('offset', 1, 4) })],
  ['ldr r0, [pc, #8]', 0x4802, 0,
    insn({ size: 2, cls: 'load', mnemonic: 'ldr', reads: PC, writes: r(0), addrRegs: PC, regCount: 1, memBytes: 4, pcRelative: true, address: at('offset', 15, 8) })],
  ['ldr.w r0, [r1, r2, lsl #2]', 0xf851, 0x0022,
    insn({ size: 4, cls: 'load', mnemonic: 'ldr', reads: r(1, 2), writes: r(0), addrRegs: r(1, 2), regCount: 1, memBytes: 4, address: at('offset', 1, 0, 2, 2) })],
  ['ldr.w r0, [r1], #4', 0xf851, 0x0b04,
    insn({ size: 4, cls: 'load', mnemonic: 'ldr', reads: r(1), writes: r(0, 1), addrRegs: r(1), regCount: 1, memBytes: 4, writeback: true, address: at('post', 1, 4) })],
  ['ldr.w pc, [sp], #4', 0xf85d, 0xfb04,
    insn({ size: 4, cls: 'load', mnemonic: 'ldr', reads: SP, writes: PC | SP, addrRegs: SP, regCount: 1, memBytes: 4, writeback: true, address: at('post', 13, 4) })],
  ['ldrd r0, r1, [r2]', 0xe9d2, 0x0100,
    insn({ size: 4, cls: 'load-dual', mnemonic: 'ldrd', reads: r(2), writes: r(0, 1), addrRegs: r(2), regCount: 2, memBytes: 8, address: at('offset', 2) })],
  ['strd r4, r5, [sp, #-8]!', 0xe96d, 0x4502,
    insn({ size: 4, cls: 'store-dual', mnemonic: 'strd', reads: r(4, 5) | SP, writes: SP, addrRegs: SP, regCount: 2, memBytes: 8, writeback: true, address: at('pre', 13, -8) })],
  ['ldmia r0!, {r1-r4}', 0xc81e, 0,
    insn({ size: 2, cls: 'load-multiple', mnemonic: 'ldm', reads: r(0), writes: r(0, 1, 2, 3, 4), addrRegs: r(0), regCount: 4, writeback: true, address: at('ia', 0) })],
  ['ldmia r0, {r0, r1} (base in the list: no writeback)', 0xc803, 0,
    insn({ size: 2, cls: 'load-multiple', mnemonic: 'ldm', reads: r(0), writes: r(0, 1), addrRegs: r(0), regCount: 2, address: at('ia', 0) })],
  ['push {r4-r7, lr}', 0xb5f0, 0,
    insn({ size: 2, cls: 'store-multiple', mnemonic: 'push', reads: r(4, 5, 6, 7) | LR | SP, writes: SP, addrRegs: SP, regCount: 5, writeback: true, address: at('db', 13) })],
  ['pop {r4, pc}', 0xbd10, 0,
    insn({ size: 2, cls: 'load-multiple', mnemonic: 'pop', reads: SP, writes: r(4) | PC | SP, addrRegs: SP, regCount: 2, writeback: true, address: at('ia', 13) })],
  ['stmdb sp!, {r4-r11, lr}', 0xe92d, 0x4ff0,
    insn({ size: 4, cls: 'store-multiple', mnemonic: 'stmdb', reads: r(4, 5, 6, 7, 8, 9, 10, 11) | LR | SP, writes: SP, addrRegs: SP, regCount: 9, writeback: true, address: at('db', 13) })],
  // ---- data processing, multiplies, divide ----
  ['smlad r0, r1, r2, r0', 0xfb21, 0x0002, insn({ size: 4, cls: 'dsp-mul', mnemonic: 'smlad', reads: r(0, 1, 2), writes: r(0) })],
  ['sxtb16 r1, r2, ror #8', 0xfa2f, 0xf192, insn({ size: 4, cls: 'alu', mnemonic: 'sxtb16', reads: r(2), writes: r(1) })],
  ['sdiv r0, r1, r2', 0xfb91, 0xf0f2, insn({ size: 4, cls: 'div', mnemonic: 'sdiv', reads: r(1, 2), writes: r(0) })],
  ['muls r2, r3, r2', 0x435a, 0, insn({ size: 2, cls: 'mul', mnemonic: 'mul', reads: r(2, 3), writes: r(2) })],
  ['umlal r0, r1, r2, r3', 0xfbe2, 0x0103, insn({ size: 4, cls: 'mul', mnemonic: 'umlal', reads: r(0, 1, 2, 3), writes: r(0, 1) })],
  ['movw r5, #0x1234', 0xf241, 0x2534, insn({ size: 4, cls: 'alu', mnemonic: 'movw', writes: r(5) })],
  ['movt r5, #0xabcd (keeps the low half: reads r5)', 0xf6ca, 0x35cd, insn({ size: 4, cls: 'alu', mnemonic: 'movt', reads: r(5), writes: r(5) })],
  ['add.w r0, r1, r2, lsl #3', 0xeb01, 0x00c2, insn({ size: 4, cls: 'alu', mnemonic: 'add', reads: r(1, 2), writes: r(0) })],
  ['uxtb r0, r1', 0xb2c8, 0, insn({ size: 2, cls: 'alu', mnemonic: 'uxtb', reads: r(1), writes: r(0) })],
  ['adr r2, fwd (objdump: add r2, pc, #0)', 0xa200, 0, insn({ size: 2, cls: 'alu', mnemonic: 'add', reads: PC, writes: r(2) })],
  ['mov pc, r0', 0x4687, 0, insn({ size: 2, cls: 'alu', mnemonic: 'mov', reads: r(0), writes: PC })],
  ['add pc, r1', 0x448f, 0, insn({ size: 2, cls: 'alu', mnemonic: 'add', reads: r(1) | PC, writes: PC })],
  // ---- IT ----
  ['it ne', 0xbf18, 0, insn({ size: 2, cls: 'it', mnemonic: 'it', itCount: 1, itConds: [1] })],
  ['itete eq', 0xbf0b, 0, insn({ size: 2, cls: 'it', mnemonic: 'itete', itCount: 4, itConds: [0, 1, 0, 1] })],
  ['ite gt', 0xbfcc, 0, insn({ size: 2, cls: 'it', mnemonic: 'ite', itCount: 2, itConds: [12, 13] })],
  ['ittee ls', 0xbf99, 0, insn({ size: 2, cls: 'it', mnemonic: 'ittee', itCount: 4, itConds: [9, 9, 8, 8] })],
  // ---- branches (offsets from the instruction address + 4) ----
  ['2c: b.n 8c <fwd>', 0xe02e, 0, insn({ size: 2, cls: 'branch', mnemonic: 'b', writes: PC, branchOffset: 0x5c })],
  ['8: beq.n 8 (branch to self)', 0xd0fe, 0, insn({ size: 2, cls: 'branch-cond', mnemonic: 'b', writes: PC, cond: 0, branchOffset: -4 })],
  ['2e: beq.w 0 <back>', 0xf43f, 0xafe7, insn({ size: 4, cls: 'branch-cond', mnemonic: 'b', writes: PC, cond: 0, branchOffset: -50 })],
  ['2: b.w ff000006 (most negative B T4 offset)', 0xf400, 0x9000,
    insn({ size: 4, cls: 'branch', mnemonic: 'b', writes: PC, branchOffset: -16777216 })],
  ['32: bl 0 <back>', 0xf7ff, 0xffe5, insn({ size: 4, cls: 'branch-link', mnemonic: 'bl', writes: PC | LR, branchOffset: -54 })],
  ['36: cbz r3, 8c <fwd>', 0xb34b, 0, insn({ size: 2, cls: 'compare-branch', mnemonic: 'cbz', reads: r(3), writes: PC, branchOffset: 0x52 })],
  ['0: cbnz r7, 82 (largest offset)', 0xbbff, 0, insn({ size: 2, cls: 'compare-branch', mnemonic: 'cbnz', reads: r(7), writes: PC, branchOffset: 126 })],
  ['tbb [pc, r0]', 0xe8df, 0xf000,
    insn({ size: 4, cls: 'table-branch', mnemonic: 'tbb', reads: PC | r(0), writes: PC, addrRegs: PC | r(0), regCount: 1, memBytes: 1, pcRelative: true, address: at('offset', 15, 0, 0, 0) })],
  ['bx lr', 0x4770, 0, insn({ size: 2, cls: 'branch-reg', mnemonic: 'bx', reads: LR, writes: PC })],
  ['blx r3', 0x4798, 0, insn({ size: 2, cls: 'branch-reg', mnemonic: 'blx', reads: r(3), writes: PC | LR })],
  // ---- floating point ----
  ['vldr s0, [r0, #4]', 0xed90, 0x0a01,
    insn({ size: 4, cls: 'fpu-load', mnemonic: 'vldr', reads: r(0), addrRegs: r(0), regCount: 1, memBytes: 4, address: at('offset', 0, 4) })],
  ['vldr d0, [pc, #16]', 0xed9f, 0x0b04,
    insn({ size: 4, cls: 'fpu-load', mnemonic: 'vldr', reads: PC, addrRegs: PC, regCount: 2, memBytes: 8, pcRelative: true, address: at('offset', 15, 16) })],
  ['vpush {s16-s19}', 0xed2d, 0x8a04,
    insn({ size: 4, cls: 'fpu-store-multiple', mnemonic: 'vpush', reads: SP, writes: SP, addrRegs: SP, regCount: 4, writeback: true, address: at('db', 13) })],
  ['vpop {d8-d9}', 0xecbd, 0x8b04,
    insn({ size: 4, cls: 'fpu-load-multiple', mnemonic: 'vpop', reads: SP, writes: SP, addrRegs: SP, regCount: 4, writeback: true, address: at('ia', 13) })],
  ['vmla.f32 s0, s1, s2', 0xee00, 0x0a81, insn({ size: 4, cls: 'fpu-mac', mnemonic: 'vmla' })],
  ['vmrs APSR_nzcv, fpscr (flags only: no core register written)', 0xeef1, 0xfa10, insn({ size: 4, cls: 'fpu', mnemonic: 'vmrs' })],
  ['vmov r0, s1', 0xee10, 0x0a90, insn({ size: 4, cls: 'fpu', mnemonic: 'vmov', writes: r(0) })],
  // ---- system and undefined ----
  ['svc 42', 0xdf2a, 0, insn({ size: 2, cls: 'system', mnemonic: 'svc' })],
  ['udf #0', 0xde00, 0, insn({ size: 2, cls: 'undefined', mnemonic: 'udf' })],
  ['setend le (not ARMv7-M)', 0xb650, 0, insn({ size: 2, cls: 'undefined', mnemonic: 'undefined' })],
  ['blx <imm> (no BLX immediate in ARMv7-M)', 0xf000, 0xe800, insn({ size: 4, cls: 'undefined', mnemonic: 'undefined' })],
  ['vadd.f64 d0, d0, d0 (no double precision in FPv4-SP)', 0xee30, 0x0b00, insn({ size: 4, cls: 'undefined', mnemonic: 'vadd' })],
];

describe('decodeThumb fields', () => {
  it.each(CASES.map((c) => [c[0], c[1], c[2], c[3]] as const))('%s', (_src, hw1, hw2, expected) => {
    expect(decodeThumb(hw1, hw2)).toEqual(expected);
  });

  it('ignores hw2 for 16-bit encodings', () => {
    expect(decodeThumb(0x6848, 0xffff)).toEqual(decodeThumb(0x6848, 0));
  });
});

describe('thumbInsnSize', () => {
  it('is 4 exactly when bits 15:11 are 11101, 11110 or 11111', () => {
    expect([0x0000, 0xe7ff, 0xe800, 0xefff, 0xf000, 0xf7ff, 0xf800, 0xffff, 0xdfff, 0xbf00].map(thumbInsnSize)).toEqual([
      2, 2, 4, 4, 4, 4, 4, 4, 2, 2,
    ]);
  });

  it('agrees with decodeThumb(...).size for every first halfword', () => {
    let mismatches = 0;
    for (let hw1 = 0; hw1 < 0x10000; hw1++) if (decodeThumb(hw1, 0).size !== thumbInsnSize(hw1)) mismatches++;
    expect(mismatches).toBe(0);
  });
});

describe('decodeBlock', () => {
  it('walks mixed 16/32-bit code from a start address', () => {
    // 100: ldr r0, [r1, #4]; 102: ldr.w r0, [r1, r2, lsl #2]; 106: bx lr
    const bytes = new Uint8Array([0x48, 0x68, 0x51, 0xf8, 0x22, 0x00, 0x70, 0x47]);
    expect(decodeBlock(bytes, 0x100).map((d) => [d.address, d.insn.mnemonic, d.insn.size])).toEqual([
      [0x100, 'ldr', 2],
      [0x102, 'ldr', 4],
      [0x106, 'bx', 2],
    ]);
  });

  it('rejects an odd start address with one clear line', () => {
    expect(() => decodeBlock(new Uint8Array(2), 0x101)).toThrow(ThumbDecodeError);
    expect(() => decodeBlock(new Uint8Array(2), 0x101)).toThrow('decodeBlock: address 257 is not a halfword-aligned 32-bit address');
  });
});
