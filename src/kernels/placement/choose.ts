/**
 * The automatic placement: a multiple-choice knapsack. Each unit (a layer,
 * the kernel library) has options (code and constants homes), each with the
 * SRAM and SRAM-window bytes it takes and the cycles it saves against
 * everything in flash; at most one option per unit; the chosen options must
 * fit both budgets; the total saving is maximal. Exact dynamic programming
 * over both budgets in granules of {@link granuleFor} bytes (every size
 * rounded up, every budget down, so the result always fits). Overlays take no
 * share of the window: they take turns in a region after it, so an overlay
 * option is open when its code fits that region (`budget.overlay`, chosen by
 * the caller, see auto.ts). Pure.
 */
import type { Placement, UnitPlacement } from './placement.js';

/** One way to place a unit. */
export interface UnitOption {
  readonly homes: UnitPlacement;
  /** SRAM bytes it takes (placed code with its veneers, placed constants). */
  readonly sramBytes: number;
  /** SRAM-window bytes it takes (code that stays there). */
  readonly aliasBytes: number;
  /** As an overlay: the bytes of the overlay region it needs (32-byte multiple); 0 otherwise. */
  readonly overlayBytes: number;
  /** Cycles saved per inference against the unit in flash. */
  readonly saving: number;
}

/** A unit and its options (flash, saving 0, is implicit). */
export interface UnitChoices {
  readonly unit: string;
  readonly options: readonly UnitOption[];
}

/** The budgets the placed units share. */
export interface PlacementBudget {
  readonly sram: number;
  /** Window bytes for code that stays there (the overlay region, if any, already taken off). */
  readonly alias: number;
  /** Bytes of the overlay region (0 or absent: no overlays). */
  readonly overlay?: number;
}

/** Fewest bytes per knapsack cell. */
export const MIN_GRANULE = 16;

/** Most knapsack cells (SRAM granules x window granules) a choice may use. */
export const MAX_CELLS = 1 << 20;

/**
 * Bytes per knapsack cell for `budget`: the smallest power of two, at least
 * {@link MIN_GRANULE}, that keeps the table within {@link MAX_CELLS} (16 B on
 * a 128 KB board, 256 B with 640 KB and a 64 KB window), so rounding wastes
 * little where SRAM is tight.
 */
export function granuleFor(budget: PlacementBudget): number {
  let g = MIN_GRANULE;
  while ((Math.floor(Math.max(0, budget.sram) / g) + 1) * (Math.floor(Math.max(0, budget.alias) / g) + 1) > MAX_CELLS) g *= 2;
  return g;
}

/** The chosen placement and the cycles it saves (by the options' figures). */
export interface ChosenPlacement {
  readonly placement: Placement;
  readonly saving: number;
}

/** The options of `units` that together fit `budget` and save the most cycles. */
export function choosePlacement(units: readonly UnitChoices[], budget: PlacementBudget): ChosenPlacement {
  const granule = granuleFor(budget);
  const S = Math.max(0, Math.floor(budget.sram / granule)) + 1;
  const A = Math.max(0, Math.floor(budget.alias / granule)) + 1;
  const cells = S * A;
  let best = new Float64Array(cells); // best saving using at most (s, a) granules, units so far
  const picks: Uint8Array[] = []; // per unit: option index + 1 chosen at each cell, 0 = flash
  for (const u of units) {
    const next = best.slice();
    const pick = new Uint8Array(cells);
    u.options.forEach((o, k) => {
      if (o.saving <= 0 || o.overlayBytes > (budget.overlay ?? 0)) return;
      const ds = Math.ceil(o.sramBytes / granule);
      const da = Math.ceil(o.aliasBytes / granule);
      if (ds >= S || da >= A) return;
      for (let a = da; a < A; a++) {
        for (let s = ds; s < S; s++) {
          const v = best[(a - da) * S + (s - ds)] + o.saving;
          if (v > next[a * S + s]) {
            next[a * S + s] = v;
            pick[a * S + s] = k + 1;
          }
        }
      }
    });
    picks.push(pick);
    best = next;
  }
  // walk back from the full budget
  const placement = new Map<string, UnitPlacement>();
  let s = S - 1;
  let a = A - 1;
  const saving = best[a * S + s];
  for (let i = units.length - 1; i >= 0; i--) {
    const k = picks[i][a * S + s];
    if (k === 0) continue;
    const o = units[i].options[k - 1];
    placement.set(units[i].unit, o.homes);
    s -= Math.ceil(o.sramBytes / granule);
    a -= Math.ceil(o.aliasBytes / granule);
  }
  return { placement, saving };
}
