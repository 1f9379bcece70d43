/**
 * The `sparse` mask granularity: significance aggregated to the sparse
 * kernel's units (2 output x 2 input channels of one tap), on a hand-made
 * layer and on LeNet's conv layers, where every unit is skipped whole, so
 * the kernel walks exactly the units the mask keeps.
 */
import { describe, expect, test } from 'vitest';
import { computeSignificance } from '../src/explore/significance/index.js';
import { layerMask, masksFor } from '../src/explore/space/index.js';
import { sparseUnitCount } from '../src/kernels/sparse/emit.js';
import { unitCount, unitOf } from '../src/kernels/sparse/units.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import { TOY_CONV } from './helpers/significance.js';
import { loadModel } from './helpers/engine-fixtures.js';

const CONV = TOY_CONV;

describe('sparse units of a hand-made layer', () => {
  // units: input pair (0,1) = {0, 5, 6} key .5; (2,3) = {2, 3} key .3; (4) = {4, 9} key .198
  test('a unit is skipped when its largest significance is below the threshold', () => {
    const m = layerMask(CONV, 'contribution', { kind: 'threshold', opIndex: 4, value: 0.31 }, 'sparse');
    expect(Array.from(m!)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1]);
    expect(layerMask(CONV, 'contribution', { kind: 'threshold', opIndex: 4, value: 0.19 }, 'sparse')).toBeNull();
    // per weight, the same threshold splits units
    expect(Array.from(layerMask(CONV, 'contribution', { kind: 'threshold', opIndex: 4, value: 0.31 })!)).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 0, 1]);
  });

  test('a fraction skips whole units, lowest key first, until the weight count is reached', () => {
    // 7 non-zero weights: 0.5 -> 4 = units (4) and (2,3); 0.1 -> 1, reached by unit (4) alone (2 weights)
    expect(Array.from(layerMask(CONV, 'magnitude', { kind: 'fraction', opIndex: 4, value: 0.5 }, 'sparse')!)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(layerMask(CONV, 'magnitude', { kind: 'fraction', opIndex: 4, value: 0.1 }, 'sparse')!)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  test('unit numbering: (channel pair, tap, input pair)', () => {
    const layout = { channels: 3, reduction: 2 * 5, inputChannels: 5 };
    expect(unitCount(layout)).toBe(2 * 2 * 3);
    expect([unitOf(layout, 0, 0), unitOf(layout, 1, 1), unitOf(layout, 0, 4), unitOf(layout, 1, 5), unitOf(layout, 2, 9)]).toEqual([0, 0, 2, 3, 11]);
  });
});

describe('LeNet under sparse masks', () => {
  const graph = loadModel('lenet');
  const prepared = prepareGraph(graph);
  const significance = computeSignificance(graph, 'magnitude', []);

  test('every unit is skipped whole, so the kernel walks exactly the kept units (fractions 0.1, 0.3, 0.6)', () => {
    for (const value of [0.1, 0.3, 0.6]) {
      const config = { metric: 'magnitude' as const, unit: 'sparse' as const, settings: [1, 3, 5].map((opIndex) => ({ kind: 'fraction' as const, opIndex, value })) };
      const masks = masksFor(config, significance);
      for (const opIndex of [1, 3, 5]) {
        const op = prepared.ops.find((p) => p.opIndex === opIndex) as PreparedWeighted;
        const mask = masks.get(opIndex)!;
        const g = op.geometry;
        const K = g.kh * g.kw * g.c;
        const layout = { channels: g.oc, reduction: K, inputChannels: g.c };
        const kept = new Set<number>();
        const skipped = new Set<number>();
        for (let i = 0; i < op.weights.length; i++) {
          if (op.weights[i] === 0) continue;
          (mask[i] ? skipped : kept).add(unitOf(layout, Math.floor(i / K), i % K));
        }
        expect([...skipped].filter((u) => kept.has(u)), `op ${opIndex} at ${value}`).toEqual([]);
        expect(sparseUnitCount(op, mask)).toBe(kept.size);
        const nonZero = op.weights.filter((w) => w !== 0).length;
        const marked = mask.reduce((n, b) => n + b, 0);
        // whole units reach the target: at most one unit's weights (4) past it
        expect(marked - Math.round(value * nonZero)).toBeGreaterThanOrEqual(0);
        expect(marked - Math.round(value * nonZero)).toBeLessThan(4);
      }
    }
  });
});
