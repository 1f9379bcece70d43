/**
 * 32-bit Thumb data processing with an immediate or a shifted register
 * operand (ARMv7-M ARM, DDI 0403, sections A5.3.1, A5.3.3 and A5.3.11).
 */
import type { ThumbInsn } from './insn.js';
import { bit, plain, undefinedInsn } from './insn-build.js';

/**
 * An operation of A5.3.1 / A5.3.11 and its alias: `test` aliases (TST, TEQ,
 * CMN, CMP) apply when Rd is PC and S is set, `move` aliases (MOV, MVN) when
 * Rn is PC.
 */
interface DpOp {
  readonly mn: string;
  readonly alias: string | null;
  readonly aliasKind: 'test' | 'move' | null;
}

const op = (mn: string, alias: string | null = null, aliasKind: 'test' | 'move' | null = null): DpOp => ({
  mn,
  alias,
  aliasKind,
});

/** Indexed by op (hw1 bits 8:5); `null` = UNDEFINED. Shared by both operand forms (PKH handled apart). */
const DP_OPS: readonly (DpOp | null)[] = [
  op('and', 'tst', 'test'),
  op('bic'),
  op('orr', 'mov', 'move'),
  op('orn', 'mvn', 'move'),
  op('eor', 'teq', 'test'),
  null,
  null,
  null,
  op('add', 'cmn', 'test'),
  null,
  op('adc'),
  op('sbc'),
  null,
  op('sub', 'cmp', 'test'),
  op('rsb'),
  null,
];

/**
 * Data processing, modified immediate (A5.3.1) when `rm` is -1, or shifted
 * register (A5.3.11) when `rm` is the second source register.
 */
function dataProcessing(hw1: number, hw2: number, rm: number): ThumbInsn {
  const opIndex = (hw1 >>> 5) & 15;
  const n = hw1 & 15;
  const d = (hw2 >>> 8) & 15;
  const setFlags = (hw1 & 0x10) !== 0;
  const m = rm < 0 ? 0 : bit(rm);
  if (rm >= 0 && opIndex === 6) {
    if (setFlags || (hw2 & 0x10) !== 0) return undefinedInsn(4);
    return plain(4, 'alu', (hw2 & 0x20) !== 0 ? 'pkhtb' : 'pkhbt', bit(n) | m, bit(d));
  }
  const entry = DP_OPS[opIndex];
  if (entry === null) return undefinedInsn(4);
  if (entry.aliasKind === 'test' && d === 15 && setFlags) {
    return plain(4, 'alu', entry.alias as string, bit(n) | m, 0);
  }
  if (entry.aliasKind === 'move' && n === 15) {
    // objdump prints immediate shifts (LSL/LSR/ASR/ROR/RRX #imm) in this form as `mov.w Rd, Rm, <shift>`.
    return plain(4, 'alu', entry.alias as string, m, bit(d));
  }
  return plain(4, 'alu', entry.mn, bit(n) | m, bit(d));
}

/** A5.3.1: data processing with a modified immediate. */
export function modifiedImmediate(hw1: number, hw2: number): ThumbInsn {
  return dataProcessing(hw1, hw2, -1);
}

/** A5.3.11: data processing with a shifted register (hw2 bit 15 is should-be-zero). */
export function shiftedRegister(hw1: number, hw2: number): ThumbInsn {
  if ((hw2 & 0x8000) !== 0) return undefinedInsn(4);
  return dataProcessing(hw1, hw2, hw2 & 15);
}

/** A5.3.3: data processing with a plain binary immediate. */
export function plainImmediate(hw1: number, hw2: number): ThumbInsn {
  const n = hw1 & 15;
  const rn = bit(n);
  const rd = bit((hw2 >>> 8) & 15);
  const noShift = (hw2 & 0x70c0) === 0;
  const op = (hw1 >>> 4) & 31;
  // Saturate and bitfield encodings have should-be-zero bits at hw1 bit 10 and hw2 bit 5.
  if (op >= 16 && ((hw1 & 0x400) !== 0 || (hw2 & 0x20) !== 0)) return undefinedInsn(4);
  switch (op) {
    case 0:
      return plain(4, 'alu', 'addw', rn, rd);
    case 4:
      return plain(4, 'alu', 'movw', 0, rd);
    case 10:
      return plain(4, 'alu', 'subw', rn, rd);
    case 12:
      return plain(4, 'alu', 'movt', rd, rd);
    case 16:
      return plain(4, 'alu', 'ssat', rn, rd);
    case 18:
      return plain(4, 'alu', noShift ? 'ssat16' : 'ssat', rn, rd);
    case 20:
      return plain(4, 'alu', 'sbfx', rn, rd);
    case 22:
      return n === 15 ? plain(4, 'alu', 'bfc', rd, rd) : plain(4, 'alu', 'bfi', rn | rd, rd);
    case 24:
      return plain(4, 'alu', 'usat', rn, rd);
    case 26:
      return plain(4, 'alu', noShift ? 'usat16' : 'usat', rn, rd);
    case 28:
      return plain(4, 'alu', 'ubfx', rn, rd);
    default:
      return undefinedInsn(4);
  }
}
