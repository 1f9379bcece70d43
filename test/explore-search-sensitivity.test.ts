import { describe, expect, it } from 'vitest';
import { nsga2Search } from '../src/explore/search/nsga2.js';
import { levelEffects, oneLayerGenomes, sensitivitySeeded, sensitivitySeeds } from '../src/explore/search/sensitivity.js';
import { genomeKey, type Evaluation, type Genome, type SearchStrategy } from '../src/explore/search/strategy-types.js';

const e = (correct: number, cost: number, violation = 0): Evaluation => ({ objectives: [-correct, cost], violation });

/**
 * Three layers on 1,000 images, the exact model 900 correct at cost 1,000. Layer 0 loses nothing up to level 2
 * (saving 10 per level), 5 at level 3 and 20 at 4; layer 1 loses 2, 3, 3 and saves 100 per level; layer 2's first
 * level does not fit (violation) and its second loses 1 for 60.
 */
const SPACE = { levels: [5, 4, 3] };
const PASS: Evaluation[] = [
  e(900, 1000),
  e(900, 990),
  e(900, 980),
  e(895, 970),
  e(880, 960),
  e(898, 900),
  e(897, 800),
  e(897, 700),
  e(900, 950, 1),
  e(899, 940),
];

describe('per-layer sensitivity pass', () => {
  it('asks the exact genome, then each layer alone at each level', () => {
    expect(oneLayerGenomes({ levels: [3, 1, 2] })).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
      [0, 0, 1],
    ]);
    expect(oneLayerGenomes(SPACE)).toHaveLength(PASS.length);
  });

  it('measures each level against the exact genome, the loss as a running maximum', () => {
    const fx = levelEffects(SPACE, PASS);
    expect(fx.map((l) => l.map((x) => x.loss))).toEqual([
      [0, 0, 0, 5, 20],
      [0, 2, 3, 3],
      [0, 0, 1],
    ]);
    expect(fx.map((l) => l.map((x) => x.saving))).toEqual([
      [0, 10, 20, 30, 40],
      [0, 100, 200, 300],
      [0, 50, 60],
    ]);
    expect(fx[2].map((x) => x.usable)).toEqual([true, false, true]);
  });

  it('seeds, per loss budget, each layer at its best tolerated level and the greedy split of the budget', () => {
    // budget 0: layer 0 at level 2; 0.1 pp (1 image): layer 2 too; 0.2 pp: layer 1 at 1 (loses 2);
    // 0.3 pp: layer 1 at 3 alone (loses 3), and greedily layer 1 at 3 before layer 2 (300 per 3 images > 60 per 1);
    // 0.5 pp: layer 0 at 3 (loses 5); 2 pp: layer 0 at 4 (loses 20); larger budgets repeat these.
    expect(sensitivitySeeds(SPACE, PASS, 1000, 10)).toEqual([
      [2, 0, 0],
      [2, 0, 2],
      [2, 1, 2],
      [2, 3, 2],
      [2, 3, 0],
      [3, 3, 2],
      [4, 3, 2],
    ]);
    // a search that treats a 1 pp loss as infeasible builds no seed beyond 1 pp
    expect(sensitivitySeeds(SPACE, PASS, 1000, 1)).toHaveLength(6);
  });

  it('runs the pass in batches, then NSGA-II from its seeds, within the budget and without repeats', () => {
    const toy = (g: Genome): Evaluation => PASS[oneLayerGenomes(SPACE).findIndex((p) => genomeKey(p) === genomeKey(g))] ?? e(880 - g[0] - g[1], 1000 - 10 * g[0] - 100 * g[1] - 30 * g[2]);
    const seen: string[] = [];
    const batches: number[] = [];
    const strategy: SearchStrategy = sensitivitySeeded(SPACE, { images: 1000, maxLoss: 10, budget: 40, batch: 4 }, (seeds, evaluated, budget) => {
      expect(evaluated.map((m) => m.evaluation)).toEqual(PASS);
      expect(budget).toBe(30);
      return nsga2Search(SPACE, { populationSize: 8, budget, seed: 3, initial: seeds, evaluated });
    });
    for (let b = strategy.ask(); b !== null; b = strategy.ask()) {
      batches.push(b.length);
      seen.push(...b.map(genomeKey));
      strategy.tell(b.map(toy));
    }
    expect(batches.slice(0, 4)).toEqual([4, 4, 2, 8]);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(40);
    expect(seen.slice(0, 10)).toEqual(oneLayerGenomes(SPACE).map(genomeKey));
    // NSGA-II's first generation starts with the seeds the pass did not evaluate (2,0,0 is layer 0 alone)
    expect(seen.slice(10, 16)).toEqual(['2,0,2', '2,1,2', '2,3,2', '2,3,0', '3,3,2', '4,3,2']);
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
  });

  it('leaves the budget to the search alone when it cannot hold the pass and a generation', () => {
    let asked = -1;
    sensitivitySeeded(SPACE, { images: 1000, maxLoss: 10, budget: 12, batch: 4 }, (seeds, evaluated, budget) => {
      expect([seeds.length, evaluated.length]).toEqual([0, 0]);
      asked = budget;
      return nsga2Search(SPACE, { populationSize: 4, budget, seed: 1 });
    });
    expect(asked).toBe(12);
  });
});
