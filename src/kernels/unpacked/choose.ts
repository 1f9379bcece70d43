/**
 * The per-layer choice of unpacked structure: every `asm` structure that
 * applies is planned (asm-emit.ts), and the one with the fewest cycles on the
 * schedule's zero-wait estimate whose code and weight tables fit the code
 * budget wins; when none fits, the smallest. Pure.
 */
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask } from '../../model/ir.js';
import { type AsmPlan, asmApplies, planAsmLayer } from './asm-emit.js';
import { ASM_STRUCTURES, type UnpackedStructure } from './structure.js';

/** Default code budget of one unpacked layer (code + weight tables + requantization), bytes. */
export const DEFAULT_CODE_BUDGET = 640 * 1024;

/** A chosen structure with its plan. */
export interface AsmChoice {
  readonly structure: UnpackedStructure;
  readonly plan: AsmPlan;
}

/** Every applicable asm structure with its plan (estimates), in {@link ASM_STRUCTURES} order. */
export function asmCandidates(op: PreparedWeighted, fn: string, mask: SkipMask | undefined): AsmChoice[] {
  return ASM_STRUCTURES.filter((s) => asmApplies(op, s)).map((structure) => ({ structure, plan: planAsmLayer(op, fn, mask, structure) }));
}

/** The fastest asm structure within `budget` bytes (the smallest if none fits). */
export function chooseAsmStructure(op: PreparedWeighted, fn: string, mask: SkipMask | undefined, budget = DEFAULT_CODE_BUDGET): AsmChoice {
  const all = asmCandidates(op, fn, mask);
  const fitting = all.filter((c) => c.plan.bytes <= budget);
  const pool = fitting.length > 0 ? fitting : all;
  const key = (c: AsmChoice): number => (fitting.length > 0 ? c.plan.cycles : c.plan.bytes);
  return pool.reduce((best, c) => (key(c) < key(best) ? c : best));
}
