/**
 * NSGA-II (Deb et al., 2002) over a discrete space, as an ask-and-tell
 * strategy: a population of `populationSize`, binary tournaments on (rank,
 * crowding distance), uniform crossover, per-gene mutation (a step of one
 * level or a random level), and elitist (mu + lambda) survival by
 * non-dominated sorting and crowding. Constraints follow Deb's rules (see
 * dominance.ts). Offspring already proposed are re-mutated, so no genome is
 * evaluated twice; the search stops after `budget` genomes or when it cannot
 * find new ones.
 *
 * The first generation holds the seed genomes given by the caller (e.g. the
 * exact configuration and uniform levels), then random ones. Genomes the
 * caller evaluated before the search (`evaluated`, e.g. a sensitivity pass,
 * ./sensitivity.ts) are never proposed and compete for survival with the
 * first generation.
 */
import { crowdingDistance, nondominatedSort } from './dominance.js';
import { createPrng, type Prng } from './prng.js';
import { genomeKey, type DiscreteSpace, type Evaluation, type Genome, type SearchStrategy } from './strategy-types.js';

/** Parameters of {@link nsga2Search}. */
export interface Nsga2Options {
  readonly populationSize: number;
  /** Total genomes to evaluate. */
  readonly budget: number;
  readonly seed: number;
  /** Genomes placed first in the initial population (duplicates and out-of-range ones are dropped). */
  readonly initial?: readonly Genome[];
  /** Probability of crossover for a pair of parents (default 0.9). */
  readonly crossoverRate?: number;
  /** Genomes evaluated before the search: not proposed again, and members of the first survival. */
  readonly evaluated?: readonly Member[];
}

/** A genome with its evaluation. */
export interface Member {
  readonly genome: Genome;
  readonly evaluation: Evaluation;
}

/** Tries to find a new genome this many times per offspring before giving up. */
const NOVELTY_TRIES = 50;

function randomGenome(space: DiscreteSpace, rng: Prng): number[] {
  return space.levels.map((l) => rng.int(l));
}

function mutate(g: number[], space: DiscreteSpace, rng: Prng, rate: number): void {
  let changed = false;
  for (let d = 0; d < g.length; d++) {
    if (space.levels[d] < 2 || rng.next() >= rate) continue;
    const before = g[d];
    if (rng.next() < 0.5) g[d] = Math.min(space.levels[d] - 1, Math.max(0, g[d] + (rng.next() < 0.5 ? -1 : 1)));
    else g[d] = rng.int(space.levels[d]);
    changed ||= g[d] !== before;
  }
  if (!changed) {
    const free = space.levels.map((l, d) => (l > 1 ? d : -1)).filter((d) => d >= 0);
    if (free.length === 0) return;
    const d = free[rng.int(free.length)];
    g[d] = (g[d] + 1 + rng.int(space.levels[d] - 1)) % space.levels[d];
  }
}

/** Ranks and crowding distances of a set of members. */
function rankAndCrowd(members: readonly Member[]): { rank: number[]; crowd: number[]; fronts: number[][] } {
  const evals = members.map((m) => m.evaluation);
  const fronts = nondominatedSort(evals);
  const rank = new Array<number>(members.length);
  const crowd = new Array<number>(members.length);
  fronts.forEach((f, r) => {
    const c = crowdingDistance(evals, f);
    for (const i of f) {
      rank[i] = r;
      crowd[i] = c.get(i)!;
    }
  });
  return { rank, crowd, fronts };
}

/** Elitist survival: whole fronts while they fit, then the most crowded-apart of the next front. */
export function selectSurvivors(members: readonly Member[], size: number): Member[] {
  const { crowd, fronts } = rankAndCrowd(members);
  const out: Member[] = [];
  for (const f of fronts) {
    if (out.length + f.length <= size) {
      out.push(...f.map((i) => members[i]));
      continue;
    }
    const rest = [...f].sort((a, b) => crowd[b] - crowd[a] || a - b);
    out.push(...rest.slice(0, size - out.length).map((i) => members[i]));
    break;
  }
  return out;
}

/** Creates the NSGA-II strategy. */
export function nsga2Search(space: DiscreteSpace, options: Nsga2Options): SearchStrategy {
  const rng = createPrng(options.seed);
  const size = options.populationSize;
  const crossoverRate = options.crossoverRate ?? 0.9;
  const mutationRate = 1 / Math.max(1, space.levels.length);
  const seen = new Set<string>((options.evaluated ?? []).map((m) => genomeKey(m.genome)));
  let proposed = 0;
  let started = false;
  let population: Member[] = [...(options.evaluated ?? [])];
  let pending: Genome[] = [];
  let finished = false;

  const inSpace = (g: Genome): boolean => g.length === space.levels.length && g.every((v, d) => Number.isInteger(v) && v >= 0 && v < space.levels[d]);
  const take = (g: Genome, batch: Genome[]): boolean => {
    const k = genomeKey(g);
    if (seen.has(k)) return false;
    seen.add(k);
    batch.push(g);
    return true;
  };

  const initialBatch = (limit: number): Genome[] => {
    const batch: Genome[] = [];
    for (const g of options.initial ?? []) if (batch.length < limit && inSpace(g)) take([...g], batch);
    let tries = 0;
    while (batch.length < limit && tries++ < NOVELTY_TRIES * limit) take(randomGenome(space, rng), batch);
    return batch;
  };

  const offspringBatch = (limit: number): Genome[] => {
    const { rank, crowd } = rankAndCrowd(population);
    const tournament = (): Genome => {
      const a = rng.int(population.length);
      const b = rng.int(population.length);
      const better = rank[a] !== rank[b] ? (rank[a] < rank[b] ? a : b) : crowd[a] !== crowd[b] ? (crowd[a] > crowd[b] ? a : b) : Math.min(a, b);
      return population[better].genome;
    };
    const batch: Genome[] = [];
    let failures = 0;
    while (batch.length < limit && failures < NOVELTY_TRIES * limit) {
      const p1 = tournament();
      const p2 = tournament();
      const child = p1.slice();
      if (rng.next() < crossoverRate) for (let d = 0; d < child.length; d++) if (rng.next() < 0.5) child[d] = p2[d];
      mutate(child, space, rng, mutationRate);
      let tries = 0;
      while (seen.has(genomeKey(child)) && tries++ < NOVELTY_TRIES) mutate(child, space, rng, mutationRate);
      if (!take(child, batch)) failures++;
    }
    return batch;
  };

  return {
    name: 'nsga2',
    ask(): Genome[] | null {
      if (finished) return null;
      const limit = Math.min(size, options.budget - proposed);
      pending = limit <= 0 ? [] : started ? offspringBatch(limit) : initialBatch(limit);
      started = true;
      if (pending.length === 0) {
        finished = true;
        return null;
      }
      proposed += pending.length;
      return pending;
    },
    tell(evaluations: readonly Evaluation[]): void {
      if (evaluations.length !== pending.length) throw new Error(`nsga2: told ${evaluations.length} results for ${pending.length} genomes`);
      const merged = [...population, ...pending.map((genome, i) => ({ genome, evaluation: evaluations[i] }))];
      population = selectSurvivors(merged, size);
      pending = [];
    },
  };
}
