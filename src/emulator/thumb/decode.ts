/**
 * Thumb-2 instruction decoder for the cycle model: the whole ARMv7E-M Thumb
 * instruction set (ARMv7-M Architecture Reference Manual, DDI 0403, chapter
 * A5), with the DSP extension and the FPv4-SP floating-point extension
 * (chapter A6). Pure functions of the instruction halfwords.
 */
import type { ThumbInsn } from './insn.js';
import { decode16 } from './decode16.js';
import { branchesAndControl } from './decode32-control.js';
import { modifiedImmediate, plainImmediate, shiftedRegister } from './decode32-dataproc.js';
import { dualExclusiveTable, loadSingle, loadStoreMultiple, storeSingle } from './decode32-memory.js';
import { longMultiply, multiply, registerDataProcessing } from './decode32-register.js';
import { decodeCoprocessor } from './decode-vfp.js';
import { undefinedInsn } from './insn-build.js';
import { SimDseError } from '../../util/errors.js';

/** Bad input to the Thumb decoder helpers (kind `thumb`). */
export class ThumbDecodeError extends SimDseError<'thumb'> {
  constructor(message: string) {
    super('thumb', message);
    this.name = 'ThumbDecodeError';
  }
}

/**
 * Size of the instruction whose first halfword is `hw1`: 4 when bits 15:11
 * are 0b11101, 0b11110 or 0b11111, otherwise 2.
 */
export function thumbInsnSize(hw1: number): 2 | 4 {
  return (hw1 & 0xf800) >= 0xe800 ? 4 : 2;
}

/**
 * Decodes one Thumb instruction. `hw1` is its first halfword, `hw2` the
 * following one (ignored for 16-bit encodings). Encodings that are UNDEFINED
 * in ARMv7E-M with FPv4-SP come back with class `undefined`.
 */
export function decodeThumb(hw1: number, hw2: number): ThumbInsn {
  hw1 &= 0xffff;
  if (thumbInsnSize(hw1) === 2) return decode16(hw1);
  return decode32(hw1, hw2 & 0xffff);
}

/** A5.3: the 32-bit encodings, dispatched on op1 (hw1 bits 12:11), op2 (hw1 bits 10:4) and op (hw2 bit 15). */
function decode32(hw1: number, hw2: number): ThumbInsn {
  const op1 = (hw1 >>> 11) & 3;
  if (op1 === 1) {
    if ((hw1 & 0x400) !== 0) return decodeCoprocessor(hw1, hw2);
    if ((hw1 & 0x200) !== 0) return shiftedRegister(hw1, hw2);
    return (hw1 & 0x40) === 0 ? loadStoreMultiple(hw1, hw2) : dualExclusiveTable(hw1, hw2);
  }
  if (op1 === 2) {
    if ((hw2 & 0x8000) !== 0) return branchesAndControl(hw1, hw2);
    return (hw1 & 0x200) === 0 ? modifiedImmediate(hw1, hw2) : plainImmediate(hw1, hw2);
  }
  // op1 = 3
  if ((hw1 & 0x400) !== 0) return decodeCoprocessor(hw1, hw2);
  const op2 = (hw1 >>> 4) & 0x7f;
  if ((op2 & 0x71) === 0) return storeSingle(hw1, hw2);
  if ((op2 & 0x60) === 0) {
    // 00xx001 byte, 00xx011 halfword, 00xx101 word; 00xx111 and 001xxx0 UNDEFINED.
    if ((op2 & 1) === 0 || (op2 & 7) === 7) return undefinedInsn(4);
    return loadSingle(hw1, hw2);
  }
  if ((op2 & 0x70) === 0x20) return registerDataProcessing(hw1, hw2);
  if ((op2 & 0x78) === 0x30) return multiply(hw1, hw2);
  return longMultiply(hw1, hw2);
}

/** An instruction of {@link decodeBlock} with its address. */
export interface DecodedAt {
  readonly address: number;
  readonly insn: ThumbInsn;
}

/**
 * Decodes the little-endian Thumb code in `bytes`, which starts at `address`
 * (for listings and tests; the emulator walks its blocks itself). A trailing
 * lone first half of a 32-bit instruction is decoded with hw2 = 0; a trailing
 * odd byte is ignored. Throws {@link ThumbDecodeError} for an address that is
 * not a halfword-aligned 32-bit address.
 */
export function decodeBlock(bytes: Uint8Array, address: number): DecodedAt[] {
  if (!Number.isInteger(address) || address < 0 || address > 0xffffffff || (address & 1) !== 0) {
    throw new ThumbDecodeError(`decodeBlock: address ${address} is not a halfword-aligned 32-bit address`);
  }
  const out: DecodedAt[] = [];
  let offset = 0;
  while (offset + 1 < bytes.length) {
    const hw1 = bytes[offset] | (bytes[offset + 1] << 8);
    const hw2 = offset + 3 < bytes.length ? bytes[offset + 2] | (bytes[offset + 3] << 8) : 0;
    const insn = decodeThumb(hw1, hw2);
    out.push({ address: address + offset, insn });
    offset += insn.size;
  }
  return out;
}
