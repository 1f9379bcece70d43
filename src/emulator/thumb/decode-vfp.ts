/**
 * Coprocessor space of the 32-bit Thumb encodings (ARMv7-M ARM, DDI 0403,
 * section A5.3.18), of which ARMv7E-M with FPv4-SP implements coprocessors
 * 10 and 11, the floating-point extension (chapter A6). Every other
 * coprocessor encoding is reported as UNDEFINED, named after its generic
 * coprocessor instruction. Double-precision data processing is UNDEFINED in
 * FPv4-SP and reported so, under the mnemonic objdump gives it.
 */
import type { InsnClass, ThumbInsn } from './insn.js';
import { bit, blockAddress, immediateAddress, memory, plain, undefinedInsn } from './insn-build.js';

/**
 * Three-operand FP data processing (A6.4) by opc1 (bit 2 = hw1 bit 7, bits
 * 1:0 = hw1 bits 5:4) and op (hw2 bit 6): [op = 0, op = 1]; null = UNDEFINED.
 * Index 7 is the "other" group, decoded apart.
 */
const FP_THREE_OPERAND: readonly (readonly [readonly [string, InsnClass] | null, readonly [string, InsnClass] | null])[] = [
  [['vmla', 'fpu-mac'], ['vmls', 'fpu-mac']],
  [['vnmls', 'fpu-mac'], ['vnmla', 'fpu-mac']],
  [['vmul', 'fpu'], ['vnmul', 'fpu']],
  [['vadd', 'fpu'], ['vsub', 'fpu']],
  [['vdiv', 'fpu-div'], null],
  [['vfnms', 'fpu-mac'], ['vfnma', 'fpu-mac']],
  [['vfma', 'fpu-mac'], ['vfms', 'fpu-mac']],
];

/** A6.4 "other" data processing with opc3 bit 0 set, by opc2 (hw1 bits 3:0). */
function fpOther(opc2: number, opc3: number, hw2: number): readonly [string, InsnClass] | null {
  const high = (opc3 & 2) !== 0;
  switch (opc2) {
    case 0:
      return high ? ['vabs', 'fpu'] : ['vmov', 'fpu'];
    case 1:
      return high ? ['vsqrt', 'fpu-div'] : ['vneg', 'fpu'];
    case 2:
    case 3:
      return high ? ['vcvtt', 'fpu'] : ['vcvtb', 'fpu'];
    case 4:
      return high ? ['vcmpe', 'fpu'] : ['vcmp', 'fpu'];
    case 5:
      // Compare with zero: M and Vm (hw2 bits 5, 3:0) are should-be-zero.
      if ((hw2 & 0x2f) !== 0) return null;
      return high ? ['vcmpe', 'fpu'] : ['vcmp', 'fpu'];
    case 7:
      return high ? ['vcvt', 'fpu'] : null; // F64 <-> F32: rejected by the caller on FPv4-SP
    case 12:
    case 13:
      return high ? ['vcvt', 'fpu'] : ['vcvtr', 'fpu'];
    case 8:
    case 10:
    case 11:
    case 14:
    case 15:
      return ['vcvt', 'fpu'];
    default:
      return null;
  }
}

/** Decodes a 32-bit encoding whose hw1 bits 15:13 are 111 and bits 11:10 are 11. */
export function decodeCoprocessor(hw1: number, hw2: number): ThumbInsn {
  const op1 = (hw1 >>> 4) & 0x3f;
  const floatingPoint = (hw1 & 0xf000) === 0xe000 && ((hw2 >>> 9) & 7) === 5;
  if ((op1 & 0x3e) === 0) return undefinedInsn(4);
  if (!floatingPoint) return undefinedInsn(4, genericName(op1, hw2));
  if ((op1 & 0x3e) === 4) return coreTransfer64(hw1, hw2);
  if ((op1 & 0x20) === 0) return extensionLoadStore(hw1, hw2);
  if ((op1 & 0x30) === 0x20) return (hw2 & 0x10) === 0 ? dataProcessing(hw1, hw2) : coreTransfer32(hw1, hw2);
  return undefinedInsn(4);
}

/** The generic coprocessor instruction of a non-FP coprocessor encoding (A5.3.18). */
function genericName(op1: number, hw2: number): string {
  if ((op1 & 0x3e) === 4) return (op1 & 1) !== 0 ? 'mrrc' : 'mcrr';
  if ((op1 & 0x20) === 0) return (op1 & 1) !== 0 ? 'ldc' : 'stc';
  if ((op1 & 0x30) === 0x20) {
    if ((hw2 & 0x10) === 0) return 'cdp';
    return (op1 & 1) !== 0 ? 'mrc' : 'mcr';
  }
  return 'undefined';
}

/** 64-bit transfers between core and extension registers: VMOV between two core registers and two S registers or one D register. */
function coreTransfer64(hw1: number, hw2: number): ThumbInsn {
  // Bits 7:6 are 00 and bit 4 is 1; a D register must be D0..D15 (M = 0).
  if ((hw2 & 0xd0) !== 0x10 || (hw2 & 0x120) === 0x120) return undefinedInsn(4);
  const pair = bit(hw2 >>> 12) | bit(hw1 & 15);
  return (hw1 & 0x10) !== 0 ? plain(4, 'fpu', 'vmov', 0, pair) : plain(4, 'fpu', 'vmov', pair, 0);
}

