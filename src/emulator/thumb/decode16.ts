/**
 * Decoder of the 16-bit Thumb encodings (ARMv7-M ARM, DDI 0403, section A5.2).
 */
import type { InsnClass, MemAddress, ThumbInsn } from './insn.js';
import { LR_BIT, PC_BIT, SP_BIT } from './insn.js';
import {
  COND_AL,
  bit,
  blockAddress,
  directBranch,
  immediateAddress,
  itInsn,
  memory,
  plain,
  popcount16,
  registerAddress,
  signExtend,
  undefinedInsn,
} from './insn-build.js';

/** How a 16-bit data-processing (A5.2.2) operation uses its two register fields. */
const enum DpUse {
  /** Rdn = Rdn op Rm. */
  ReadBoth,
  /** Flags only: reads Rn and Rm. */
  Compare,
  /** Rd = op(Rm). */
  Unary,
}

/** A5.2.2, indexed by opcode bits 9:6. */
const DATA_PROCESSING: readonly (readonly [string, DpUse])[] = [
  ['and', DpUse.ReadBoth],
  ['eor', DpUse.ReadBoth],
  ['lsl', DpUse.ReadBoth],
  ['lsr', DpUse.ReadBoth],
  ['asr', DpUse.ReadBoth],
  ['adc', DpUse.ReadBoth],
  ['sbc', DpUse.ReadBoth],
  ['ror', DpUse.ReadBoth],
  ['tst', DpUse.Compare],
  ['neg', DpUse.Unary],
  ['cmp', DpUse.Compare],
  ['cmn', DpUse.Compare],
  ['orr', DpUse.ReadBoth],
  ['mul', DpUse.ReadBoth],
  ['bic', DpUse.ReadBoth],
  ['mvn', DpUse.Unary],
];

/** A5.2.4 register-offset forms, indexed by opB (bits 11:9): mnemonic, class, bytes. */
const LOAD_STORE_REG: readonly (readonly [string, InsnClass, number])[] = [
  ['str', 'store', 4],
  ['strh', 'store', 2],
  ['strb', 'store', 1],
  ['ldrsb', 'load', 1],
  ['ldr', 'load', 4],
  ['ldrh', 'load', 2],
  ['ldrb', 'load', 1],
  ['ldrsh', 'load', 2],
];

/** A5.2.5 extend instructions, indexed by bits 7:6. */
const EXTENDS = ['sxth', 'sxtb', 'uxth', 'uxtb'] as const;

/** 16-bit hint instructions (IT with mask 0), indexed by bits 7:4. */
const HINTS16: readonly (readonly [string, InsnClass])[] = [
  ['nop', 'alu'],
  ['yield', 'alu'],
  ['wfe', 'system'],
  ['wfi', 'system'],
  ['sev', 'system'],
];

/** Decodes one 16-bit Thumb instruction. */
export function decode16(hw: number): ThumbInsn {
  switch (hw >>> 12) {
    case 0x0:
    case 0x1:
      return shiftAddSub(hw);
    case 0x2:
    case 0x3:
      return immediateOp(hw);
    case 0x4:
      return group4(hw);
    case 0x5: {
      const [mn, cls, bytes] = LOAD_STORE_REG[(hw >>> 9) & 7];
      const n = (hw >>> 3) & 7;
      const m = (hw >>> 6) & 7;
      return singleAccess(mn, cls, bytes, hw & 7, bit(n) | bit(m), registerAddress(n, m, 0));
    }
    case 0x6:
      return immOffset(hw, 'ldr', 'str', 4);
    case 0x7:
      return immOffset(hw, 'ldrb', 'strb', 1);
    case 0x8:
      return immOffset(hw, 'ldrh', 'strh', 2);
    case 0x9: {
      // [SP, #imm8*4]
      const address = immediateAddress(13, (hw & 0xff) << 2);
      return (hw & 0x800) !== 0
        ? singleAccess('ldr', 'load', 4, (hw >>> 8) & 7, SP_BIT, address)
        : singleAccess('str', 'store', 4, (hw >>> 8) & 7, SP_BIT, address);
    }
    case 0xa: {
      // ADR (objdump: add Rd, pc, #imm) or ADD Rd, SP, #imm.
      const base = (hw & 0x800) !== 0 ? SP_BIT : PC_BIT;
      return plain(2, 'alu', 'add', base, bit((hw >>> 8) & 7));
    }
    case 0xb:
      return miscellaneous(hw);
    case 0xc:
      return multiple(hw);
    case 0xd:
      return condBranchGroup(hw);
    default:
      // 0xe with bit 11 clear: B T2 (the caller sends 32-bit encodings elsewhere).
      if ((hw & 0xf800) === 0xe000) {
        return directBranch(2, 'branch', 'b', 0, PC_BIT, COND_AL, signExtend((hw & 0x7ff) << 1, 12));
      }
      return undefinedInsn(2);
  }
}

