/**
 * The per-layer choice of unpacked structure: every `asm` structure that
 * applies is planned (asm-emit.ts), and the one with the fewest estimated
 * cycles whose code and weight tables fit the code budget wins; when none
 * fits, the smallest. Without a target the estimate is the schedule's
 * zero-wait count; with one (a board and where the layer's code runs) each
 * straight-line call costs the longer of its zero-wait cycles and the fetch
 * stream of its code from there: flash lines at (wait states + 1) cycles each
 * through the prefetch, System-bus words at the memory rules' cost, nothing
 * more from the zero-wait SRAM window. Pure.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { MEMORY_RULES } from '../../emulator/timing/memory-rules.js';
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask } from '../../model/ir.js';
import type { CodeHome } from '../placement/placement.js';
import { type AsmPlan, asmApplies, asmLayerCycles, planAsmLayer } from './asm-emit.js';
import type { GroupAsm } from './asm-schedule.js';
import { ASM_STRUCTURES, type UnpackedStructure } from './structure.js';

/** Default code budget of one unpacked layer (code + weight tables + requantization), bytes. */
export const DEFAULT_CODE_BUDGET = 640 * 1024;

/** A chosen structure with its plan. */
export interface AsmChoice {
  readonly structure: UnpackedStructure;
  readonly plan: AsmPlan;
}

/** Where a layer's code will run: the board and the code's home (placement.ts). */
export interface CodeTarget {
  readonly board: BoardProfile;
  readonly code: CodeHome;
}

/**
 * Estimated cycles of one call of a straight-line group function at `target`: its zero-wait
 * cycles, or the fetch stream of its code when that is longer (flash: one line per
 * wait states + 1 cycles, and its weight table's lines at the wait states each; SRAM over the System bus: 2 cycles per word, + 1 for the first fetch,
 * + 1 per data word it loads; the SRAM window, to stay or as an overlay: zero wait states).
 */
export function callCyclesAt(c: GroupAsm, target: CodeTarget | undefined): number {
  if (target === undefined || target.code === 'alias' || target.code === 'overlay') return c.cycles;
  if (target.code === 'sram') {
    const words = Math.ceil(c.codeBytes / 4);
    const fetch =
      words * MEMORY_RULES.systemBusFetchWord.cycles +
      MEMORY_RULES.systemBusFetchLatency.cycles +
      c.loads * MEMORY_RULES.systemBusDataContention.cycles;
    return Math.max(c.cycles, fetch);
  }
  const ws = target.board.flashWaitStates;
  if (ws === 0) return c.cycles;
  const line = target.board.flashLineBytes;
  // the weight table is read from flash too (constants stay there unless placed): a missed line per table line
  return Math.max(c.cycles, Math.ceil(c.codeBytes / line) * (ws + 1)) + Math.ceil(c.dataBytes / line) * ws;
}

/** Estimated cycles of a planned layer at `target` (the zero-wait estimate without one). */
export function planCyclesAt(op: PreparedWeighted, plan: AsmPlan, target: CodeTarget | undefined): number {
  return target === undefined ? plan.cycles : asmLayerCycles(op, plan, (c) => callCyclesAt(c, target));
}

/**
 * Every applicable asm structure with its plan, in {@link ASM_STRUCTURES} order: estimates only
 * (cycles, bytes, schedules' costs; no assembly text, which only the chosen structure needs).
 */
export function asmCandidates(op: PreparedWeighted, fn: string, mask: SkipMask | undefined): AsmChoice[] {
  return ASM_STRUCTURES.filter((s) => asmApplies(op, s)).map((structure) => ({ structure, plan: planAsmLayer(op, fn, mask, structure, false) }));
}

/** The fastest asm structure at `target` within `budget` bytes (the smallest if none fits), planned with its text. */
export function chooseAsmStructure(
  op: PreparedWeighted,
  fn: string,
  mask: SkipMask | undefined,
  budget = DEFAULT_CODE_BUDGET,
  target?: CodeTarget,
): AsmChoice {
  const all = asmCandidates(op, fn, mask);
  const fitting = all.filter((c) => c.plan.bytes <= budget);
  const pool = fitting.length > 0 ? fitting : all;
  const cost = new Map(pool.map((c) => [c, fitting.length > 0 ? planCyclesAt(op, c.plan, target) : c.plan.bytes]));
  const best = pool.reduce((b, c) => (cost.get(c)! < cost.get(b)! ? c : b));
  return { structure: best.structure, plan: planAsmLayer(op, fn, mask, best.structure) };
}
