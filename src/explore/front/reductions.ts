/**
 * Latency reduction at a top-1 loss budget: the fastest point whose top-1 on
 * the full test set is at most `loss` percentage points below the exact
 * model's, relative to the exact unpacked kernels and to the exact baseline.
 */
import type { Cost } from '../evaluate/latency-types.js';

/** A point with its full-test-set top-1. */
export interface ScoredPoint {
  /** Row id, or null for the exact unpacked point itself. */
  readonly id: number | null;
  readonly top1: number;
  readonly cycles: number;
  readonly flashBytes: number;
}

/** The answer for one loss budget. */
export interface Reduction {
  /** Allowed top-1 loss in percentage points (0, 1, 2, 5). */
  readonly maxLoss: number;
  /** The chosen point (the exact unpacked point when nothing faster qualifies). */
  readonly point: ScoredPoint;
  /** Its top-1 loss in percentage points (negative: it is more accurate than the exact model). */
  readonly loss: number;
  /** 1 - cycles / exact unpacked cycles. */
  readonly vsUnpacked: number;
  /** 1 - cycles / exact baseline cycles. */
  readonly vsBaseline: number;
}

/** The loss budgets every report states. */
export const LOSS_BUDGETS: readonly number[] = [0, 1, 2, 5];

/** Top-1 loss in percentage points, rounded to 1e-9 to keep 0.715 - 0.705 from reading 1.0000000000000009. */
export function lossPoints(exactTop1: number, top1: number): number {
  return Math.round((exactTop1 - top1) * 100 * 1e9) / 1e9;
}

/**
 * For each loss budget, the fastest of `points` (full-test-set top-1) within
 * it; the exact unpacked point (top-1 `exactTop1`) always qualifies.
 */
export function reductionsAt(
  points: readonly ScoredPoint[],
  exactTop1: number,
  reference: { readonly baseline: Cost; readonly unpackedExact: Cost },
  budgets: readonly number[] = LOSS_BUDGETS,
): Reduction[] {
  const exact: ScoredPoint = { id: null, top1: exactTop1, ...reference.unpackedExact };
  return budgets.map((maxLoss) => {
    let best = exact;
    for (const p of points) {
      if (lossPoints(exactTop1, p.top1) > maxLoss) continue;
      if (p.cycles < best.cycles || (p.cycles === best.cycles && p.flashBytes < best.flashBytes)) best = p;
    }
    return {
      maxLoss,
      point: best,
      loss: lossPoints(exactTop1, best.top1),
      vsUnpacked: 1 - best.cycles / reference.unpackedExact.cycles,
      vsBaseline: 1 - best.cycles / reference.baseline.cycles,
    };
  });
}