/** A5.2.1 opcodes 000xx..011xx: shifts by immediate and 3-bit add/subtract. */
function shiftAddSub(hw: number): ThumbInsn {
  const rd = bit(hw & 7);
  const rm = bit((hw >>> 3) & 7);
  const op = (hw >>> 11) & 3;
  if (op === 0) return plain(2, 'alu', ((hw >>> 6) & 0x1f) === 0 ? 'mov' : 'lsl', rm, rd);
  if (op === 1) return plain(2, 'alu', 'lsr', rm, rd);
  if (op === 2) return plain(2, 'alu', 'asr', rm, rd);
  const mn = (hw & 0x200) !== 0 ? 'sub' : 'add';
  const third = (hw & 0x400) !== 0 ? 0 : bit((hw >>> 6) & 7);
  return plain(2, 'alu', mn, rm | third, rd);
}

/** A5.2.1 opcodes 1xxxx: MOV/CMP/ADD/SUB with an 8-bit immediate. */
function immediateOp(hw: number): ThumbInsn {
  const rdn = bit((hw >>> 8) & 7);
  switch ((hw >>> 11) & 3) {
    case 0:
      return plain(2, 'alu', 'mov', 0, rdn);
    case 1:
      return plain(2, 'alu', 'cmp', rdn, 0);
    case 2:
      return plain(2, 'alu', 'add', rdn, rdn);
    default:
      return plain(2, 'alu', 'sub', rdn, rdn);
  }
}

/** Opcode 0100xx: data processing, special data/branch exchange, literal load. */
function group4(hw: number): ThumbInsn {
  if ((hw & 0x800) !== 0) {
    // LDR Rt, [PC, #imm8*4]
    return singleAccess('ldr', 'load', 4, (hw >>> 8) & 7, PC_BIT, immediateAddress(15, (hw & 0xff) << 2));
  }
  if ((hw & 0x400) === 0) {
    const [mn, use] = DATA_PROCESSING[(hw >>> 6) & 15];
    const rdn = bit(hw & 7);
    const rm = bit((hw >>> 3) & 7);
    const cls: InsnClass = mn === 'mul' ? 'mul' : 'alu';
    if (use === DpUse.Compare) return plain(2, cls, mn, rdn | rm, 0);
    if (use === DpUse.Unary) return plain(2, cls, mn, rm, rdn);
    return plain(2, cls, mn, rdn | rm, rdn);
  }
  // A5.2.3 special data instructions and branch and exchange.
  const rdn = bit(((hw >>> 4) & 8) | (hw & 7));
  const rm = bit((hw >>> 3) & 15);
  switch ((hw >>> 8) & 3) {
    case 0:
      return plain(2, 'alu', 'add', rdn | rm, rdn);
    case 1:
      return plain(2, 'alu', 'cmp', rdn | rm, 0);
    case 2:
      // objdump prints MOV r8, r8 (0x46c0) as its canonical `nop`.
      return plain(2, 'alu', hw === 0x46c0 ? 'nop' : 'mov', rm, rdn);
    default:
      // Bits 2:0 are should-be-zero (set, they are the ARMv8-M BXNS/BLXNS).
      if ((hw & 7) !== 0) return undefinedInsn(2);
      return (hw & 0x80) !== 0
        ? plain(2, 'branch-reg', 'blx', rm, PC_BIT | LR_BIT)
        : plain(2, 'branch-reg', 'bx', rm, PC_BIT);
  }
}

/** A single load or store of Rt with the given address registers and address. */
function singleAccess(mn: string, cls: InsnClass, bytes: number, rt: number, addr: number, address: MemAddress): ThumbInsn {
  const t = bit(rt);
  return cls === 'load'
    ? memory(2, cls, mn, addr, t, addr, 1, bytes, false, address)
    : memory(2, cls, mn, addr | t, 0, addr, 1, bytes, false, address);
}

