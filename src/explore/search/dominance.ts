/**
 * Constrained Pareto dominance (Deb's rules) and fast non-dominated sorting,
 * shared by NSGA-II and by the Pareto front of a finished run.
 */
import type { Evaluation } from './strategy-types.js';

/**
 * True when `a` dominates `b`: a feasible point dominates an infeasible one;
 * of two infeasible points the smaller violation dominates; of two feasible
 * points, `a` is no worse in every objective and better in at least one.
 */
export function dominates(a: Evaluation, b: Evaluation): boolean {
  if (a.violation === 0 && b.violation > 0) return true;
  if (a.violation > 0 || b.violation > 0) return a.violation > 0 && b.violation > 0 && a.violation < b.violation;
  let better = false;
  for (let i = 0; i < a.objectives.length; i++) {
    if (a.objectives[i] > b.objectives[i]) return false;
    if (a.objectives[i] < b.objectives[i]) better = true;
  }
  return better;
}

/**
 * Splits points into fronts: front 0 holds the points nobody dominates,
 * front 1 those dominated only by front 0, and so on. Indices within a
 * front are in increasing order.
 */
export function nondominatedSort(points: readonly Evaluation[]): number[][] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = points.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i], points[j])) {
        dominating[i].push(j);
        dominatedBy[j]++;
      } else if (dominates(points[j], points[i])) {
        dominating[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * Crowding distance of each member of one front (indices into `points`):
 * the sum over objectives of the normalised gap between its neighbours;
 * the extremes of every objective get Infinity.
 */
export function crowdingDistance(points: readonly Evaluation[], front: readonly number[]): Map<number, number> {
  const dist = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return dist;
  const m = points[front[0]].objectives.length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => points[a].objectives[k] - points[b].objectives[k] || a - b);
    const lo = points[sorted[0]].objectives[k];
    const hi = points[sorted[sorted.length - 1]].objectives[k];
    dist.set(sorted[0], Infinity);
    dist.set(sorted[sorted.length - 1], Infinity);
    if (hi === lo) continue;
    for (let r = 1; r < sorted.length - 1; r++) {
      const gap = (points[sorted[r + 1]].objectives[k] - points[sorted[r - 1]].objectives[k]) / (hi - lo);
      dist.set(sorted[r], dist.get(sorted[r])! + gap);
    }
  }
  return dist;
}
