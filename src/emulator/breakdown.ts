import type { CycleBreakdown } from './call-types.js';
import { CLASS_ORDER } from './timing/block-cost.js';
import type { InsnClass } from './thumb/insn.js';

/** Classes the native breakdown table has room for (MAX_CLASSES in native/sim.h). */
export const NATIVE_CLASSES = 32;

/** Stall and refill counters of a run, as the native counters give them. */
export interface StallCounts {
  readonly fetchStalls: number;
  readonly dataStalls: number;
  readonly branchPenalty: number;
}

/**
 * The breakdown of a run from the native class totals (cycles and count per
 * class in {@link CLASS_ORDER} order, then the divides' extra cycles; see
 * sim_class_totals in native/cycles.c). Pure; classes that did not run are absent.
 */
export function breakdownFromTotals(totals: Float64Array, stalls: StallCounts): CycleBreakdown {
  const byClass: Partial<Record<InsnClass, number>> = {};
  const countByClass: Partial<Record<InsnClass, number>> = {};
  for (let i = 0; i < CLASS_ORDER.length; i++) {
    const cycles = totals[2 * i];
    const count = totals[2 * i + 1];
    if (count === 0 && cycles === 0) continue;
    byClass[CLASS_ORDER[i]] = cycles;
    countByClass[CLASS_ORDER[i]] = count;
  }
  return {
    byClass,
    countByClass,
    branchPenalty: stalls.branchPenalty,
    fetchStalls: stalls.fetchStalls,
    dataStalls: stalls.dataStalls,
    divideExtra: totals[2 * NATIVE_CLASSES],
  };
}
