/**
 * The data accesses of a basic block as a program the native model replays when the block is
 * entered, from the values its registers hold at entry: the same accesses, in the same order,
 * that Unicorn's memory hook would report while the block runs (so the ART data cache, the
 * unaligned penalties and the D-Code read count see exactly what they see through the hook).
 * A block whose accesses cannot all be known at entry gets no program and stays on the hook.
 * Pure.
 */
import type { CostedInsn } from './block-cost.js';

/** Words per replayed access in the program. */
const REPLAY_OP_WORDS = 3;
/** Base field of an access whose address is a constant (a literal): word 1 holds the address. */
const REPLAY_ABSOLUTE = 16;
/** First value slot: base and index fields 17..30 name a word loaded earlier in the block. */
const REPLAY_FIRST_SLOT = 17;
/** Index field of an access without an index register. */
const REPLAY_NO_INDEX = 31;

/** A block's replay program: `ops` holds {@link REPLAY_OP_WORDS} words per access; `regs` the entry registers it reads (bit n = Rn). */
export interface ReplayProgram {
  readonly ops: Int32Array;
  readonly count: number;
  readonly regs: number;
}

/** One access of a program before encoding; `keep` names the virtual slot of a word kept (-1: none). */
interface Access {
  readonly base: number;
  readonly index: number;
  readonly shift: number;
  readonly bytes: number;
  readonly load: boolean;
  readonly offset: number;
  readonly indexDelta: number;
  readonly keep: number;
  readonly signed: boolean;
  readonly aligned: boolean;
}

/**
 * Encodes one access: word 0 = base | index << 5 | shift << 10 | bytes << 12 | load << 16 |
 * keep << 17 | slot << 18 | signed << 23 | aligned << 24, where base and index are a register (0..15),
 * {@link REPLAY_ABSOLUTE} or a value slot, and `keep` asks to keep the value read (zero- or
 * sign-extended from `bytes`) in `slot`, and `aligned` marks a word of a dual or multiple transfer
 * (it faults unless word-aligned); word 1 = the constant added to the base (or the address,
 * for {@link REPLAY_ABSOLUTE}); word 2 = the constant added to the index before its shift.
 */
function encode(a: Access, field: (source: number) => number, slot: number): number[] {
  const keep = (slot >= 0 ? (1 << 17) | (slot << 18) | (a.signed ? 1 << 23 : 0) : 0) | (a.aligned ? 1 << 24 : 0);
  return [field(a.base) | (field(a.index) << 5) | (a.shift << 10) | (a.bytes << 12) | (a.load ? 1 << 16 : 0) | keep, a.offset | 0, a.indexDelta | 0];
}

/** What a block's bytes alone do not tell: where memory cannot change, which instructions are inside an IT block. */
export interface ReplayContext {
  /** Whether `address` is read-only memory (flash): a value loaded there is known at entry even after a store. */
  readonly readOnly: (address: number) => boolean;
  /** Whether the instruction at `address` is inside an IT block of the image (a block can start inside one). */
  readonly conditional: (address: number) => boolean;
}

/** No read-only memory, no IT block known beyond the block's own. */
const NO_REPLAY_CONTEXT: ReplayContext = { readOnly: () => false, conditional: () => false };

/** Where a register's value comes from: an entry register (0..15), the constant 0 (16) or a kept value (32 + virtual slot), plus a constant; null when unknown. */
type Source = { readonly from: number; readonly delta: number } | null;

const VIRTUAL = 32;

/**
 * The replay program of a block's instructions (in order, as costed), or null when an access
 * cannot be known at entry: an IT-conditional access, an address register computed in the
 * block (other than by a writeback or a load, see below), exclusive and floating-point accesses
 * (how Unicorn splits them is not modelled). A register is tracked as an entry register or a
 * loaded value, plus a constant. A value loaded by a single LDR/LDRB/LDRH/LDRSB/LDRSH before any
 * store of the block (so nothing in the block can have written it), or from read-only memory
 * (`context.readOnly`, flash: a literal pool), is read from memory when the block is entered:
 * pointers kept on the stack, table indices, literal addresses. An access inside an IT block
 * (`context.conditional`) is not replayed.
 */
