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
import { appendFinal, type StoreContents } from '../store/run-store.js';
import type { RunContext, RunPhase } from './phase.js';
import { evaluateFinals, type FinalRequest } from './point-evaluator.js';

/** Masks of a stored row's configuration. */
export function rowMasks(row: PointRow, significance: ReadonlyMap<SignificanceMetric, ModelSignificance>): SkipMasks {
  const config = rowConfiguration(row);
  return masksFor(config, significance.get(config.metric)!);
}

/** The finals the store lacks, and the stored finals by masks hash. */
function finalWork(store: StoreContents, ctx: RunContext): { requests: FinalRequest[]; known: Map<string, FinalRow> } {
  const { search, seedGrid } = splitPhases(store);
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  const masksHashOf = (hash: string): string => (hash === EXACT_HASH ? EXACT_MASKS_HASH : byHash.get(hash)!.masksHash);
  const known = new Map(store.finals.map((f) => [masksHashOf(f.hash), f]));
  const stored = new Set(store.finals.map((f) => f.hash));
  const wanted = (row: PointRow) => wantsFinal(row, store.reference, ctx.plan.config.search.maxLoss);
  const requests = finalHashes(paretoFront(search), seedGrid === null ? null : paretoFront(seedGrid), wanted)
    .filter((h) => !stored.has(h))
    .map((hash) => ({ hash, masksHash: masksHashOf(hash), masks: () => (hash === EXACT_HASH ? new Map() : rowMasks(byHash.get(hash)!, ctx.significance)) }));
  return { requests, known };
}

/** The full-test-set re-evaluation. */
export const finalPhase: RunPhase = {
  name: 'final',
  afterStop: false,
  pending: (store, ctx) => finalWork(store, ctx).requests.length > 0,
  run: (ctx, store) => {
    const { requests, known } = finalWork(store, ctx);
    let done = 0;
    ctx.progress?.update({ phase: 'final', done: 0, total: requests.length, evaluated: 0 });
    return evaluateFinals(ctx.evaluator, requests, known, (row: FinalRow) => {
      appendFinal(ctx.plan.dir, row);
      ctx.progress?.update({ phase: 'final', done: ++done, total: requests.length, evaluated: done });
      return ctx.counted();
    });
  },
};
