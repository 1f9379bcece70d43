/**
 * 32-bit Thumb register-operand groups: data processing (register), parallel
 * add/subtract, miscellaneous operations, multiplies and divides (ARMv7-M
 * ARM, DDI 0403, sections A5.3.12 to A5.3.17).
 */
import type { InsnClass, ThumbInsn } from './insn.js';
import { bit, plain, undefinedInsn } from './insn-build.js';

/** Register shifts by op1 bits 2:1 (A5.3.12, op2 = 0000). */
const REG_SHIFTS = ['lsl', 'lsr', 'asr', 'ror'] as const;

/** Extends by op1 (A5.3.12, op2 = 1xxx): [without Rn (Rn = PC), with add]. */
const EXTENDS: readonly (readonly [string, string])[] = [
  ['sxth', 'sxtah'],
  ['uxth', 'uxtah'],
  ['sxtb16', 'sxtab16'],
  ['uxtb16', 'uxtab16'],
  ['sxtb', 'sxtab'],
  ['uxtb', 'uxtab'],
];

/** Parallel add/subtract operations by op1 bits 2:0 (A5.3.13/A5.3.14); null = UNDEFINED. */
const PARALLEL_OPS: readonly (string | null)[] = ['add8', 'add16', 'asx', null, 'sub8', 'sub16', 'sax', null];

/** Parallel add/subtract prefixes by op2 bits 2:0 (bit 2 = unsigned); null = UNDEFINED. */
const PARALLEL_PREFIXES: readonly (string | null)[] = ['s', 'q', 'sh', null, 'u', 'uq', 'uh', null];

/** A5.3.15 miscellaneous operations, indexed by op1 (bits 1:0) * 4 + op2 (bits 1:0); null = UNDEFINED. */
const MISC_OPS: readonly (string | null)[] = [
  'qadd', 'qdadd', 'qsub', 'qdsub',
  'rev', 'rev16', 'rbit', 'revsh',
  'sel', null, null, null,
  'clz', null, null, null,
];

/** Suffixes of SMLA<x><y> / SMUL<x><y> / SMLAL<x><y> by N:M. */
const HALVES = ['bb', 'bt', 'tb', 'tt'] as const;

/** A5.3.12: data processing (register) and the groups below it. */
export function registerDataProcessing(hw1: number, hw2: number): ThumbInsn {
  if ((hw2 & 0xf000) !== 0xf000) return undefinedInsn(4);
  const op1 = (hw1 >>> 4) & 15;
  const op2 = (hw2 >>> 4) & 15;
  const n = hw1 & 15;
  const rn = bit(n);
  const rd = bit((hw2 >>> 8) & 15);
  const rm = bit(hw2 & 15);
  if (op1 < 8) {
    if (op2 === 0) return plain(4, 'alu', REG_SHIFTS[op1 >>> 1], rn | rm, rd);
    if ((op2 & 12) === 8 && op1 < 6) {
      const [bare, withAdd] = EXTENDS[op1];
      return n === 15 ? plain(4, 'alu', bare, rm, rd) : plain(4, 'alu', withAdd, rn | rm, rd);
    }
    return undefinedInsn(4);
  }
  if (op2 < 8) {
    const opName = PARALLEL_OPS[op1 & 7];
    const prefix = PARALLEL_PREFIXES[op2];
    if (opName === null || prefix === null) return undefinedInsn(4);
    return plain(4, 'alu', prefix + opName, rn | rm, rd);
  }
  if (op1 < 12 && op2 < 12) {
    const mn = MISC_OPS[(op1 & 3) * 4 + (op2 & 3)];
    if (mn === null) return undefinedInsn(4);
    const reads = mn.startsWith('q') || mn === 'sel' ? rn | rm : rm;
    return plain(4, 'alu', mn, reads, rd);
  }
  return undefinedInsn(4);
}

/** SP or PC: UNPREDICTABLE as any operand of the multiply and divide groups. */
function spOrPc(n: number): boolean {
  return n === 13 || n === 15;
}

