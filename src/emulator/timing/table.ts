import type { InsnClass, ThumbInsn } from '../thumb/insn.js';
import { PC_BIT } from '../thumb/insn.js';

/**
 * Cortex-M4 pipeline timing as data. Sources: Arm Cortex-M4 TRM r0p1
 * (DDI 0439) section 3.3, tables 3-1/3-2 and 7-1 (FPU); the measured
 * STM32F407 pipeline facts collected in ../shared/reference/cortex-m4-timing.md.
 * All counts are for zero-wait-state memory; flash wait states and the ART
 * are modelled separately (native/cycles.c, from the board profile).
 */

/** Base cost of one instruction class, before neighbour rules. */
export interface ClassCost {
  /** Cycles, zero-wait memory, branch not taken. */
  readonly cycles: number;
  /** Extra cycles per transferred register beyond what `cycles` counts (LDM/STM: 1 + N). */
  readonly perRegister: number;
  /** The pipeline refill P is charged when the instruction's branch is taken. */
  readonly branches: 'never' | 'always' | 'conditional' | 'if-writes-pc';
  /** Where the number comes from. */
  readonly source: string;
}

const TRM = 'TRM 3.3 table 3-1';
const FPU = 'TRM 7.2 table 7-1';

/** Base cost per instruction class (TRM table 3-1). */
export const CLASS_COST: Readonly<Record<InsnClass, ClassCost>> = {
  alu: { cycles: 1, perRegister: 0, branches: 'if-writes-pc', source: TRM },
  mul: { cycles: 1, perRegister: 0, branches: 'never', source: TRM },
  'dsp-mul': { cycles: 1, perRegister: 0, branches: 'never', source: TRM },
  div: { cycles: 2, perRegister: 0, branches: 'never', source: `${TRM}: 2 to 12, operand-dependent part in DIVIDE_EXTRA` },
  load: { cycles: 2, perRegister: 0, branches: 'if-writes-pc', source: `${TRM}: LDR 2, LDR pc 2 + P` },
  store: { cycles: 2, perRegister: 0, branches: 'never', source: TRM },
  'load-dual': { cycles: 1, perRegister: 1, branches: 'never', source: `${TRM}: 1 + N` },
  'store-dual': { cycles: 1, perRegister: 1, branches: 'never', source: `${TRM}: 1 + N` },
  'load-multiple': { cycles: 1, perRegister: 1, branches: 'if-writes-pc', source: `${TRM}: 1 + N (+P with pc)` },
  'store-multiple': { cycles: 1, perRegister: 1, branches: 'never', source: `${TRM}: 1 + N` },
  branch: { cycles: 1, perRegister: 0, branches: 'always', source: `${TRM}: 1 + P` },
  'branch-cond': { cycles: 1, perRegister: 0, branches: 'conditional', source: `${TRM}: 1, 1 + P taken` },
  'branch-link': { cycles: 1, perRegister: 0, branches: 'always', source: `${TRM}: 1 + P` },
  'branch-reg': { cycles: 1, perRegister: 0, branches: 'always', source: `${TRM}: 1 + P` },
  'compare-branch': { cycles: 1, perRegister: 0, branches: 'conditional', source: `${TRM}: 1, 1 + P taken` },
  'table-branch': { cycles: 2, perRegister: 0, branches: 'always', source: `${TRM}: 2 + P` },
  it: { cycles: 1, perRegister: 0, branches: 'never', source: `${TRM}: 1, 0 when folded (rule it-folding)` },
  fpu: { cycles: 1, perRegister: 0, branches: 'never', source: FPU },
  'fpu-mac': { cycles: 3, perRegister: 0, branches: 'never', source: FPU },
  'fpu-div': { cycles: 14, perRegister: 0, branches: 'never', source: FPU },
  'fpu-load': { cycles: 1, perRegister: 1, branches: 'never', source: `${FPU}: VLDR.32 2, .64 3` },
  'fpu-store': { cycles: 1, perRegister: 1, branches: 'never', source: `${FPU}: VSTR.32 2, .64 3` },
  'fpu-load-multiple': { cycles: 1, perRegister: 1, branches: 'never', source: `${FPU}: 1 + N` },
  'fpu-store-multiple': { cycles: 1, perRegister: 1, branches: 'never', source: `${FPU}: 1 + N` },
  system: { cycles: 1, perRegister: 0, branches: 'never', source: 'assumed 1 (barriers and hints are rare in kernels)' },
  undefined: { cycles: 1, perRegister: 0, branches: 'never', source: 'faults before it completes' },
};

