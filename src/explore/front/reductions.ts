/**
 * Latency reduction at a top-1 loss budget: the fastest point whose top-1 on
 * the full test set is at most `loss` percentage points below the exact
 * model's, relative to the exact unpacked kernels and to the exact baseline.
 */
import { isBuilt, type Cost, type ReferenceCost } from '../evaluate/latency-types.js';

/** A point with its full-test-set top-1. */
export interface ScoredPoint {
  /** Row id, or which exact reference it is. */
  readonly id: number | 'exact unpacked' | 'exact baseline' | 'exact, chosen kernels';
  readonly top1: number;
  readonly cycles: number;
  readonly flashBytes: number;
}

/** The answer for one loss budget. */
export interface Reduction {
  /** Allowed top-1 loss in percentage points (0, 1, 2, 5). */
  readonly maxLoss: number;
  /** The chosen point (the fallback reference when no point qualifies or is faster). */
  readonly point: ScoredPoint;
  /** Its top-1 loss in percentage points (negative: it is more accurate than the exact model). */
  readonly loss: number;
  /** 1 - cycles / exact unpacked cycles (null when the exact unpacked network was not built: it cannot fit). */
  readonly vsUnpacked: number | null;
  /** 1 - cycles / exact baseline cycles. */
  readonly vsBaseline: number;
  /** 1 - cycles / cycles of the exact model with the per-layer style and placement choice (the part skipping adds; null when not stored). */
  readonly vsExactChosen: number | null;
}

/** The exact references a reduction is measured against. */
type References = { readonly baseline: Cost; readonly unpackedExact: ReferenceCost; readonly exactChosen?: Cost & { readonly fits: boolean } };

/** The loss budgets every report states. */
export const LOSS_BUDGETS: readonly number[] = [0, 1, 2, 5];

/** Top-1 loss in percentage points, rounded to 1e-9 to keep 0.715 - 0.705 from reading 1.0000000000000009. */
export function lossPoints(exactTop1: number, top1: number): number {
  return Math.round((exactTop1 - top1) * 100 * 1e9) / 1e9;
}

/**
 * The reference a user falls back to when no approximate point qualifies:
 * the faster of the exact baseline and the exact unpacked kernels among
 * those that fit `flashLimit` and the board's SRAM (the exact unpacked point
 * when neither fits, the exact baseline when the unpacked one was not built).
 */
export function fallbackReference(reference: References, exactTop1: number, flashLimit: number): ScoredPoint {
  const u = reference.unpackedExact;
  const unpacked: ScoredPoint[] = isBuilt(u) ? [{ id: 'exact unpacked', top1: exactTop1, cycles: u.cycles, flashBytes: u.flashBytes }] : [];
  const baseline: ScoredPoint = { id: 'exact baseline', top1: exactTop1, ...reference.baseline };
  const c = reference.exactChosen;
  const chosen: ScoredPoint[] = c?.fits ? [{ id: 'exact, chosen kernels', top1: exactTop1, cycles: c.cycles, flashBytes: c.flashBytes }] : [];
  // a reference whose inference exceeds the board's SRAM (timed with room: sramFits false) fits no board of this size
  const candidates = [
    ...(isBuilt(u) && u.sramFits === false ? [] : unpacked),
    ...(reference.baseline.sramFits === false ? [] : [baseline]),
    ...chosen,
  ];
  const fitting = candidates.filter((p) => p.flashBytes <= flashLimit).sort((a, b) => a.cycles - b.cycles);
  return fitting[0] ?? unpacked[0] ?? baseline;
}

/**
 * For each loss budget, the fastest of `points` (full-test-set top-1, all
 * feasible) within it, or `fallback` when none is faster.
 */
export function reductionsAt(
  points: readonly ScoredPoint[],
  exactTop1: number,
  reference: References,
  fallback: ScoredPoint,
  budgets: readonly number[] = LOSS_BUDGETS,
): Reduction[] {
  return budgets.map((maxLoss) => {
    let best = fallback;
    for (const p of points) {
      if (lossPoints(exactTop1, p.top1) > maxLoss) continue;
      if (p.cycles < best.cycles || (p.cycles === best.cycles && p.flashBytes < best.flashBytes)) best = p;
    }
    return {
      maxLoss,
      point: best,
      loss: lossPoints(exactTop1, best.top1),
      vsUnpacked: isBuilt(reference.unpackedExact) ? 1 - best.cycles / reference.unpackedExact.cycles : null,
      vsBaseline: 1 - best.cycles / reference.baseline.cycles,
      vsExactChosen: reference.exactChosen ? 1 - best.cycles / reference.exactChosen.cycles : null,
    };
  });
}
