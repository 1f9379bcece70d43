/**
 * The seed toolkit's latency proxy (fraction of MACs removed) beside the
 * emulated cycles: MACs a skipped weight removes per layer, Spearman's rank
 * correlation with ties, the proxy's best lossless point against the fastest
 * one, and the report's section and column.
 */
import { describe, expect, it } from 'vitest';
import { analyseMacProxy, macProxyModel, macsRemoved, spearman } from '../src/explore/front/mac-proxy.js';
import type { PointRow } from '../src/explore/store/rows.js';
import type { MacProxyModel } from '../src/explore/store/run-store.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { loadModel } from './helpers/engine-fixtures.js';

/** Conv op 1: 10 weights, 40 MACs (4 per weight); FC op 2: 20 weights, 20 MACs. */
const MODEL: MacProxyModel = { totalMacs: 60, macsPerWeight: { '1': 4, '2': 1 } };

function row(id: number, skipConv: number, skipFc: number, cycles: number, correct: number, fits = true): PointRow {
  return {
    id, hash: `h${id}`, masksHash: `m${id}`, phase: 'search', genome: [], config: {}, skipped: skipConv + skipFc, weights: 30,
    correct, images: 100, top1: correct / 100, cycles, flashBytes: 100, fits,
    layers: [{ opIndex: 1, skipped: skipConv, weights: 10, cycles: 0 }, { opIndex: 2, skipped: skipFc, weights: 20, cycles: 0 }],
  };
}

describe('MAC proxy', () => {
  it('a skipped weight removes its layer MACs per weight', () => {
    expect(macsRemoved(row(0, 3, 6, 0, 0), MODEL)).toBe((3 * 4 + 6) / 60);
    const lenet = macProxyModel(loadModel('lenet'));
    const macs = prepareGraph(loadModel('lenet')).macs;
    expect(lenet.totalMacs).toBe(macs);
    expect(Object.keys(lenet.macsPerWeight)).toEqual(['1', '3', '5', '7', '8']);
    expect(lenet.macsPerWeight['8']).toBe(1); // fully connected: each weight once
  });

  it("Spearman's rho: exact order, reverse order, ties averaged, undefined cases", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [40, 30, 20, 10])).toBe(-1);
    // ranks x = 1, 2.5, 2.5, 4; y = 1, 2, 3, 4: r = 4.5 / sqrt(4.5 * 5)
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
    expect(spearman([1], [1])).toBeNull();
    expect(spearman([2, 2, 2], [1, 2, 3])).toBeNull();
  });

  it('the proxy picks the lossless point removing the most MACs, which need not be the fastest', () => {
    const rows = [
      row(0, 0, 0, 1000, 80), // exact
      row(1, 0, 20, 700, 80), // removes 20/60 MACs (FC), fast
      row(2, 6, 0, 900, 80), // removes 24/60 MACs (conv), slower
      row(3, 10, 20, 300, 70), // removes everything, loses accuracy
      row(4, 8, 0, 650, 80, false), // does not fit
    ];
    const a = analyseMacProxy(rows, MODEL, 80);
    expect(a.noLoss).toEqual({ proxyBest: { id: 2, macsRemoved: 0.4, cycles: 900 }, fastest: { id: 1, macsRemoved: 20 / 60, cycles: 700 } });
    expect(a.points).toBe(5);
    expect(a.rho).toBeCloseTo(spearman(rows.map((r) => macsRemoved(r, MODEL)), rows.map((r) => r.cycles))!, 15);
    expect(a.rho).toBe(-0.9);
    expect(analyseMacProxy([row(0, 1, 0, 10, 50)], MODEL, 80)).toEqual({ points: 1, rho: null, noLoss: null });
  });
});