/** 8, 16 and 32-bit transfers between core and extension registers: VMOV, VMRS, VMSR. */
function coreTransfer32(hw1: number, hw2: number): ThumbInsn {
  const a = (hw1 >>> 5) & 7;
  const toCore = (hw1 & 0x10) !== 0;
  const t = hw2 >>> 12;
  const rt = bit(t);
  if ((hw2 & 0x100) === 0) {
    if (a === 0) {
      if ((hw2 & 0x6f) !== 0x00) return undefinedInsn(4);
      return toCore ? plain(4, 'fpu', 'vmov', 0, rt) : plain(4, 'fpu', 'vmov', rt, 0);
    }
    if (a === 7) {
      // Only the FPSCR (reg = 0001) exists in ARMv7-M.
      if ((hw2 & 0xef) !== 0x00 || (hw1 & 15) !== 1) return undefinedInsn(4);
      // VMRS with Rt = PC transfers the FPSCR flags to APSR: no core register written.
      if (toCore) return plain(4, 'fpu', 'vmrs', 0, t === 15 ? 0 : rt);
      return plain(4, 'fpu', 'vmsr', rt, 0);
    }
    return undefinedInsn(4);
  }
  // VMOV between a core register and a 32-bit scalar (a half of D0..D15); other sizes are Advanced SIMD.
  if ((hw1 & 0xc0) !== 0 || (hw2 & 0xf0) !== 0x10) return undefinedInsn(4);
  return toCore ? plain(4, 'fpu', 'vmov', 0, rt) : plain(4, 'fpu', 'vmov', rt, 0);
}

/** Extension register load/store: VLDR, VSTR, VLDM, VSTM, VPUSH, VPOP. */
function extensionLoadStore(hw1: number, hw2: number): ThumbInsn {
  const p = (hw1 & 0x100) !== 0;
  const u = (hw1 & 0x80) !== 0;
  const w = (hw1 & 0x20) !== 0;
  const load = (hw1 & 0x10) !== 0;
  const n = hw1 & 15;
  const rn = bit(n);
  const double = (hw2 & 0x100) !== 0;
  // First register number: D:Vd for doubles (only D0..D15 exist), Vd:D for singles.
  const first = double ? ((hw1 >>> 2) & 0x10) | ((hw2 >>> 12) & 15) : ((hw2 >>> 11) & 0x1e) | ((hw1 >>> 6) & 1);
  if (p && !w) {
    // D16..D31 do not exist; VSTR with Rn = PC is UNPREDICTABLE in Thumb.
    if ((double && first > 15) || (!load && n === 15)) return undefinedInsn(4, load ? 'vldr' : 'vstr');
    const words = double ? 2 : 1;
    const bytes = double ? 8 : 4;
    // [Rn, #+/-imm8*4]; Rn = PC is VLDR (literal).
    const imm = (hw2 & 0xff) << 2;
    const address = immediateAddress(n, u ? imm : -imm);
    return load
      ? memory(4, 'fpu-load', 'vldr', rn, 0, rn, words, bytes, false, address)
      : memory(4, 'fpu-store', 'vstr', rn, 0, rn, words, bytes, false, address);
  }
  const words = hw2 & 0xff;
  const wb = w ? rn : 0;
  // Register lists must be non-empty and within S0..S31 / D0..D15; an odd count of doubles is FLDMX/FSTMX.
  const limit = double ? 32 - 2 * first : 32 - first;
  // VLDM/VSTM with Rn = PC are UNPREDICTABLE in Thumb.
  if (words === 0 || words > limit || (double && (words & 1) !== 0) || n === 15) return undefinedInsn(4);
  if (!p && u) {
    const address = blockAddress('ia', n);
    if (load) return memory(4, 'fpu-load-multiple', w && n === 13 ? 'vpop' : 'vldm', rn, wb, rn, words, 0, w, address);
    return memory(4, 'fpu-store-multiple', 'vstm', rn, wb, rn, words, 0, w, address);
  }
  if (p && !u && w) {
    const address = blockAddress('db', n);
    if (load) return memory(4, 'fpu-load-multiple', 'vldmdb', rn, wb, rn, words, 0, true, address);
    return memory(4, 'fpu-store-multiple', n === 13 ? 'vpush' : 'vstmdb', rn, wb, rn, words, 0, true, address);
  }
  return undefinedInsn(4);
}

/** A6.4 floating-point data processing (VADD ... VCVT, VMOV immediate/register). */
function dataProcessing(hw1: number, hw2: number): ThumbInsn {
  const key = ((hw1 >>> 5) & 4) | ((hw1 >>> 4) & 3);
  const opc3 = (hw2 >>> 6) & 3;
  let entry: readonly [string, InsnClass] | null;
  if (key === 7) {
    // VMOV (immediate) has should-be-zero bits 7 and 5 in hw2.
    if ((opc3 & 1) === 0) entry = (hw2 & 0xa0) === 0 ? ['vmov', 'fpu'] : null;
    else entry = fpOther(hw1 & 15, opc3, hw2);
  } else {
    entry = FP_THREE_OPERAND[key][opc3 & 1];
  }
  if (entry === null) return undefinedInsn(4);
  // FPv4-SP: double-precision data processing (sz = 1) and conversions to or from F64 are UNDEFINED.
  if ((hw2 & 0x100) !== 0 || (key === 7 && (opc3 & 1) !== 0 && (hw1 & 15) === 7)) return undefinedInsn(4, entry[0]);
  return plain(4, entry[1], entry[0], 0, 0);
}
