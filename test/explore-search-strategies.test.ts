import { describe, expect, it } from 'vitest';
import { crowdingDistance, dominates, nondominatedSort } from '../src/explore/search/dominance.js';
import { enumerateGrid, gridSearch } from '../src/explore/search/grid.js';
import { nsga2Search } from '../src/explore/search/nsga2.js';
import { createPrng } from '../src/explore/search/prng.js';
import { genomeKey, type Evaluation, type Genome, type SearchStrategy } from '../src/explore/search/strategy-types.js';

/** Toy problem on levels [6,6,6]: cost x0+x1+x2 against benefit weights 1, 2, 3 (both minimised). */
const toy = (g: Genome): Evaluation => ({ objectives: [g[0] + g[1] + g[2], (5 - g[0]) + 2 * (5 - g[1]) + 3 * (5 - g[2])], violation: 0 });

/** Its true front: fill x2, then x1, then x0. */
const TRUE_FRONT = new Set([
  ...[0, 1, 2, 3, 4, 5].map((k) => `0,0,${k}`),
  ...[1, 2, 3, 4, 5].map((k) => `0,${k},5`),
  ...[1, 2, 3, 4, 5].map((k) => `${k},5,5`),
]);

/** Runs a strategy to the end; returns every genome in the order asked. */
function drive(s: SearchStrategy, evaluate: (g: Genome) => Evaluation): Genome[] {
  const all: Genome[] = [];
  for (let b = s.ask(); b !== null; b = s.ask()) {
    all.push(...b);
    s.tell(b.map(evaluate));
  }
  return all;
}

describe('seeded generator', () => {
  it('is a pure function of the seed, and uniform enough', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(createPrng(8).next()).not.toBe(xs[0]);
    expect(createPrng(1).next()).toBe(0.0037804641760885715);
    const r = createPrng(42);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});

describe('grid', () => {
  it('enumerates in lexicographic order, last dimension fastest, in batches', () => {
    expect([...enumerateGrid({ levels: [2, 3] })].map(genomeKey)).toEqual(['0,0', '0,1', '0,2', '1,0', '1,1', '1,2']);
    const batches: number[] = [];
    const s = gridSearch({ levels: [3, 3, 3] }, 10);
    for (let b = s.ask(); b !== null; b = s.ask()) batches.push(b.length);
    expect(batches).toEqual([10, 10, 7]);
  });
});

describe('dominance and sorting', () => {
  const e = (a: number, b: number, violation = 0): Evaluation => ({ objectives: [a, b], violation });
  it("follows Deb's constrained dominance", () => {
    expect(dominates(e(1, 1), e(1, 2))).toBe(true);
    expect(dominates(e(1, 2), e(1, 2))).toBe(false);
    expect(dominates(e(1, 3), e(2, 1))).toBe(false);
    expect(dominates(e(9, 9), e(0, 0, 5))).toBe(true); // feasible beats infeasible
    expect(dominates(e(9, 9, 2), e(0, 0, 5))).toBe(true); // smaller violation wins
  });

  it('sorts into fronts and computes crowding distances', () => {
    const pts = [e(1, 5), e(2, 3), e(4, 1), e(3, 4), e(5, 5), e(2, 3)];
    expect(nondominatedSort(pts)).toEqual([[0, 1, 2, 5], [3], [4]]);
    const d = crowdingDistance(pts, [0, 1, 2]);
    expect([d.get(0), d.get(2)]).toEqual([Infinity, Infinity]);
    expect(d.get(1)).toBeCloseTo((4 - 1) / 3 + (5 - 1) / 4, 12);
  });

  it('finds the 16 points of the toy front by exhaustive sorting', () => {
    const all = [...enumerateGrid({ levels: [6, 6, 6] })];
    const front = nondominatedSort(all.map(toy))[0].map((i) => genomeKey(all[i]));
    expect(new Set(front)).toEqual(TRUE_FRONT);
  });
});

describe('NSGA-II', () => {
  const run = (seed: number) =>
    drive(nsga2Search({ levels: [6, 6, 6] }, { populationSize: 16, budget: 120, seed, initial: [[0, 0, 0], [5, 5, 5]] }), toy);

  it('is deterministic under its seed, never repeats a genome and keeps to the budget', () => {
    const a = run(3);
    expect(run(3)).toEqual(a);
    expect(run(4)).not.toEqual(a);
    expect(a.length).toBe(120);
    expect(new Set(a.map(genomeKey)).size).toBe(120);
    expect(a.slice(0, 2).map(genomeKey)).toEqual(['0,0,0', '5,5,5']);
    expect(a.every((g) => g.every((v) => v >= 0 && v < 6))).toBe(true);
  });

  it('finds the whole true front of the toy problem with 120 of 216 evaluations', () => {
    const a = run(3);
    const found = nondominatedSort(a.map(toy))[0].map((i) => genomeKey(a[i]));
    const hits = found.filter((k) => TRUE_FRONT.has(k)).length;
    expect(hits).toBe(found.length); // whatever it reports as front is truly optimal here
    expect(hits).toBe(16);
  });

  it('stops when the space is exhausted', () => {
    const all = drive(nsga2Search({ levels: [2, 3] }, { populationSize: 4, budget: 100, seed: 1 }), (g) => ({ objectives: [g[0] + g[1], 3 - g[0] - 2 * g[1]], violation: 0 }));
    expect(new Set(all.map(genomeKey)).size).toBe(6);
    expect(all.length).toBe(6);
  });
});
