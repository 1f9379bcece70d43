import { describe, expect, it } from 'vitest';
import { runSensitivity, sensitivityPlot, sensitivityTable } from '../src/explore/report/sensitivity-table.js';
import type { PointRow } from '../src/explore/store/rows.js';

/** A search row of `genome` with `correct` of 200 images at `cycles`. */
const row = (id: number, genome: number[], correct: number, cycles: number, fits = true): PointRow => ({
  id, hash: `h${id}`, masksHash: `m${id}`, phase: 'search', genome, config: {}, skipped: 0, weights: 100, correct, images: 200, top1: correct / 200, cycles, flashBytes: 1000, fits, layers: [],
});

const SPACE = { kind: 'fraction', layers: [{ opIndex: 3, levels: [0, 0.1, 0.25] }, { opIndex: 5, levels: [0, 0.1, 0.25] }] };

describe('report: the per-layer sensitivity pass', () => {
  it('tabulates each layer alone at each level against the exact configuration', () => {
    const points = [row(0, [0, 0], 150, 1000), row(1, [1, 0], 151, 900), row(2, [2, 0], 146, 800, false), row(3, [0, 1], 150, 1000), row(4, [1, 1], 100, 10)];
    const s = runSensitivity(SPACE, points)!;
    expect(s.layers[1].points).toEqual([{ index: 1, level: 0.1, change: 0, saved: 0, fits: true }, null]);
    expect(sensitivityTable(s).slice(2)).toEqual([
      '| level | op3 | op5 |',
      '|---|---|---|',
      '| 10 % | +0.5 / 10.0 % | 0.0 / 0.0 % |',
      '| 25 % | -2.0 / 20.0 % (does not fit) |  |',
    ]);
    const svg = sensitivityPlot(s, 'lenet: each layer alone');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('>op5</text>');
    // without the exact configuration (a store the pass has not reached) there is nothing to show
    expect(runSensitivity(SPACE, points.slice(1))).toBeNull();
    expect(runSensitivity({ name: 'x' }, points)).toBeNull();
  });
});
