/**
 * Reads the addressing form of a load or store from GNU objdump's operand
 * text, as the decoder's {@link MemAddress}, for the decoder tests that compare
 * with objdump.
 */
import type { MemAddress } from '../../src/emulator/thumb/insn.js';

/** Register numbers of objdump's register names (r0..r15 are read from the digits). */
const NAMED: Readonly<Record<string, number>> = { sb: 9, sl: 10, fp: 11, ip: 12, sp: 13, lr: 14, pc: 15 };

/** Base mnemonics (the decoder's spelling, or objdump's `ia` alias) whose address is a register-list block, by mode. */
const BLOCK_MODE: Readonly<Record<string, 'ia' | 'db'>> = {
  ldm: 'ia', ldmia: 'ia', stm: 'ia', stmia: 'ia', ldmdb: 'db', stmdb: 'db',
  vldm: 'ia', vldmia: 'ia', vstm: 'ia', vstmia: 'ia', vldmdb: 'db', vstmdb: 'db',
  push: 'db', vpush: 'db', pop: 'ia', vpop: 'ia',
};

/** Memory mnemonics whose operands end in a bracketed address. */
const BRACKETED = new Set([
  'ldr', 'ldrb', 'ldrh', 'ldrsb', 'ldrsh', 'ldrt', 'ldrbt', 'ldrht', 'ldrsbt', 'ldrsht',
  'str', 'strb', 'strh', 'strt', 'strbt', 'strht', 'ldrd', 'strd',
  'ldrex', 'ldrexb', 'ldrexh', 'strex', 'strexb', 'strexh', 'tbb', 'tbh', 'vldr', 'vstr',
]);

/** Memory hints: they name an address but access no memory (the decoder gives them no address). */
const HINTS = new Set(['pld', 'pli']);

/** What objdump's listing says about the address of one instruction. */
export interface ObjdumpAddress {
  /** The instruction's address form; null for instructions that do not access memory (hints included). */
  readonly address: MemAddress | null;
  /** The address objdump computed for a PC-relative operand (its `@ 8001234 <x>` or `@ (8001234 <x>)` comment), else null. */
  readonly target: number | null;
}

/** Register number of an objdump register name, or NaN. */
export function registerNumber(name: string): number {
  const m = /^r(\d|1[0-5])$/.exec(name);
  if (m !== null) return Number(m[1]);
  return NAMED[name] ?? NaN;
}

function address(mode: MemAddress['mode'], base: number, index: number, shift: number, offset: number): MemAddress {
  return { mode, base, index, shift, offset: offset | 0 };
}

/**
 * Parses the operands of the instruction objdump names `base` (its mnemonic
 * without condition, `s` or `.w` suffixes; `ldmia`-style aliases accepted).
 * Accepted forms: `[r0]`, `[r0, #92]`, `[sp, #-4]!`, `[r0], #4`, `[r3, r4]`,
 * `[r3, r4, lsl #3]`, `[pc, #8]` (with objdump's computed-target comment),
 * `[pc, r3]`, and register lists `r0!, {r1, r2}` / `{r4, lr}` for the
 * multiple transfers. Throws on memory operands it cannot read, so that an
 * unexpected objdump spelling fails the test instead of being skipped.
 */
export function objdumpAddress(base: string, operands: string): ObjdumpAddress {
  const comment = /@\s*\(?([0-9a-f]+) </.exec(operands);
  const target = comment === null ? null : parseInt(comment[1], 16);
  const ops = operands.replace(/\s*@.*$/, '').trim();
  const block = BLOCK_MODE[base];
  if (block !== undefined) return { address: address(block, blockBase(base, ops), -1, 0, 0), target };
  if (HINTS.has(base) || !BRACKETED.has(base)) return { address: null, target };
  return { address: bracketed(ops), target };
}

/** Base register of a register-list transfer: SP for PUSH/POP/VPUSH/VPOP, else the first operand (`r0!` or `r0`). */
function blockBase(base: string, ops: string): number {
  if (/^v?(push|pop)$/.test(base)) return 13;
  const m = /^(\w+)!?,\s*\{/.exec(ops);
  const n = m === null ? NaN : registerNumber(m[1]);
  if (Number.isNaN(n)) throw new Error(`objdumpAddress: no base register in '${ops}'`);
  return n;
}

/** The bracketed address that ends the operands, with its `!` or post-index `, #imm`. */
function bracketed(ops: string): MemAddress {
  const m = /\[(\w+)(?:,\s*(?:#(-?\d+)|(\w+)(?:,\s*lsl #(\d))?))?\](!|,\s*#(-?\d+))?$/.exec(ops);
  if (m === null) throw new Error(`objdumpAddress: cannot read the address in '${ops}'`);
  const [, baseName, imm, indexName, shift, suffix, post] = m;
  const base = registerNumber(baseName);
  const index = indexName === undefined ? -1 : registerNumber(indexName);
  if (Number.isNaN(base) || Number.isNaN(index)) throw new Error(`objdumpAddress: unknown register in '${ops}'`);
  if (post !== undefined) return address('post', base, -1, 0, Number(post));
  const mode = suffix === '!' ? 'pre' : 'offset';
  return address(mode, base, index, shift === undefined ? 0 : Number(shift), imm === undefined ? 0 : Number(imm));
}
