/**
 * A per-layer sensitivity pass in front of a search (issue 12): first every
 * one-layer genome (each dimension alone at each of its levels, the others at
 * level 0, the exact genome first), then the inner search, seeded with
 * composites of what the pass measured. Each composite takes, per dimension,
 * a level whose loss measured alone stays within a budget, so the search
 * starts from points near the front at small losses, where a uniform or random
 * first generation rarely lands (most layers lose nothing up to some level and
 * then fall off, each at its own level).
 *
 * Evaluations follow the DSE's convention (search-phase.ts): objective 0 is
 * minus the correct predictions out of `images`, objective 1 the cost.
 * Everything here is a pure function of the evaluations, so a run replayed
 * against its store asks the same genomes.
 */
import type { Member } from './nsga2.js';
import { genomeKey, type DiscreteSpace, type Evaluation, type Genome, type SearchStrategy } from './strategy-types.js';

/** Loss budgets of the composite seeds, percentage points of top-1 on the search images. */
export const SENSITIVITY_BUDGETS: readonly number[] = [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10];

/** The exact genome, then every dimension alone at each of its levels above 0 (dimension-major). Pure. */
export function oneLayerGenomes(space: DiscreteSpace): Genome[] {
  const exact = space.levels.map(() => 0);
  const out: Genome[] = [exact];
  space.levels.forEach((n, d) => {
    for (let k = 1; k < n; k++) out.push(exact.map((_, e) => (e === d ? k : 0)));
  });
  return out;
}

/** What one dimension's levels cost and save alone, measured against the exact genome. */
export interface LevelEffect {
  /** Correct predictions lost at this level or any lower one (the running maximum; never negative). */
  readonly loss: number;
  /** Cost saved against the exact genome (objective 1; negative when dearer). */
  readonly saving: number;
  /** Whether the level alone is no less feasible than the exact genome. */
  readonly usable: boolean;
}

/**
 * Per dimension and level, the effect measured by the pass (`evaluations[i]` of
 * `oneLayerGenomes(space)[i]`); level 0 is the exact genome (no loss, no saving). Pure.
 */
export function levelEffects(space: DiscreteSpace, evaluations: readonly Evaluation[]): LevelEffect[][] {
  const exact = evaluations[0];
  let i = 1;
  return space.levels.map((n) => {
    const effects: LevelEffect[] = [{ loss: 0, saving: 0, usable: true }];
    let worst = 0;
    for (let k = 1; k < n; k++, i++) {
      const e = evaluations[i];
      worst = Math.max(worst, e.objectives[0] - exact.objectives[0]);
      effects.push({ loss: worst, saving: exact.objectives[1] - e.objectives[1], usable: e.violation <= exact.violation });
    }
    return effects;
  });
}

/** Per dimension, the level saving most among those losing at most `allowed` alone (ties: the lower level). */
function tolerated(effects: readonly LevelEffect[][], allowed: number): number[] {
  return effects.map((levels) => {
    let best = 0;
    levels.forEach((e, k) => {
      if (e.usable && e.loss <= allowed && e.saving > levels[best].saving) best = k;
    });
    return best;
  });
}

/**
 * Greedy under a total budget: repeatedly raise the dimension whose next
 * tolerated level saves most per correct prediction lost (the losses of the
 * dimensions summed, as if independent), while the sum stays within `allowed`.
 */
function greedy(effects: readonly LevelEffect[][], allowed: number): number[] {
  const level = effects.map(() => 0);
  let spent = 0;
  for (;;) {
    let pick = { d: -1, k: 0, rate: 0 };
    for (let d = 0; d < effects.length; d++) {
      const here = effects[d][level[d]];
      for (let k = level[d] + 1; k < effects[d].length; k++) {
        const e = effects[d][k];
        const gain = e.saving - here.saving;
        const cost = e.loss - here.loss;
        if (!e.usable || gain <= 0 || spent + cost > allowed) continue;
        const rate = gain / Math.max(cost, 0.5);
        if (pick.d < 0 || rate > pick.rate) pick = { d, k, rate };
      }
    }
    if (pick.d < 0) return level;
    const { d, k } = pick;
    spent += effects[d][k].loss - effects[d][level[d]].loss;
    level[d] = k;
  }
}

/**
 * Composite seeds from the pass: for each budget (percentage points of
 * `images`, those up to `maxLoss`), every dimension at its best level within
 * the budget alone, then the greedy split of the budget over the dimensions;
 * without repeats, never the exact genome. Pure.
 */
export function sensitivitySeeds(space: DiscreteSpace, evaluations: readonly Evaluation[], images: number, maxLoss: number): Genome[] {
  const effects = levelEffects(space, evaluations);
  const seen = new Set<string>([genomeKey(space.levels.map(() => 0))]);
  const seeds: Genome[] = [];
  for (const pp of SENSITIVITY_BUDGETS.filter((b) => b <= maxLoss)) {
    const allowed = (pp * images) / 100;
    for (const g of [tolerated(effects, allowed), greedy(effects, allowed)]) {
      const key = genomeKey(g);
      if (seen.has(key)) continue;
      seen.add(key);
      seeds.push(g);
    }
  }
  return seeds;
}

/** Parameters of {@link sensitivitySeeded}. */
export interface SensitivityOptions {
  /** Search images (objective 0 counts correct predictions out of these). */
  readonly images: number;
  /** Top-1 loss limit of the search, percentage points: no seed is built for a larger budget. */
  readonly maxLoss: number;
  /** Genomes the whole search may evaluate, the pass included. */
  readonly budget: number;
  /** Genomes per batch of the pass. */
  readonly batch: number;
}

/**
 * The pass, then the search `inner` makes from its seeds, the pass's members
 * (never asked again) and the budget left. When the budget cannot hold the
 * pass and one generation more, `inner` runs alone on the whole budget.
 */
export function sensitivitySeeded(
  space: DiscreteSpace,
  o: SensitivityOptions,
  inner: (seeds: readonly Genome[], evaluated: readonly Member[], budget: number) => SearchStrategy,
): SearchStrategy {
  const probe = oneLayerGenomes(space);
  if (probe.length + o.batch > o.budget) return inner([], [], o.budget);
  const told: Evaluation[] = [];
  let asked = 0;
  let search: SearchStrategy | null = null;
  return {
    name: 'nsga2',
    ask(): Genome[] | null {
      if (search !== null) return search.ask();
      if (asked < probe.length) {
        const batch = probe.slice(asked, asked + o.batch);
        asked += batch.length;
        return batch;
      }
      const members = probe.map((genome, i) => ({ genome, evaluation: told[i] }));
      search = inner(sensitivitySeeds(space, told, o.images, o.maxLoss), members, o.budget - probe.length);
      return search.ask();
    },
    tell(evaluations: readonly Evaluation[]): void {
      if (search !== null) search.tell(evaluations);
      else told.push(...evaluations);
    },
  };
}
