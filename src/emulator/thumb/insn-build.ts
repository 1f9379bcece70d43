/**
 * Constructors of {@link ThumbInsn} records used by the decoder. Every record
 * is built from named fields by the one function {@link makeInsn}, so all records share one
 * object shape (property order), which keeps the consumers' property accesses
 * monomorphic.
 */
import type { InsnClass, MemAddress, ThumbInsn } from './insn.js';
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

/** The fields every record names; the others default to those of a plain, unconditional instruction. */
export type InsnFields = Pick<ThumbInsn, 'size' | 'cls' | 'mnemonic' | 'reads' | 'writes'> & Partial<ThumbInsn>;

/** Builds a record from named fields (the ones not given: no memory access, no writeback, always, no IT block, no branch). */
export function makeInsn(f: InsnFields): ThumbInsn {
  return {
    size: f.size,
    cls: f.cls,
    mnemonic: f.mnemonic,
    reads: f.reads,
    writes: f.writes,
    addrRegs: f.addrRegs ?? 0,
    regCount: f.regCount ?? 0,
    memBytes: f.memBytes ?? 0,
    writeback: f.writeback ?? false,
    pcRelative: f.pcRelative ?? false,
    cond: f.cond ?? COND_AL,
    itCount: f.itCount ?? 0,
    itConds: f.itConds ?? NO_CONDS,
    branchOffset: f.branchOffset ?? null,
    address: f.address ?? null,
  };
}

/** An instruction that does not access memory and is not a direct branch. */
export function plain(size: 2 | 4, cls: InsnClass, mnemonic: string, reads: number, writes: number): ThumbInsn {
  return makeInsn({ size, cls, mnemonic, reads, writes });
}

/** An UNDEFINED encoding (also UDF); `mnemonic` names it as far as it is known. */
export function undefinedInsn(size: 2 | 4, mnemonic = 'undefined'): ThumbInsn {
  return plain(size, 'undefined', mnemonic, 0, 0);
}

/**
 * A memory access, with the form of its address. `pcRelative` is derived: the address is formed
 * from the PC when `addrRegs` contains PC.
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
  address: MemAddress,
): ThumbInsn {
  return makeInsn({
    size, cls, mnemonic, reads, writes, addrRegs, regCount, memBytes, writeback, pcRelative: (addrRegs & PC_BIT) !== 0, address,
  });
}

/**
 * Builds a {@link MemAddress} from its fields. Every address record is built here, so all share
 * one object shape. A zero offset is stored as +0, never -0 (a U = 0 encoding with offset 0).
 */
export function memAddress(mode: MemAddress['mode'], base: number, index: number, shift: number, offset: number): MemAddress {
  return { mode, base, index, shift, offset: offset | 0 };
}

/** An immediate-offset address `[Rn, #offset]` (`offset` mode; `pre`: `[Rn, #offset]!`; `post`: `[Rn], #offset`). */
export function immediateAddress(base: number, offset: number, mode: 'offset' | 'pre' | 'post' = 'offset'): MemAddress {
  return memAddress(mode, base, -1, 0, offset);
}

/** A register-offset address `[Rn, Rm, LSL #shift]`. */
export function registerAddress(base: number, index: number, shift: number): MemAddress {
  return memAddress('offset', base, index, shift, 0);
}

/** The consecutive words of a load/store multiple from Rn: increment after (`ia`) or decrement before (`db`). */
export function blockAddress(mode: 'ia' | 'db', base: number): MemAddress {
  return memAddress(mode, base, -1, 0, 0);
}

/**
 * The address of an encoding with P (index), U (add) and W (writeback) bits and an unsigned
 * byte offset `imm`: P = 0 is post-indexed, P = 1 with W = 1 pre-indexed, P = 1 with W = 0 a
 * plain offset; U = 0 subtracts `imm`. (P = 0 with W = 0 is not an indexed form: callers decode it
 * as something else first.)
 */
export function indexedAddress(base: number, imm: number, p: boolean, u: boolean, w: boolean): MemAddress {
  const mode = !p ? 'post' : w ? 'pre' : 'offset';
  return immediateAddress(base, u ? imm : -imm, mode);
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
  return makeInsn({ size, cls, mnemonic, reads, writes, cond, branchOffset: offset });
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
  return makeInsn({ size: 2, cls: 'it', mnemonic, reads: 0, writes: 0, itCount: count, itConds: Object.freeze(conds) });
}

function trailingZeros4(mask: number): number {
  if (mask & 1) return 0;
  if (mask & 2) return 1;
  if (mask & 4) return 2;
  return 3;
}
