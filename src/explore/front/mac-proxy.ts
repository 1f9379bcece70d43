/**
 * The seed toolkit's latency proxy beside the emulated cycles: a point's
 * fraction of multiply-accumulates removed (each skipped weight removes the
 * MACs it takes part in: its layer's MACs divided by its weights), its
 * Spearman rank correlation with the emulated cycles over all the run's
 * points, and what the point the proxy ranks best at no top-1 loss really
 * costs. This is the evidence for emulating at all: a proxy that ranked
 * points as cycles do would make the emulator unnecessary. Pure.
 */
import type { Graph } from '../../model/ir.js';
import { isWeightedOp, prepareGraph } from '../../model/engine/prepare.js';
import type { PointRow } from '../store/rows.js';
import type { MacProxyModel } from '../store/run-store.js';

/** The proxy's model facts of a graph. */
export function macProxyModel(graph: Graph): MacProxyModel {
  const macsPerWeight: Record<string, number> = {};
  let totalMacs = 0;
  for (const op of prepareGraph(graph).ops) {
    if (!isWeightedOp(op)) continue;
    macsPerWeight[String(op.opIndex)] = op.macs / op.weights.length;
    totalMacs += op.macs;
  }
  return { totalMacs, macsPerWeight };
}

/** Fraction of the model's MACs a point removes (the proxy: higher = predicted faster). */
export function macsRemoved(row: Pick<PointRow, 'layers'>, model: MacProxyModel): number {
  let removed = 0;
  for (const l of row.layers) removed += l.skipped * (model.macsPerWeight[String(l.opIndex)] ?? 0);
  return model.totalMacs === 0 ? 0 : removed / model.totalMacs;
}

/** Ranks from 1, ties sharing their mean rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation (Pearson on tie-averaged ranks); null with fewer than 2 points or a constant series. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length || x.length < 2) return null;
  const rx = ranks(x);
  const ry = ranks(y);
  const mean = (x.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) ** 2;
    syy += (ry[i] - mean) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** The proxy against the emulated cycles over a run's points. */
export interface MacProxyAnalysis {
  readonly points: number;
  /** Spearman correlation of MACs removed with cycles (-1: the proxy orders points exactly as cycles do). */
  readonly rho: number | null;
  /**
   * At no top-1 loss on the search images (fitting points only): the point
   * removing the most MACs (fewest cycles among ties) and the fastest point by
   * emulated cycles; null when no point is lossless.
   */
  readonly noLoss: {
    readonly proxyBest: { readonly id: number; readonly macsRemoved: number; readonly cycles: number };
    readonly fastest: { readonly id: number; readonly macsRemoved: number; readonly cycles: number };
  } | null;
}

/** Analyses the proxy over `rows`; `exactCorrect` is the exact model's correct count on the search images. */
export function analyseMacProxy(rows: readonly PointRow[], model: MacProxyModel, exactCorrect: number): MacProxyAnalysis {
  const removed = rows.map((r) => macsRemoved(r, model));
  const rho = spearman(removed, rows.map((r) => r.cycles));
  const lossless = rows.map((r, i) => ({ id: r.id, macsRemoved: removed[i], cycles: r.cycles, ok: r.fits && r.correct >= exactCorrect })).filter((p) => p.ok);
  if (lossless.length === 0) return { points: rows.length, rho, noLoss: null };
  const pick = (better: (a: (typeof lossless)[0], b: (typeof lossless)[0]) => boolean) => {
    const best = lossless.reduce((a, b) => (better(b, a) ? b : a));
    return { id: best.id, macsRemoved: best.macsRemoved, cycles: best.cycles };
  };
  return {
    points: rows.length,
    rho,
    noLoss: {
      proxyBest: pick((b, a) => b.macsRemoved > a.macsRemoved || (b.macsRemoved === a.macsRemoved && b.cycles < a.cycles)),
      fastest: pick((b, a) => b.cycles < a.cycles),
    },
  };
}
