import { decodeThumb } from '../thumb/decode.js';
import type { InsnClass, ThumbInsn } from '../thumb/insn.js';
import { BRANCH_REFILL, CLASS_COST, PIPELINE_RULES, baseCost, branchKind } from './table.js';
import { fetchedOverSystemBus, systemBusDemand, type SystemBusDemand } from './memory-rules.js';

/** One instruction of a straight-line sequence with its cost in that sequence. */
export interface CostedInsn {
  readonly address: number;
  readonly insn: ThumbInsn;
  /** Cycles with neighbour rules applied, zero-wait memory, P excluded, as if executed. */
  readonly cycles: number;
  /** Inside an IT block: executes only when its condition passes. */
  readonly conditional: boolean;
  /** Ids of the neighbour rules that changed its cost. */
  readonly rules: readonly string[];
}

/**
 * Decodes and costs the instructions in `code` (which starts at `address`),
 * applying the neighbour rules of the timing table. Pure. A trailing partial
 * instruction is ignored.
 */
export function costSequence(code: Uint8Array, address: number): CostedInsn[] {
  const decoded: { address: number; insn: ThumbInsn }[] = [];
  for (let off = 0; off + 2 <= code.length; ) {
    const hw1 = code[off] | (code[off + 1] << 8);
    const hw2 = off + 4 <= code.length ? code[off + 2] | (code[off + 3] << 8) : 0;
    const insn = decodeThumb(hw1, hw2);
    if (off + insn.size > code.length) break;
    decoded.push({ address: address + off, insn });
    off += insn.size;
  }
  const out: CostedInsn[] = [];
  let itLeft = 0;
  let prevPipelined = false;
  for (let k = 0; k < decoded.length; k++) {
    const { address: a, insn } = decoded[k];
    const ctx = {
      prev: k > 0 ? decoded[k - 1].insn : null,
      cur: insn,
      next: k + 1 < decoded.length ? decoded[k + 1].insn : null,
      address: a,
      prevPipelined,
    };
    let cycles = baseCost(insn);
    const rules: string[] = [];
    for (const rule of PIPELINE_RULES) {
      if (rule.applies(ctx)) {
        cycles += rule.delta;
        rules.push(rule.id);
      }
    }
    cycles = Math.max(insn.cls === 'it' ? 0 : 1, cycles);
    prevPipelined = rules.includes('load-pipelining');
    const conditional = itLeft > 0;
    if (itLeft > 0) itLeft--;
    if (insn.cls === 'it') itLeft = insn.itCount;
    out.push({ address: a, insn, cycles, conditional, rules });
  }
  return out;
}

/** How a block ends, as the native model needs it. */
export const enum EndKind {
  /** Falls through to the next address (page boundary or size limit). */
  None = 0,
  /** A branch that is taken only sometimes: P when the next block is not the fall-through. */
  Conditional = 1,
  /** An unconditional branch or PC write: P on every execution. */
  Always = 2,
}

/** Where flash is, for splitting a block's cycles over fetch lines. */
export interface FlashGeometry {
  readonly base: number;
  readonly size: number;
  readonly lineBytes: number;
}

/** The cost record of one basic block, computed once and charged per execution. */
export interface BlockCost {
  readonly address: number;
  readonly size: number;
  readonly instructions: number;
  /** Zero-wait cycles of one execution, P excluded; IT-conditional instructions at their failed cost when dynamic. */
  readonly base: number;
  readonly takenPenalty: number;
  readonly endKind: EndKind;
  /** Cycles of the instructions starting in each flash line the block spans; empty outside flash. */
  readonly lineCycles: Uint16Array;
  /** Base cycles by instruction class (sums to `base`). */
  readonly classCycles: Readonly<Partial<Record<InsnClass, number>>>;
  /** Instructions by class. */
  readonly classCounts: Readonly<Partial<Record<InsnClass, number>>>;
  /** What the block needs from the System bus when fetched over it (code at 0x2000_0000 and up), else null. */
  readonly systemBus: SystemBusDemand | null;
}

/** Every instruction class in a fixed order: the index the native breakdown uses. */
export const CLASS_ORDER: readonly InsnClass[] = Object.keys(CLASS_COST) as InsnClass[];

const CLASS_INDEX = new Map<InsnClass, number>(CLASS_ORDER.map((c, i) => [c, i]));

/**
 * Cycles an instruction is charged when its block is entered: its cost in the
 * sequence, or 1 (the condition-failed cost) for an IT-conditional
 * instruction with a native execution hook, which adds the rest when it runs.
 */