/** A5.2.4 immediate-offset forms `[Rn, #imm5*bytes]`: bit 11 selects the load. */
function immOffset(hw: number, load: string, store: string, bytes: number): ThumbInsn {
  const n = (hw >>> 3) & 7;
  const rn = bit(n);
  const address = immediateAddress(n, ((hw >>> 6) & 0x1f) * bytes);
  return (hw & 0x800) !== 0
    ? singleAccess(load, 'load', bytes, hw & 7, rn, address)
    : singleAccess(store, 'store', bytes, hw & 7, rn, address);
}

/** A5.2.5 miscellaneous 16-bit instructions (opcode 1011xx). */
function miscellaneous(hw: number): ThumbInsn {
  switch ((hw >>> 8) & 15) {
    case 0x0:
      return plain(2, 'alu', (hw & 0x80) !== 0 ? 'sub' : 'add', SP_BIT, SP_BIT);
    case 0x1:
    case 0x3:
    case 0x9:
    case 0xb: {
      const offset = ((hw >>> 3) & 0x1f) << 1 | ((hw >>> 9) & 1) << 6;
      const mn = (hw & 0x800) !== 0 ? 'cbnz' : 'cbz';
      return directBranch(2, 'compare-branch', mn, bit(hw & 7), PC_BIT, COND_AL, offset);
    }
    case 0x2:
      return plain(2, 'alu', EXTENDS[(hw >>> 6) & 3], bit((hw >>> 3) & 7), bit(hw & 7));
    case 0x4:
    case 0x5: {
      const list = (hw & 0xff) | ((hw & 0x100) !== 0 ? LR_BIT : 0);
      if (list === 0) return undefinedInsn(2);
      return memory(2, 'store-multiple', 'push', list | SP_BIT, SP_BIT, SP_BIT, popcount16(list), 0, true, blockAddress('db', 13));
    }
    case 0x6:
      if ((hw & 0xec) === 0x60) return plain(2, 'system', (hw & 0x10) !== 0 ? 'cpsid' : 'cpsie', 0, 0);
      return undefinedInsn(2);
    case 0xa: {
      const op = (hw >>> 6) & 3;
      if (op === 2) return undefinedInsn(2);
      const mn = op === 0 ? 'rev' : op === 1 ? 'rev16' : 'revsh';
      return plain(2, 'alu', mn, bit((hw >>> 3) & 7), bit(hw & 7));
    }
    case 0xc:
    case 0xd: {
      const list = (hw & 0xff) | ((hw & 0x100) !== 0 ? PC_BIT : 0);
      if (list === 0) return undefinedInsn(2);
      return memory(2, 'load-multiple', 'pop', SP_BIT, list | SP_BIT, SP_BIT, popcount16(list), 0, true, blockAddress('ia', 13));
    }
    case 0xe:
      return plain(2, 'system', 'bkpt', 0, 0);
    case 0xf: {
      if ((hw & 0xf) !== 0) {
        // IT with firstcond 1111, or AL with an `e` slot (BitCount(mask) != 1), is UNPREDICTABLE.
        const firstcond = (hw >>> 4) & 15;
        if (firstcond === 15 || (firstcond === 14 && popcount16(hw & 15) !== 1)) return undefinedInsn(2);
        return itInsn(firstcond, hw & 15);
      }
      const hint = HINTS16[(hw >>> 4) & 15];
      return hint === undefined ? plain(2, 'alu', 'nop', 0, 0) : plain(2, hint[1], hint[0], 0, 0);
    }
    default:
      return undefinedInsn(2);
  }
}

/** STM / LDM T1 (opcode 1100xx), increment after. */
function multiple(hw: number): ThumbInsn {
  const n = (hw >>> 8) & 7;
  const rn = bit(n);
  const list = hw & 0xff;
  const count = popcount16(list);
  if (count === 0) return undefinedInsn(2);
  const address = blockAddress('ia', n);
  if ((hw & 0x800) === 0) {
    return memory(2, 'store-multiple', 'stm', list | rn, rn, rn, count, 0, true, address);
  }
  const writeback = (list & rn) === 0;
  return memory(2, 'load-multiple', 'ldm', rn, list | (writeback ? rn : 0), rn, count, 0, writeback, address);
}

/** Opcode 1101xx: B<cond> T1, UDF, SVC. */
function condBranchGroup(hw: number): ThumbInsn {
  const cond = (hw >>> 8) & 15;
  if (cond === 14) return undefinedInsn(2, 'udf');
  if (cond === 15) return plain(2, 'system', 'svc', 0, 0);
  return directBranch(2, 'branch-cond', 'b', 0, PC_BIT, cond, signExtend((hw & 0xff) << 1, 9));
}
