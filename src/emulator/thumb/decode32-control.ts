/**
 * 32-bit Thumb branches and miscellaneous control (ARMv7-M ARM, DDI 0403,
 * section A5.3.4): B T3/T4, BL, MSR, MRS, hints, barriers, UDF.
 */
import type { InsnClass, ThumbInsn } from './insn.js';
import { LR_BIT, PC_BIT } from './insn.js';
import { COND_AL, bit, directBranch, plain, signExtend, undefinedInsn } from './insn-build.js';

/** 32-bit hints by hw2 bits 7:0 (values 0..4); 0xf0..0xff is DBG, others execute as NOP. */
const HINTS32: readonly (readonly [string, InsnClass])[] = [
  ['nop', 'alu'],
  ['yield', 'alu'],
  ['wfe', 'system'],
  ['wfi', 'system'],
  ['sev', 'system'],
];

/** Barriers and CLREX by hw2 bits 7:4 (A5.3.4 "miscellaneous control"); null = UNDEFINED. */
const MISC_CONTROL: readonly (string | null)[] = [null, null, 'clrex', null, 'dsb', 'dmb', 'isb'];

/** B T3 offset: SignExtend(S:J2:J1:imm6:imm11:'0', 21). */
function conditionalOffset(hw1: number, hw2: number): number {
  const s = (hw1 >>> 10) & 1;
  const j1 = (hw2 >>> 13) & 1;
  const j2 = (hw2 >>> 11) & 1;
  const value = (s << 20) | (j2 << 19) | (j1 << 18) | ((hw1 & 0x3f) << 12) | ((hw2 & 0x7ff) << 1);
  return signExtend(value, 21);
}

/** B T4 / BL offset: SignExtend(S:I1:I2:imm10:imm11:'0', 25), In = NOT(Jn XOR S). */
function longOffset(hw1: number, hw2: number): number {
  const s = (hw1 >>> 10) & 1;
  const i1 = ~(((hw2 >>> 13) & 1) ^ s) & 1;
  const i2 = ~(((hw2 >>> 11) & 1) ^ s) & 1;
  const value = (s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3ff) << 12) | ((hw2 & 0x7ff) << 1);
  return signExtend(value, 25);
}

/** A5.3.4: branches and miscellaneous control (hw1 = 11110xxx..., hw2 bit 15 set). */
export function branchesAndControl(hw1: number, hw2: number): ThumbInsn {
  const op1 = (hw2 >>> 12) & 7;
  const op = (hw1 >>> 4) & 0x7f;
  switch (op1 & 5) {
    case 1:
      return directBranch(4, 'branch', 'b', 0, PC_BIT, COND_AL, longOffset(hw1, hw2));
    case 5:
      return directBranch(4, 'branch-link', 'bl', 0, PC_BIT | LR_BIT, COND_AL, longOffset(hw1, hw2));
    case 4:
      // BLX (immediate) does not exist in ARMv7-M.
      return undefinedInsn(4);
    default:
      break;
  }
  if ((op & 0x38) !== 0x38) {
    return directBranch(4, 'branch-cond', 'b', 0, PC_BIT, (hw1 >>> 6) & 15, conditionalOffset(hw1, hw2));
  }
  // op1 = 010 is UDF; elsewhere its bit 13 is should-be-zero.
  if (op1 === 2) return op === 0x7f ? undefinedInsn(4, 'udf') : undefinedInsn(4);
  // Hints and barriers have should-be-one bits 3:0 in hw1.
  if ((op === 0x3a || op === 0x3b) && (hw1 & 15) !== 15) return undefinedInsn(4);
  // Barriers and CLREX: hw2 bits 11:8 are should-be-one.
  if (op === 0x3b && (hw2 & 0xf00) !== 0xf00) return undefinedInsn(4);
  switch (op) {
    case 0x38:
    case 0x39:
      return plain(4, 'system', 'msr', bit(hw1 & 15), 0);
    case 0x3a: {
      if ((hw2 & 0x700) !== 0) return undefinedInsn(4);
      const hint = hw2 & 0xff;
      if (hint >= 0xf0) return plain(4, 'system', 'dbg', 0, 0);
      const known = HINTS32[hint];
      return known === undefined ? plain(4, 'alu', 'nop', 0, 0) : plain(4, known[1], known[0], 0, 0);
    }
    case 0x3b: {
      const mn = MISC_CONTROL[(hw2 >>> 4) & 15];
      return mn === null || mn === undefined ? undefinedInsn(4) : plain(4, 'system', mn, 0, 0);
    }
    case 0x3e:
    case 0x3f:
      return plain(4, 'system', 'mrs', 0, bit((hw2 >>> 8) & 15));
    default:
      return undefinedInsn(4);
  }
}