function chargedCycles(c: CostedInsn, dynamic: (address: number) => boolean, inIt: (address: number) => boolean): number {
  if (c.conditional) return dynamic(c.address) ? 1 : c.cycles;
  // a block Unicorn starts inside an IT block (it ends blocks at a 1 KB page, also inside one):
  // the image's scan knows the instruction conditional, so the existing rule applies (a failed
  // conditional instruction costs 1, TRM 3.3 table 3-1; golden it_load_fail / it_alu_fail); its
  // hook adds any executed cost beyond 1
  return inIt(c.address) ? 1 : c.cycles;
}

const NOWHERE = (): boolean => false;

/**
 * The instructions of a block as (offset from the block start, charged
 * cycles) pairs, for exact cycle-counter reads inside the block. Pure.
 */
export function chargedInstructions(
  code: Uint8Array,
  address: number,
  dynamic: (address: number) => boolean,
  inIt: (address: number) => boolean = NOWHERE,
): Uint16Array {
  const seq = costSequence(code, address);
  const out = new Uint16Array(2 * seq.length);
  seq.forEach((c, i) => {
    out[2 * i] = c.address - address;
    out[2 * i + 1] = chargedCycles(c, dynamic, inIt);
  });
  return out;
}

/** A block's class totals as (class index, cycles, instructions) triples for the native breakdown. */
export function classTriples(cost: Pick<BlockCost, 'classCycles' | 'classCounts'>): Uint32Array {
  const classes = Object.keys(cost.classCounts) as InsnClass[];
  const out = new Uint32Array(3 * classes.length);
  classes.forEach((cls, i) => {
    out[3 * i] = classIndex(cls);
    out[3 * i + 1] = cost.classCycles[cls] ?? 0;
    out[3 * i + 2] = cost.classCounts[cls] ?? 0;
  });
  return out;
}

/** Index of a class in {@link CLASS_ORDER}. */
export function classIndex(cls: InsnClass): number {
  return CLASS_INDEX.get(cls) ?? CLASS_ORDER.length - 1;
}

/**
 * Costs one basic block. `dynamic(address)` says whether the instruction at
 * that address has a native execution hook (an IT-conditional instruction
 * whose executed cost is added when it runs, see specials.ts): such
 * instructions are charged their condition-failed cost of 1 here. `inIt(address)` says whether
 * the image's code has the instruction inside an IT block (a block can start inside one).
 */
export function costBlock(
  code: Uint8Array,
  address: number,
  flash: FlashGeometry | null,
  dynamic: (address: number) => boolean,
  inIt: (address: number) => boolean = NOWHERE,
): BlockCost {
  const seq = costSequence(code, address);
  const classCycles: Partial<Record<InsnClass, number>> = {};
  const classCounts: Partial<Record<InsnClass, number>> = {};
  const inFlash = flash !== null && address - flash.base >= 0 && address - flash.base < flash.size;
  const firstLine = inFlash ? Math.floor((address - flash.base) / flash.lineBytes) : 0;
  const lastLine = inFlash ? Math.floor((address + code.length - 1 - flash.base) / flash.lineBytes) : -1;
  const lineCycles = new Uint16Array(inFlash ? lastLine - firstLine + 1 : 0);
  let base = 0;
  for (const c of seq) {
    const charged = chargedCycles(c, dynamic, inIt);
    base += charged;
    classCycles[c.insn.cls] = (classCycles[c.insn.cls] ?? 0) + charged;
    classCounts[c.insn.cls] = (classCounts[c.insn.cls] ?? 0) + 1;
    if (inFlash) lineCycles[Math.floor((c.address - flash.base) / flash.lineBytes) - firstLine] += charged;
  }
  const last = seq.length ? seq[seq.length - 1] : null;
  let endKind = EndKind.None;
  if (last) {
    const kind = branchKind(last.insn);
    if (kind === 'always') endKind = last.conditional || inIt(last.address) ? EndKind.Conditional : EndKind.Always;
    else if (kind === 'conditional') endKind = EndKind.Conditional;
  }
  return {
    address,
    size: code.length,
    instructions: seq.length,
    base,
    takenPenalty: endKind === EndKind.None ? 0 : BRANCH_REFILL,
    endKind,
    lineCycles,
    classCycles,
    classCounts,
    systemBus: fetchedOverSystemBus(address) ? systemBusDemand(address, code.length, seq.map((c) => c.insn)) : null,
  };
}
