/**
 * 32-bit Thumb memory access groups: load/store multiple, load/store dual and
 * exclusive, table branch, and single loads and stores (ARMv7-M ARM,
 * DDI 0403, sections A5.3.5 to A5.3.10).
 */
import type { ThumbInsn } from './insn.js';
import { PC_BIT } from './insn.js';
import { bit, blockAddress, immediateAddress, indexedAddress, memory, plain, popcount16, registerAddress, undefinedInsn } from './insn-build.js';

/** Size suffixes and byte counts by hw1 bits 6:5 of single loads/stores (3 = UNDEFINED). */
const SIZE_SUFFIX = ['b', 'h', '', ''] as const;
const SIZE_BYTES = [1, 2, 4, 0] as const;

/** A5.3.5: LDM, LDMDB, STM, STMDB (PUSH/POP T2 print as stmdb/ldmia in objdump). */
export function loadStoreMultiple(hw1: number, hw2: number): ThumbInsn {
  const op = (hw1 >>> 7) & 3;
  if (op === 0 || op === 3 || (hw1 & 15) === 15) return undefinedInsn(4);
  const load = (hw1 & 0x10) !== 0;
  const writeback = (hw1 & 0x20) !== 0;
  const n = hw1 & 15;
  const rn = bit(n);
  const list = hw2 & 0xffff;
  const count = popcount16(list);
  const wb = writeback ? rn : 0;
  // op 01: increment after (LDM/STM); op 10: decrement before (LDMDB/STMDB).
  const address = blockAddress(op === 1 ? 'ia' : 'db', n);
  if (load) return memory(4, 'load-multiple', op === 1 ? 'ldm' : 'ldmdb', rn, list | wb, rn, count, 0, writeback, address);
  return memory(4, 'store-multiple', op === 1 ? 'stm' : 'stmdb', list | rn, wb, rn, count, 0, writeback, address);
}

/** A5.3.6: LDRD/STRD, LDREX/STREX{B,H}, TBB/TBH. */
export function dualExclusiveTable(hw1: number, hw2: number): ThumbInsn {
  const op1 = (hw1 >>> 7) & 3;
  const op2 = (hw1 >>> 4) & 3;
  const n = hw1 & 15;
  const rn = bit(n);
  const rt = bit(hw2 >>> 12);
  if ((op1 & 2) !== 0 || (op2 & 2) !== 0) {
    const rt2 = bit((hw2 >>> 8) & 15);
    const writeback = (hw1 & 0x20) !== 0;
    const wb = writeback ? rn : 0;
    // P (bit 8), U (bit 7), W (bit 5); offset imm8*4. Rn = PC is LDRD (literal).
    const address = indexedAddress(n, (hw2 & 0xff) << 2, (hw1 & 0x100) !== 0, (hw1 & 0x80) !== 0, writeback);
    if ((op2 & 1) !== 0) return memory(4, 'load-dual', 'ldrd', rn, rt | rt2 | wb, rn, 2, 8, writeback, address);
    return memory(4, 'store-dual', 'strd', rn | rt | rt2, wb, rn, 2, 8, writeback, address);
  }
  const op3 = (hw2 >>> 4) & 15;
  if (op1 === 1 && op2 === 1 && op3 < 2) {
    // TBB/TBH: hw2 bits 15:12 should-be-one, 11:8 should-be-zero.
    if ((hw2 & 0xff00) !== 0xf000) return undefinedInsn(4);
    const m = hw2 & 15;
    const rm = bit(m);
    const half = op3 === 1;
    // The table entry is at Rn + Rm (TBB) or Rn + (Rm << 1) (TBH).
    const address = registerAddress(n, m, half ? 1 : 0);
    return memory(4, 'table-branch', half ? 'tbh' : 'tbb', rn | rm, PC_BIT, rn | rm, 1, half ? 2 : 1, false, address);
  }
  return exclusive(hw1, hw2, op1, op2, op3);
}

/** LDREX/STREX{B,H}: Rn = PC, or Rt/Rd = SP or PC, are UNPREDICTABLE and reported UNDEFINED. */
function exclusive(hw1: number, hw2: number, op1: number, op2: number, op3: number): ThumbInsn {
  const n = hw1 & 15;
  const t = hw2 >>> 12;
  if (n === 15 || t === 13 || t === 15) return undefinedInsn(4);
  const rn = bit(n);
  const rt = bit(t);
  const store = op2 === 0;
  // STREX has Rd in hw2 bits 11:8; the byte/halfword forms in bits 3:0 with bits 11:8 should-be-one.
  const d = op1 === 0 ? (hw2 >>> 8) & 15 : hw2 & 15;
  if (op1 === 0) {
    if (!store && (hw2 & 0xf00) !== 0xf00) return undefinedInsn(4);
  } else if ((hw2 & 0xf00) !== 0xf00 || (op3 !== 4 && op3 !== 5) || (!store && d !== 15)) {
    return undefinedInsn(4);
  }
  const bytes = op1 === 0 ? 4 : op3 === 4 ? 1 : 2;
  const suffix = op1 === 0 ? '' : op3 === 4 ? 'b' : 'h';
  // LDREX/STREX: [Rn, #imm8*4]; the byte and halfword forms have no offset.
  const address = immediateAddress(n, op1 === 0 ? (hw2 & 0xff) << 2 : 0);
  if (!store) return memory(4, 'system', 'ldrex' + suffix, rn, rt, rn, 1, bytes, false, address);
  if (d === 13 || d === 15) return undefinedInsn(4);
  return memory(4, 'system', 'strex' + suffix, rn | rt, bit(d), rn, 1, bytes, false, address);
}

