/**
 * Exhaustive search: every genome of a small space, in lexicographic order
 * (the last dimension varies fastest), in batches.
 */
import type { DiscreteSpace, Evaluation, Genome, SearchStrategy } from './strategy-types.js';

/** Every genome of `space` in lexicographic order. */
export function* enumerateGrid(space: DiscreteSpace): Generator<Genome> {
  const d = space.levels.length;
  if (space.levels.some((l) => l < 1)) return;
  const g = new Array<number>(d).fill(0);
  for (;;) {
    yield g.slice();
    let k = d - 1;
    while (k >= 0 && g[k] === space.levels[k] - 1) g[k--] = 0;
    if (k < 0) return;
    g[k]++;
  }
}

/** A grid strategy handing out `batchSize` genomes at a time. */
export function gridSearch(space: DiscreteSpace, batchSize: number): SearchStrategy {
  const it = enumerateGrid(space);
  let done = false;
  return {
    name: 'grid',
    ask(): Genome[] | null {
      if (done) return null;
      const batch: Genome[] = [];
      while (batch.length < batchSize) {
        const r = it.next();
        if (r.done) {
          done = true;
          break;
        }
        batch.push(r.value);
      }
      return batch.length > 0 ? batch : null;
    },
    tell(_evaluations: readonly Evaluation[]): void {
      // a grid does not adapt
    },
  };
}
