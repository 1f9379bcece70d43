/**
 * The Pareto front of evaluated points: the feasible points that no other
 * feasible point beats in top-1 (higher is better) and cycles (lower is
 * better) at once. Of points with equal top-1 and cycles only the one with
 * the least flash (then the lowest row id) is kept.
 */
import { nondominatedSort } from '../search/dominance.js';
import type { PointRow } from '../store/rows.js';

/** What the front needs of a point. */
export type FrontCandidate = Pick<PointRow, 'id' | 'correct' | 'cycles' | 'flashBytes' | 'fits'>;

/** The front of `points`, sorted by cycles (ascending), i.e. from the most to the least approximate. */
export function paretoFront<T extends FrontCandidate>(points: readonly T[]): T[] {
  const feasible = points.filter((p) => p.fits);
  const best = new Map<string, T>();
  for (const p of feasible) {
    const key = `${p.correct}/${p.cycles}`;
    const q = best.get(key);
    if (q === undefined || p.flashBytes < q.flashBytes || (p.flashBytes === q.flashBytes && p.id < q.id)) best.set(key, p);
  }
  const unique = [...best.values()].sort((a, b) => a.id - b.id);
  const fronts = nondominatedSort(unique.map((p) => ({ objectives: [-p.correct, p.cycles], violation: 0 })));
  const front = (fronts[0] ?? []).map((i) => unique[i]);
  return front.sort((a, b) => a.cycles - b.cycles || b.correct - a.correct || a.id - b.id);
}
