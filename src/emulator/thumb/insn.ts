/**
 * Decoded Thumb / Thumb-2 instruction, as the cycle model needs it. Produced
 * by `decodeThumb` (decode.ts), a pure function of the instruction's
 * halfwords; consumed by the timing tables (timing.ts).
 */

/** Timing-relevant instruction class. Each has a row in the timing table. */
export type InsnClass =
  /** Data processing, shifts, extends, bitfield, CLZ, REV, SSAT/USAT, Q-ops, parallel add/sub, MOV/MOVW/MOVT, ADR, CMP/TST, NOP, hints. */
  | 'alu'
  /** MUL, MLA, MLS, SMULL, UMULL, SMLAL, UMLAL, UMAAL. */
  | 'mul'
  /** DSP multiplies: SMLAD{X}, SMLSD, SMLAxy, SMLAWy, SMLALD, SMUAD, SMUSD, SMMUL, SMMLA, SMMLS, SMULxy, SMULWy. */
  | 'dsp-mul'
  /** SDIV, UDIV. */
  | 'div'
  /** Single LDR, LDRB, LDRSB, LDRH, LDRSH (any addressing mode, including literal). */
  | 'load'
  /** Single STR, STRB, STRH. */
  | 'store'
  /** LDRD. */
  | 'load-dual'
  /** STRD. */
  | 'store-dual'
  /** LDM/LDMDB/POP (core registers). */
  | 'load-multiple'
  /** STM/STMDB/PUSH (core registers). */
  | 'store-multiple'
  /** B (unconditional, direct). */
  | 'branch'
  /** B<cond> (direct). */
  | 'branch-cond'
  /** BL (direct call). */
  | 'branch-link'
  /** BX Rm, BLX Rm. */
  | 'branch-reg'
  /** CBZ, CBNZ. */
  | 'compare-branch'
  /** TBB, TBH. */
  | 'table-branch'
  /** IT. */
  | 'it'
  /** FPU single-cycle: VADD, VSUB, VMUL, VCMP, VCVT, VABS, VNEG, VMOV (any form), VMRS/VMSR. */
  | 'fpu'
  /** FPU multiply-accumulate: VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS. */
  | 'fpu-mac'
  /** VDIV, VSQRT. */
  | 'fpu-div'
  /** VLDR (.32 or .64: see memBytes). */
  | 'fpu-load'
  /** VSTR. */
  | 'fpu-store'
  /** VLDM, VPOP (regCount = number of 32-bit words). */
  | 'fpu-load-multiple'
  /** VSTM, VPUSH. */
  | 'fpu-store-multiple'
  /** MSR, MRS, CPS, DMB, DSB, ISB, SVC, BKPT, WFI, WFE, SEV, CLREX, LDREX/STREX. */
  | 'system'
  /** An encoding that is UNDEFINED or not an ARMv7E-M instruction (UDF included). */
  | 'undefined';

/** Bit of a core register in a register mask: `1 << n` for Rn; PC is bit 15. */
export const PC_BIT = 1 << 15;
/** SP is bit 13. */
export const SP_BIT = 1 << 13;
/** LR is bit 14. */
export const LR_BIT = 1 << 14;

/** One decoded instruction. */
export interface ThumbInsn {
  /** Encoding size in bytes. */
  readonly size: 2 | 4;
  readonly cls: InsnClass;
  /**
   * Base mnemonic in lower case, without condition, `s` flag-setting or width
   * suffixes, as GNU objdump spells it: `ldr`, `ldrb`, `smlad`, `push`, `b`, `it`...
   */
  readonly mnemonic: string;
  /** Core registers read (bit n = Rn; bit 15 = PC as an operand, e.g. ADR or literal loads). */
  readonly reads: number;
  /** Core registers written (bit 15 set = the instruction writes the PC: a branch). */
  readonly writes: number;
  /** Registers that form the address of a memory access (base and index); 0 if none. */
  readonly addrRegs: number;
  /**
   * Words transferred: 1 for single loads/stores, 2 for LDRD/STRD, the number
   * of registers for LDM/STM/PUSH/POP, the number of 32-bit words for VLDM/VSTM/VPUSH/VPOP.
   * 0 for instructions that do not access memory.
   */
  readonly regCount: number;
  /** Bytes per access of a single load/store (1, 2, 4; 8 for LDRD/STRD and VLDR.64); 0 otherwise. */
  readonly memBytes: number;
  /** Base register written back (pre/post-indexed, `!`, PUSH/POP). */
  readonly writeback: boolean;
  /** Literal load: address formed from the PC (LDR Rt, [PC, #imm], VLDR literal). */
  readonly pcRelative: boolean;
  /** Condition field of B<cond> (0..13); 14 (always) for every other instruction. */
  readonly cond: number;
  /** For IT: the number of instructions in the IT block (1..4); 0 otherwise. */
  readonly itCount: number;
  /**
   * For IT: the condition of each of the `itCount` following instructions
   * (firstcond, or its inverse for an `e` slot); empty otherwise.
   */
  readonly itConds: readonly number[];
  /**
   * Direct branches (B, B<cond>, BL, CBZ/CBNZ): target offset relative to the
   * instruction's address + 4 (the Thumb PC). null for every other instruction.
   */
  readonly branchOffset: number | null;
  /**
   * How a load or store forms its address (see {@link MemAddress}); null for instructions that do
   * not access memory, and for PLD/PLI and the unallocated memory hints.
   */
  readonly address: MemAddress | null;
}

/**
 * The addressing form of a memory access (ARMv7-M ARM, DDI 0403, A7.7): enough to compute every
 * address the instruction touches from the values of its base and index registers.
 *
 * - `offset`, `pre`, `post` (single and dual loads/stores, VLDR/VSTR, TBB/TBH, LDREX/STREX): the
 *   address is `base + (index << shift) + offset` (`post`: `base` alone, then the base is written
 *   back with `base + offset`; `pre`: the address is also written back). An immediate-offset
 *   literal (base 15, no index) uses `Align(PC, 4)` = `(instruction address + 4) & ~3` as the base
 *   value; TBB/TBH `[pc, Rm]` use the PC itself, the instruction address + 4.
 * - `ia`, `db` (LDM/STM, PUSH/POP, VLDM/VSTM, VPUSH/VPOP): `regCount` consecutive words from `base`
 *   (`ia`) or from `base - 4 * regCount` (`db`); `offset` is 0. With `writeback` the base becomes
 *   `base + 4 * regCount` (`ia`) or `base - 4 * regCount` (`db`).
 */
export interface MemAddress {
  readonly mode: 'offset' | 'pre' | 'post' | 'ia' | 'db';
  /** Base register number (0..15; 15 = PC, a literal). */
  readonly base: number;
  /** Index register number (register-offset forms), or -1. */
  readonly index: number;
  /** Left shift applied to the index (LSL #0..3; TBH: 1). */
  readonly shift: number;
  /** Signed byte offset (immediate forms; negative for the U = 0 encodings); 0 for register-offset, `ia` and `db`. */
  readonly offset: number;
}