/** Pipeline refill after a taken branch or PC write (TRM: 1 to 3; 2 is the usual figure). */
export const BRANCH_REFILL = 2;

/** Context a neighbour rule sees: the instruction, its neighbours in the block, its address. */
export interface RuleContext {
  readonly prev: ThumbInsn | null;
  readonly cur: ThumbInsn;
  readonly next: ThumbInsn | null;
  readonly address: number;
  /** Whether the previous instruction was itself reduced by `load-pipelining`. */
  readonly prevPipelined: boolean;
}

/** A neighbour rule: adds `delta` cycles to `cur` when `applies`. */
export interface PipelineRule {
  readonly id: string;
  readonly delta: number;
  readonly source: string;
  readonly applies: (c: RuleContext) => boolean;
}

const SINGLE_ACCESS: ReadonlySet<InsnClass> = new Set(['load', 'store']);
const DATA_PROCESSING: ReadonlySet<InsnClass> = new Set(['alu', 'mul', 'dsp-mul']);

/** True for instructions that access memory with an address register. */
export function accessesMemory(i: ThumbInsn): boolean {
  return i.regCount > 0;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}

/**
 * Neighbour rules, applied in order to every instruction of a block.
 * Each states its source.
 */
export const PIPELINE_RULES: readonly PipelineRule[] = [
  {
    id: 'load-pipelining',
    delta: -1,
    source:
      'TRM 3.3.2: LDR followed by LDR/STR whose address does not depend on it costs one less; ' +
      'measured F407: a 32-bit instruction at a non-word-aligned address does not pipeline',
    applies: ({ prev, cur, address }) =>
      prev !== null &&
      prev.cls === 'load' &&
      (prev.writes & PC_BIT) === 0 &&
      SINGLE_ACCESS.has(cur.cls) &&
      (cur.addrRegs & prev.writes) === 0 &&
      !(cur.size === 4 && (address & 3) === 2),
  },
  {
    id: 'store-buffer',
    delta: -1,
    source:
      'TRM 3.3.2: STR Rx,[Ry,#imm] is effectively one cycle (write buffer); measured F407: a store followed ' +
      'by a load or store costs one more, a register-offset store takes 2',
    applies: ({ cur, next, prevPipelined }) =>
      cur.cls === 'store' &&
      !prevPipelined &&
      popcount(cur.addrRegs) <= 1 &&
      (next === null || !accessesMemory(next)),
  },
  {
    id: 'address-dependency',
    delta: 1,
    source: 'TRM 3.3.2: a load/store whose address register was written by the preceding data-processing instruction stalls one cycle',
    applies: ({ prev, cur }) =>
      prev !== null && DATA_PROCESSING.has(prev.cls) && accessesMemory(cur) && (prev.writes & cur.addrRegs) !== 0,
  },
  {
    id: 'it-folding',
    delta: -1,
    source: 'TRM table 3-1: IT takes 0 cycles when folded after a 16-bit instruction',
    applies: ({ prev, cur }) => cur.cls === 'it' && prev !== null && prev.size === 2,
  },
];

/*
 * SDIV/UDIV: the operand-dependent part (TRM: 2 to 12 cycles, early
 * termination) is charged at run time by the native hook, divide_extra() in
 * native/cycles.c: one cycle per started 3.2 bits of the quotient's
 * magnitude, ceil(bits(|n| / |d|) * 10 / 32), so 0..10 extra; 0 for d = 0.
 */

/** Base cost of an instruction (class cost, registers, VLDR.64), before neighbour rules and P. */
export function baseCost(i: ThumbInsn): number {
  const c = CLASS_COST[i.cls];
  if (c.perRegister === 0) return c.cycles;
  const words = i.cls === 'fpu-load' || i.cls === 'fpu-store' ? i.memBytes / 4 : i.regCount;
  return c.cycles + c.perRegister * words;
}

/** Whether a taken-branch refill applies to this instruction, and when. */
export function branchKind(i: ThumbInsn): 'never' | 'always' | 'conditional' {
  const b = CLASS_COST[i.cls].branches;
  if (b === 'if-writes-pc') return (i.writes & PC_BIT) !== 0 ? 'always' : 'never';
  return b;
}
