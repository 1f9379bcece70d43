/**
 * The full-test-set phase of a run: the exact model and every point of both
 * fronts (as the store holds them), each set of masks evaluated once.
 */
import type { SkipMasks } from '../../model/ir.js';
import { finalHashes, splitPhases, wantsFinal } from '../front/analysis.js';
import { paretoFront } from '../front/pareto.js';
import type { SignificanceMetric } from '../significance/metric.js';
import type { ModelSignificance } from '../significance/types.js';
import { masksFor } from '../space/index.js';
import { EXACT_MASKS_HASH } from '../store/masks-hash.js';
import { rowConfiguration } from '../store/point-config.js';
import { EXACT_HASH, type FinalRow, type PointRow } from '../store/rows.js';
import { appendFinal, readStore, type StoreContents } from '../store/run-store.js';
import type { RunContext, RunPhase } from './phase.js';
import { evaluateFinals, type FinalRequest } from './point-evaluator.js';

/** Masks of a stored row's configuration. */
export function rowMasks(row: PointRow, significance: ReadonlyMap<SignificanceMetric, ModelSignificance>): SkipMasks {
  const config = rowConfiguration(row);
  return masksFor(config, significance.get(config.metric)!);
}

/** Hash of the masks of configuration `hash` among `points` (the exact model's for `exact`). */
function masksHashIn(points: readonly PointRow[]): (hash: string) => string {
  const byHash = new Map(points.map((p) => [p.hash, p]));
  return (hash) => (hash === EXACT_HASH ? EXACT_MASKS_HASH : byHash.get(hash)!.masksHash);
}

/** The finals the store lacks. */
function finalRequests(store: StoreContents, ctx: RunContext): FinalRequest[] {
  const { search, seedGrid } = splitPhases(store);
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  const masksHashOf = masksHashIn(store.points);
  const stored = new Set(store.finals.map((f) => f.hash));
  const wanted = (row: PointRow) => wantsFinal(row, store.reference, ctx.plan.config.search.maxLoss);
  return finalHashes(paretoFront(search), seedGrid === null ? null : paretoFront(seedGrid), wanted)
    .filter((h) => !stored.has(h))
    .map((hash) => ({ hash, masksHash: masksHashOf(hash), masks: () => (hash === EXACT_HASH ? new Map() : rowMasks(byHash.get(hash)!, ctx.significance)) }));
}

/**
 * The full-test-set results stored by any of `stores`, by masks hash: a
 * board's front point whose masks another board's front already
 * re-evaluated copies that result (accuracy does not depend on the board).
 */
function knownFinals(stores: readonly StoreContents[]): Map<string, FinalRow> {
  const known = new Map<string, FinalRow>();
  for (const store of stores) {
    const masksHashOf = masksHashIn(store.points);
    for (const f of store.finals) if (!known.has(masksHashOf(f.hash))) known.set(masksHashOf(f.hash), f);
  }
  return known;
}

/** The full-test-set re-evaluation of every board's fronts (each set of masks evaluated once for all boards). */
export const finalPhase: RunPhase = {
  name: 'final',
  afterStop: false,
  pending: (store, ctx) => finalRequests(store, ctx).length > 0,
  run: async (ctx) => {
    const todo = ctx.boards.map((b) => finalRequests(readStore(b.dir), ctx));
    const total = todo.reduce((s, r) => s + r.length, 0);
    let done = 0;
    ctx.progress?.update({ phase: 'final', done: 0, total, evaluated: 0 });
    for (const [b, board] of ctx.boards.entries()) {
      if (todo[b].length === 0) continue;
      const known = knownFinals(ctx.boards.map((x) => readStore(x.dir)));
      const go = await evaluateFinals(ctx.evaluator, todo[b], known, (row: FinalRow) => {
        appendFinal(board.dir, row);
        ctx.progress?.update({ phase: 'final', done: ++done, total, evaluated: done });
        return ctx.counted();
      });
      if (!go) return false;
    }
    return true;
  },
};