/** A5.3.16: multiply, multiply accumulate and absolute difference. */
export function multiply(hw1: number, hw2: number): ThumbInsn {
  if ((hw2 & 0xc0) !== 0) return undefinedInsn(4);
  // Ra = PC selects the non-accumulating form; SP/PC elsewhere is UNPREDICTABLE.
  if (spOrPc(hw1 & 15) || spOrPc(hw2 & 15) || spOrPc((hw2 >>> 8) & 15) || hw2 >>> 12 === 13) return undefinedInsn(4);
  const op1 = (hw1 >>> 4) & 7;
  const op2 = (hw2 >>> 4) & 3;
  const a = hw2 >>> 12;
  const accumulate = a !== 15;
  const reads = bit(hw1 & 15) | bit(hw2 & 15) | (accumulate ? bit(a) : 0);
  const rd = bit((hw2 >>> 8) & 15);
  const x = (op2 & 1) !== 0;
  let mn: string | null = null;
  let cls: InsnClass = 'dsp-mul';
  switch (op1) {
    case 0:
      cls = 'mul';
      mn = op2 === 0 ? (accumulate ? 'mla' : 'mul') : op2 === 1 && accumulate ? 'mls' : null;
      break;
    case 1:
      mn = (accumulate ? 'smla' : 'smul') + HALVES[op2];
      break;
    case 2:
      if (op2 < 2) mn = (accumulate ? 'smlad' : 'smuad') + (x ? 'x' : '');
      break;
    case 3:
      if (op2 < 2) mn = (accumulate ? 'smlaw' : 'smulw') + (x ? 't' : 'b');
      break;
    case 4:
      if (op2 < 2) mn = (accumulate ? 'smlsd' : 'smusd') + (x ? 'x' : '');
      break;
    case 5:
      if (op2 < 2) mn = (accumulate ? 'smmla' : 'smmul') + (x ? 'r' : '');
      break;
    case 6:
      if (op2 < 2 && accumulate) mn = 'smmls' + (x ? 'r' : '');
      break;
    default:
      cls = 'alu';
      if (op2 === 0) mn = accumulate ? 'usada8' : 'usad8';
      break;
  }
  return mn === null ? undefinedInsn(4) : plain(4, cls, mn, reads, rd);
}

/** A5.3.17: long multiply, long multiply accumulate and divide. */
export function longMultiply(hw1: number, hw2: number): ThumbInsn {
  const op1 = (hw1 >>> 4) & 7;
  const op2 = (hw2 >>> 4) & 15;
  const divide = op1 === 1 || op1 === 3;
  if (spOrPc(hw1 & 15) || spOrPc(hw2 & 15) || spOrPc((hw2 >>> 8) & 15) || (!divide && spOrPc(hw2 >>> 12))) {
    return undefinedInsn(4);
  }
  const sources = bit(hw1 & 15) | bit(hw2 & 15);
  const lo = bit(hw2 >>> 12);
  const hi = bit((hw2 >>> 8) & 15);
  const pair = lo | hi;
  switch (op1) {
    case 0:
      return op2 === 0 ? plain(4, 'mul', 'smull', sources, pair) : undefinedInsn(4);
    case 1:
      return op2 === 15 && lo === bit(15) ? plain(4, 'div', 'sdiv', sources, hi) : undefinedInsn(4);
    case 2:
      return op2 === 0 ? plain(4, 'mul', 'umull', sources, pair) : undefinedInsn(4);
    case 3:
      return op2 === 15 && lo === bit(15) ? plain(4, 'div', 'udiv', sources, hi) : undefinedInsn(4);
    case 4:
      if (op2 === 0) return plain(4, 'mul', 'smlal', sources | pair, pair);
      if ((op2 & 12) === 8) return plain(4, 'dsp-mul', 'smlal' + HALVES[op2 & 3], sources | pair, pair);
      if ((op2 & 14) === 12) return plain(4, 'dsp-mul', (op2 & 1) !== 0 ? 'smlaldx' : 'smlald', sources | pair, pair);
      return undefinedInsn(4);
    case 5:
      if ((op2 & 14) === 12) return plain(4, 'dsp-mul', (op2 & 1) !== 0 ? 'smlsldx' : 'smlsld', sources | pair, pair);
      return undefinedInsn(4);
    case 6:
      if (op2 === 0) return plain(4, 'mul', 'umlal', sources | pair, pair);
      if (op2 === 6) return plain(4, 'mul', 'umaal', sources | pair, pair);
      return undefinedInsn(4);
    default:
      return undefinedInsn(4);
  }
}