export function replayProgram(seq: readonly CostedInsn[], context: ReplayContext = NO_REPLAY_CONTEXT): ReplayProgram | null {
  const { readOnly, conditional } = context;
  const src: Source[] = Array.from({ length: 16 }, (_, r) => ({ from: r, delta: 0 }));
  const accesses: Access[] = [];
  const used = new Set<number>();
  let regs = 0;
  let virtual = 0;
  let stored = false;
  for (const c of seq) {
    const { insn } = c;
    const a = insn.address;
    if (a === null) {
      forget(src, insn.writes);
      continue;
    }
    if (c.conditional || conditional(c.address) || insn.cls === 'system' || insn.cls.startsWith('fpu')) return null;
    const load = insn.cls === 'load' || insn.cls === 'load-dual' || insn.cls === 'load-multiple' || insn.cls === 'table-branch';
    const dual = insn.cls === 'load-dual' || insn.cls === 'store-dual';
    const words = dual ? 2 : insn.regCount;
    const bytes = dual || insn.memBytes === 0 ? 4 : insn.memBytes;
    const writeback = insn.writeback && a.mode !== 'offset';
    const rt = insn.writes & ~(writeback ? 1 << a.base : 0);
    let literal = -1;
    let base: Source;
    let index: Source = null;
    if (a.base === 15) {
      // a literal (Align(PC, 4) + offset) is a constant; TBB/TBH [pc, rm] and PC-based writeback are not replayed
      if (a.index >= 0 || a.mode !== 'offset') return null;
      literal = ((c.address + 4) & ~3) + a.offset;
      base = { from: REPLAY_ABSOLUTE, delta: literal };
    } else {
      base = src[a.base];
      index = a.index >= 0 ? src[a.index] : null;
      if (base === null || (a.index >= 0 && (a.index === 15 || index === null))) return null;
    }
    for (const s of index !== null ? [base, index] : [base]) {
      if (s.from < 16) regs |= 1 << s.from;
      else if (s.from >= VIRTUAL) used.add(s.from - VIRTUAL);
    }
    // a single load of one register whose value can be read at entry
    const keepable = insn.cls === 'load' && rt !== 0 && (rt & (rt - 1)) === 0 && rt < 1 << 15 && (!stored || (literal >= 0 && readOnly(literal)));
    const keep = keepable ? virtual++ : -1;
    const signed = insn.mnemonic.startsWith('ldrs'); // LDRSB, LDRSH and their unprivileged LDRSBT, LDRSHT
    const first = a.mode === 'db' ? -4 * words : a.mode === 'ia' || a.mode === 'post' ? 0 : a.base === 15 ? 0 : a.offset;
    const change = a.mode === 'ia' ? 4 * words : a.mode === 'db' ? -4 * words : a.offset;
    // a byte store costs nothing the model charges (never unaligned, no D-Code read): not replayed
    for (let w = 0; w < words && !(!load && bytes === 1); w++) {
      accesses.push({
        base: base.from, index: index?.from ?? REPLAY_NO_INDEX, shift: a.shift, bytes, load, offset: base.delta + first + 4 * w,
        indexDelta: index?.delta ?? 0, keep, signed, aligned: dual || a.mode === 'ia' || a.mode === 'db',
      });
    }
    // registers written: the base's writeback adds a constant, a kept value is known, the rest is not
    forget(src, rt);
    if (writeback) src[a.base] = { from: base.from, delta: base.delta + change };
    if (keep >= 0) src[31 - Math.clz32(rt)] = { from: VIRTUAL + keep, delta: 0 };
    if (!load) stored = true;
  }
  if (accesses.length === 0 || used.size > REPLAY_NO_INDEX - REPLAY_FIRST_SLOT) return null;
  // value slots for the kept values something uses as an address; the others are not read
  const slotOf = new Map([...used].sort((x, y) => x - y).map((v, i) => [v, REPLAY_FIRST_SLOT + i]));
  const field = (source: number): number => (source >= VIRTUAL ? (slotOf.get(source - VIRTUAL) as number) : source);
  const ops = accesses.flatMap((x) => encode(x, field, x.keep >= 0 ? slotOf.get(x.keep) ?? -1 : -1));
  return { ops: Int32Array.from(ops), count: accesses.length, regs };
}

/** Marks the registers in `writes` (bit n = Rn) as no longer known. */
function forget(src: Source[], writes: number): void {
  for (let r = 0; r < 15; r++) if ((writes & (1 << r)) !== 0) src[r] = null;
}