/** A5.3.10: STR, STRB, STRH (immediate, register, unprivileged). */
export function storeSingle(hw1: number, hw2: number): ThumbInsn {
  const op1 = (hw1 >>> 5) & 7;
  const sizeIndex = op1 & 3;
  const n = hw1 & 15;
  if (sizeIndex === 3 || n === 15) return undefinedInsn(4);
  const mn = 'str' + SIZE_SUFFIX[sizeIndex];
  const bytes = SIZE_BYTES[sizeIndex];
  const rn = bit(n);
  const rt = bit(hw2 >>> 12);
  // T2 (word: T3): [Rn, #imm12].
  if ((op1 & 4) !== 0) return memory(4, 'store', mn, rn | rt, 0, rn, 1, bytes, false, immediateAddress(n, hw2 & 0xfff));
  if ((hw2 & 0x800) !== 0) {
    const puw = (hw2 >>> 8) & 7;
    const imm8 = hw2 & 0xff;
    if (puw === 6) return memory(4, 'store', mn + 't', rn | rt, 0, rn, 1, bytes, false, immediateAddress(n, imm8));
    if ((puw & 5) === 0) return undefinedInsn(4);
    const writeback = (puw & 1) !== 0;
    const address = indexedAddress(n, imm8, (puw & 4) !== 0, (puw & 2) !== 0, writeback);
    return memory(4, 'store', mn, rn | rt, writeback ? rn : 0, rn, 1, bytes, writeback, address);
  }
  // Register offset: bits 10:6 are should-be-zero; like objdump, only bits 10:8 are enforced.
  if ((hw2 & 0x700) !== 0) return undefinedInsn(4);
  const m = hw2 & 15;
  const rm = bit(m);
  return memory(4, 'store', mn, rn | rm | rt, 0, rn | rm, 1, bytes, false, registerAddress(n, m, (hw2 >>> 4) & 3));
}

/**
 * A5.3.7 to A5.3.9: LDR, LDRB, LDRSB, LDRH, LDRSH (immediate, literal,
 * register, unprivileged) and the memory hints PLD/PLI sharing their space.
 */
export function loadSingle(hw1: number, hw2: number): ThumbInsn {
  const sizeIndex = (hw1 >>> 5) & 3;
  const signed = (hw1 & 0x100) !== 0;
  if (sizeIndex === 3 || (sizeIndex === 2 && signed)) return undefinedInsn(4);
  const n = hw1 & 15;
  const t = hw2 >>> 12;
  const base = 'ldr' + (signed ? 's' : '') + SIZE_SUFFIX[sizeIndex];
  const bytes = SIZE_BYTES[sizeIndex];
  const rn = bit(n);
  const rt = bit(t);
  // Rt = PC in a byte or halfword load without writeback is a hint.
  const hint = t === 15 && sizeIndex !== 2;
  if (n === 15 || (hw1 & 0x80) !== 0) {
    // Literal (Rn = PC: [PC, #+/-imm12], U = hw1 bit 7) or 12-bit positive immediate offset.
    if (hint) return memoryHint(sizeIndex, signed, rn);
    const imm12 = hw2 & 0xfff;
    const address = immediateAddress(n, n === 15 && (hw1 & 0x80) === 0 ? -imm12 : imm12);
    return memory(4, 'load', base, rn, rt, rn, 1, bytes, false, address);
  }
  const op2 = (hw2 >>> 6) & 63;
  if ((op2 & 0x20) === 0) {
    // Register offset: bits 10:6 are should-be-zero; like objdump, only bits 10:8 are enforced.
    if ((op2 & 0x1c) !== 0) return undefinedInsn(4);
    const m = hw2 & 15;
    const rm = bit(m);
    if (hint) return memoryHint(sizeIndex, signed, rn | rm);
    return memory(4, 'load', base, rn | rm, rt, rn | rm, 1, bytes, false, registerAddress(n, m, (hw2 >>> 4) & 3));
  }
  // The 8-bit immediate forms: hw2 bits 11:8 are 1PUW.
  const imm8 = hw2 & 0xff;
  if ((op2 & 0x24) === 0x24) {
    // Pre/post-indexed (Rt = PC is UNPREDICTABLE for bytes and halfwords; decoded as the load).
    const writeback = (hw2 & 0x100) !== 0;
    const address = indexedAddress(n, imm8, (hw2 & 0x400) !== 0, (hw2 & 0x200) !== 0, writeback);
    return memory(4, 'load', base, rn, rt | (writeback ? rn : 0), rn, 1, bytes, writeback, address);
  }
  if ((op2 & 0x3c) === 0x30) {
    // Negative offset [Rn, #-imm8].
    if (hint) return memoryHint(sizeIndex, signed, rn);
    return memory(4, 'load', base, rn, rt, rn, 1, bytes, false, immediateAddress(n, -imm8));
  }
  if ((op2 & 0x3c) === 0x38) return memory(4, 'load', base + 't', rn, rt, rn, 1, bytes, false, immediateAddress(n, imm8));
  return undefinedInsn(4);
}

/** PLD (byte, unsigned), PLI (byte, signed), or an unallocated halfword hint (executes as NOP). */
function memoryHint(sizeIndex: number, signed: boolean, reads: number): ThumbInsn {
  if (sizeIndex === 0) return plain(4, 'alu', signed ? 'pli' : 'pld', reads, 0);
  return plain(4, 'alu', 'nop', reads, 0);
}
