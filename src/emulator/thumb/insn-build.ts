/**
 * Constructors of {@link ThumbInsn} records used by the decoder. Every record
 * is built by the one function {@link makeInsn}, so all records share one
 * object shape (property order), which keeps the consumers' property accesses
 * monomorphic.
 */
import type { InsnClass, ThumbInsn } from './insn.js';
import { PC_BIT } from './insn.js';

/** Condition value meaning "always" (every instruction that is not B<cond>). */
export const COND_AL = 14;

const NO_CONDS: readonly number[] = Object.freeze([]);

/** Mask bit of core register `n` (0..15). */
export function bit(n: number): number {
  return 1 << n;
}

/** Number of set bits in a 16-bit register list. */
export function popcount16(mask: number): number {
  let v = mask & 0xffff;
  v = v - ((v >>> 1) & 0x5555);
  v = (v & 0x3333) + ((v >>> 2) & 0x3333);
  v = (v + (v >>> 4)) & 0x0f0f;
  return (v + (v >>> 8)) & 0x1f;
}

/** Sign-extends the low `bits` bits of `value`. */
export function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

/** Builds a record with every field given explicitly. */
export function makeInsn(
  size: 2 | 4,
  cls: InsnClass,
  mnemonic: string,
  reads: number,
  writes: number,
  addrRegs: number,
  regCount: number,
  memBytes: number,
  writeback: boolean,
  pcRelative: boolean,
  cond: number,
  itCount: number,
  itConds: readonly number[],
  branchOffset: number | null,
): ThumbInsn {
  return {
    size,
    cls,
    mnemonic,
    reads,
    writes,
    addrRegs,
    regCount,
    memBytes,
    writeback,
    pcRelative,
    cond,
    itCount,
    itConds,
    branchOffset,
  };
}

/** An instruction that does not access memory and is not a direct branch. */
export function plain(size: 2 | 4, cls: InsnClass, mnemonic: string, reads: number, writes: number): ThumbInsn {
  return makeInsn(size, cls, mnemonic, reads, writes, 0, 0, 0, false, false, COND_AL, 0, NO_CONDS, null);
}

/** An UNDEFINED encoding (also UDF); `mnemonic` names it as far as it is known. */
export function undefinedInsn(size: 2 | 4, mnemonic = 'undefined'): ThumbInsn {
  return plain(size, 'undefined', mnemonic, 0, 0);
}

/**
 * A memory access. `pcRelative` is derived: the address is formed from the PC
 * when `addrRegs` contains PC.
 */
export function memory(
  size: 2 | 4,
  cls: InsnClass,
  mnemonic: string,
  reads: number,
  writes: number,
  addrRegs: number,
  regCount: number,
  memBytes: number,
  writeback: boolean,
): ThumbInsn {
  return makeInsn(
    size,
    cls,
    mnemonic,
    reads,
    writes,
    addrRegs,
    regCount,
    memBytes,
    writeback,
    (addrRegs & PC_BIT) !== 0,
    COND_AL,
    0,
    NO_CONDS,
    null,
  );
}

/** A direct branch (B, B<cond>, BL, CBZ/CBNZ) with its offset from address + 4. */
export function directBranch(
  size: 2 | 4,
  cls: InsnClass,
  mnemonic: string,
  reads: number,
  writes: number,
  cond: number,
  offset: number,
): ThumbInsn {
  return makeInsn(size, cls, mnemonic, reads, writes, 0, 0, 0, false, false, cond, 0, NO_CONDS, offset);
}

/** An IT instruction from its `firstcond` and `mask` fields. */
export function itInsn(firstcond: number, mask: number): ThumbInsn {
  const conds: number[] = [firstcond];
  let mnemonic = 'it';
  // The last set bit of the mask terminates it; bits above it give each slot's condition LSB.
  const count = 4 - trailingZeros4(mask);
  for (let k = 1; k < count; k++) {
    const low = (mask >>> (4 - k)) & 1;
    conds.push((firstcond & 0xe) | low);
    mnemonic += low === (firstcond & 1) ? 't' : 'e';
  }
  return makeInsn(2, 'it', mnemonic, 0, 0, 0, 0, 0, false, false, COND_AL, count, Object.freeze(conds), null);
}

function trailingZeros4(mask: number): number {
  if (mask & 1) return 0;
  if (mask & 2) return 1;
  if (mask & 4) return 2;
  return 3;
}
