/**
 * Executes a planned run: significance, the exact references, the search
 * (grid or NSGA-II in generation batches), the seed toolkit's grid beside it,
 * the full-test-set re-evaluation of both fronts and the exact model, the
 * whole-firmware timing of those points, then the report files. Every phase replays deterministically from the store, so
 * rerunning an interrupted run resumes it and ends with the same store as an
 * uninterrupted one.
 */
import type { SkipMasks } from '../../model/ir.js';
import { finalHashes, splitPhases, wantsFinal, type RunAnalysis } from '../front/analysis.js';
import { paretoFront } from '../front/pareto.js';
import { macProxyModel } from '../front/mac-proxy.js';
import { latencySources } from '../evaluate/latency-sources.js';
import { measureCmsisNn } from '../evaluate/cmsis-nn-reference.js';
import { findCmsisNn } from '../../kernels/cmsis-nn/locate.js';
import { cmsisNnLibrary } from '../../kernels/cmsis-nn/library.js';
import { compilerVersion } from '../../kernels/compile/toolchain.js';
import type { LatencyProvider } from '../evaluate/latency-types.js';
import { createInlinePool, createThreadPool, workerScriptAvailable, type AccuracyPool } from '../pool/accuracy-pool.js';
import type { AccuracySpec } from '../pool/accuracy-bench.js';
import { writeReportFiles } from '../report/write-report.js';
import { gridSearch } from '../search/grid.js';
import { nsga2Search } from '../search/nsga2.js';
import type { Evaluation, Genome, SearchStrategy } from '../search/strategy-types.js';
import { calibrationInputs } from '../significance/calibration.js';
import { loadSignificance } from '../significance/cache.js';
import type { SignificanceMetric } from '../significance/metric.js';
import type { ModelSignificance } from '../significance/types.js';
import { configurationFromLevels, configurationHash, levelsAt, masksFor, spaceSize, type ConfigSpace } from '../space/index.js';
import { rowConfiguration } from '../store/point-config.js';
import { EXACT_HASH, type FinalRow, type Phase, type PointRow } from '../store/rows.js';
import { appendFinal, appendPoint, openStore, readStore, writeCmsisNn, writeMacProxy, writeReference, writeSeedGrid } from '../store/run-store.js';
import { createMemo, evaluateBatch, evaluateFinals, type EvaluatorContext, type Memo, type PointRequest } from './point-evaluator.js';
import { EXACT_MASKS_HASH } from '../store/masks-hash.js';
import { firmwarePhase } from './firmware-phase.js';
import { lockRunDir } from '../store/run-lock.js';
import type { RunPlan } from './plan.js';
import type { Progress } from './progress.js';

/** Hooks of {@link executeRun}: all optional. */
export interface RunHooks {
  readonly progress?: Progress;
  /** Aborting it stops the run at the next row (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Makes the accuracy pool (default: piscina threads when the worker script exists, else inline). */
  readonly createPool?: (spec: AccuracySpec, threads: number) => AccuracyPool;
  /** The latency provider (default: the plan's latency source). */
  readonly latency?: LatencyProvider;
  /** Status lines (significance source, pool kind); default: none. */
  readonly log?: (line: string) => void;
}

/** How a run ended. */
export type RunOutcome =
  | { readonly kind: 'complete'; readonly dir: string; readonly analysis: RunAnalysis; readonly evaluated: number; readonly seconds: number; readonly pool: string }
  | { readonly kind: 'stopped'; readonly dir: string; readonly reason: 'signal' | 'limit'; readonly analysis: RunAnalysis; readonly evaluated: number; readonly seconds: number; readonly pool: string };

/** Generation size of grid batches. */
const GRID_BATCH = 64;

/** Genomes seeding NSGA-II's first generation: exact, then every uniform level of all layers. */
export function initialGenomes(space: ConfigSpace): Genome[] {
  const most = Math.max(...space.layers.map((l) => l.levels.length));
  return Array.from({ length: most }, (_, k) => space.layers.map((l) => Math.min(k, l.levels.length - 1)));
}

function strategyFor(plan: RunPlan): SearchStrategy {
  const levels = plan.space.layers.map((l) => l.levels.length);
  const s = plan.config.search;
  if (s.strategy === 'grid') return gridSearch({ levels }, GRID_BATCH);
  return nsga2Search({ levels }, { populationSize: s.population, budget: s.budget, seed: s.seed, initial: initialGenomes(plan.space) });
}

/**
 * Search objectives of a row: maximise correct, minimise cycles. A point
 * losing more than `maxLoss` percentage points of top-1 against the exact
 * model (`exactCorrect` on the same images) violates by the excess; one that
 * does not fit the flash violates by 100 more.
 */
export function rowEvaluation(row: PointRow, exactCorrect: number, maxLoss: number): Evaluation {
  const excess = Math.max(0, ((exactCorrect - row.correct) / row.images) * 100 - maxLoss);
  return { objectives: [-row.correct, row.cycles], violation: excess + (row.fits ? 0 : 100) };
}

/** Masks of a stored row's configuration. */
function rowMasks(row: PointRow, significance: ReadonlyMap<SignificanceMetric, ModelSignificance>): SkipMasks {
  const config = rowConfiguration(row);
  return masksFor(config, significance.get(config.metric)!);
}

/**
 * The full-test-set phase: the exact model and every point of both fronts
 * (as the store holds them now), each set of masks evaluated once.
 */
async function finalPhase(
  plan: RunPlan,
  ctx: EvaluatorContext,
  significance: ReadonlyMap<SignificanceMetric, ModelSignificance>,
  counted: () => boolean,
  progress: Progress | undefined,
): Promise<boolean> {
  const store = readStore(plan.dir);
  const { search, seedGrid } = splitPhases(store);
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  const masksHashOf = (hash: string): string => (hash === EXACT_HASH ? EXACT_MASKS_HASH : byHash.get(hash)!.masksHash);
  const known = new Map(store.finals.map((f) => [masksHashOf(f.hash), f]));
  const stored = new Set(store.finals.map((f) => f.hash));
  const wanted = (row: PointRow) => wantsFinal(row, store.reference, plan.config.search.maxLoss);
  const requests = finalHashes(paretoFront(search), seedGrid === null ? null : paretoFront(seedGrid), wanted)
    .filter((h) => !stored.has(h))
    .map((hash) => ({ hash, masksHash: masksHashOf(hash), masks: () => (hash === EXACT_HASH ? new Map() : rowMasks(byHash.get(hash)!, significance)) }));
  let done = 0;
  if (requests.length > 0) progress?.update({ phase: 'final', done: 0, total: requests.length, evaluated: 0 });
  return evaluateFinals(ctx, requests, known, (row: FinalRow) => {
    appendFinal(plan.dir, row);
    progress?.update({ phase: 'final', done: ++done, total: requests.length, evaluated: done });
    return counted();
  });
}

function defaultPool(spec: AccuracySpec, threads: number): AccuracyPool {
  return workerScriptAvailable() ? createThreadPool(spec, threads) : createInlinePool(spec);
}

/** Significance of each metric the run needs (from the disk cache, or computed and cached). */
function loadRunSignificance(plan: RunPlan, log: (line: string) => void): Map<SignificanceMetric, ModelSignificance> {
  const calib = calibrationInputs(plan.model.graph, plan.model.preprocess, plan.calibration, plan.dataDir);
  const significance = new Map<SignificanceMetric, ModelSignificance>();
  for (const metric of [plan.space.metric, ...(plan.seedGridSpace ? [plan.seedGridSpace.metric] : [])]) {
    if (significance.has(metric)) continue;
    const loaded = loadSignificance({ graph: plan.model.graph, metric, inputs: calib });
    log(`significance ${metric}: ${loaded.source.kind} (${loaded.path})`);
    significance.set(metric, loaded.significance);
  }
  return significance;
}

/**
 * Runs (or resumes) the plan, holding the run directory's lock throughout
 * (a second run on the same directory refuses).
 */
export async function executeRun(plan: RunPlan, hooks: RunHooks = {}): Promise<RunOutcome> {
  const release = lockRunDir(plan.dir);
  try {
    return await executeLocked(plan, hooks);
  } finally {
    release();
  }
}

async function executeLocked(plan: RunPlan, hooks: RunHooks): Promise<RunOutcome> {
  const t0 = performance.now();
  const log = hooks.log ?? (() => undefined);
  // CMSIS-NN is measured with the emulated latency source only; a library that is there but does not compile stops the run before its store is touched.
  const cmsisNnDir = hooks.latency === undefined && plan.latency === 'emulated' ? findCmsisNn(plan.cmsisNn) : null;
  if (cmsisNnDir !== null && compilerVersion() !== null) await cmsisNnLibrary(cmsisNnDir);
  const store = openStore(plan.dir, plan.config);
  if (store.macProxy === null) writeMacProxy(plan.dir, macProxyModel(plan.model.graph));
  const memo: Memo = createMemo(store.points);

  const significance = loadRunSignificance(plan, log);

  const latency = hooks.latency ?? (await latencySources[plan.latency].create({ graph: plan.model.graph, board: plan.board, preprocess: plan.model.preprocess, dataDir: plan.dataDir, threads: plan.threads }));
  const spec: AccuracySpec = {
    modelBytes: plan.model.bytes,
    modelName: plan.model.name,
    preprocess: plan.model.preprocess,
    dataDir: plan.dataDir,
    searchImages: plan.config.images.search,
    fullImages: plan.config.images.full,
  };
  const pool = (hooks.createPool ?? defaultPool)(spec, plan.threads);
  log(`accuracy pool: ${pool.kind === 'threads' ? `${pool.threads} worker threads` : 'inline (this thread)'}`);

  let evaluated = 0;
  let stopReason: 'signal' | 'limit' | null = null;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (wake = r));
  const stop = (reason: 'signal' | 'limit'): void => {
    stopReason ??= reason;
    wake();
  };
  const onAbort = () => stop('signal');
  if (hooks.signal?.aborted) stop('signal');
  hooks.signal?.addEventListener('abort', onAbort);
  const counted = (): boolean => {
    evaluated++;
    if (plan.stopAfter !== null && evaluated >= plan.stopAfter) stop('limit');
    return stopReason === null;
  };
  const ctx: EvaluatorContext = {
    graph: plan.model.graph,
    pool,
    latency,
    searchImages: plan.config.images.search,
    fullImages: plan.config.images.full,
    stopped,
    isStopped: () => stopReason !== null,
    store: (row) => {
      appendPoint(plan.dir, row);
      return counted();
    },
  };
  const request = (space: ConfigSpace, genome: Genome): PointRequest => {
    const config = configurationFromLevels(space, genome);
    return { genome, config, masks: () => masksFor(config, significance.get(config.metric)!) };
  };

  /** The exact model's correct count on the search images (known once the references are stored). */
  let exactCorrect = store.reference?.exactSearch.correct ?? 0;
  const runPhase = async (phase: Phase, space: ConfigSpace, strategy: SearchStrategy, total: number): Promise<boolean> => {
    let done = 0; // rows of finished batches
    let inBatch = 0; // rows stored in the current batch
    let fresh = 0; // rows stored by this process in the phase
    const phaseCtx: EvaluatorContext = {
      ...ctx,
      store: (row) => {
        const go = ctx.store(row);
        inBatch++;
        fresh++;
        hooks.progress?.update({ phase, done: done + inBatch, total, evaluated: fresh });
        return go;
      },
    };
    if (total > 0) hooks.progress?.update({ phase, done: 0, total, evaluated: 0 });
    for (let batch = strategy.ask(); batch !== null; batch = strategy.ask()) {
      inBatch = 0;
      const rows = await evaluateBatch(phaseCtx, memo, phase, batch.map((g) => request(space, g)));
      if (rows === null) return false;
      done += rows.length;
      hooks.progress?.update({ phase, done, total, evaluated: fresh });
      strategy.tell(rows.map((r) => rowEvaluation(r, exactCorrect, plan.config.search.maxLoss)));
    }
    return true;
  };

  let ok = true;
  try {
    // The exact references.
    if (store.reference === null) {
      hooks.progress?.update({ phase: 'references', done: 0, total: 1, evaluated: 0 });
      const ref = await latency.reference();
      [exactCorrect] = await Promise.all(pool.evaluate('search', [new Map()]));
      const n = plan.config.images.search;
      writeReference(plan.dir, {
        latency: latency.description,
        baseline: ref.baseline,
        unpackedExact: ref.unpackedExact,
        exactSearch: { correct: exactCorrect, images: n, top1: exactCorrect / n },
      });
      hooks.progress?.update({ phase: 'references', done: 1, total: 1, evaluated: 1 });
    }
    if (store.cmsisNn === null && hooks.latency === undefined && plan.latency === 'emulated') {
      writeCmsisNn(plan.dir, await measureCmsisNn({ graph: plan.model.graph, board: plan.board, preprocess: plan.model.preprocess, dataDir: plan.dataDir, dir: cmsisNnDir?.root }));
    }
    const size = plan.config.search.budget; // a grid's budget is its size (see plan.ts)
    ok = await runPhase('search', plan.space, strategyFor(plan), size);
    if (ok && plan.seedGridSpace !== null) {
      const sg = plan.seedGridSpace;
      const genomes = Array.from({ length: spaceSize(sg) }, (_, i) => levelsAt(sg, i));
      writeSeedGrid(plan.dir, genomes.map((g) => configurationHash(configurationFromLevels(sg, g))));
      ok = await runPhase('seed-grid', sg, gridSearch({ levels: sg.layers.map((l) => l.levels.length) }, GRID_BATCH), genomes.length);
    }
    if (ok) ok = await finalPhase(plan, ctx, significance, counted, hooks.progress);
    if (ok) ok = await firmwarePhase({ dir: plan.dir, board: plan.board.id, threads: plan.threads, latency, masksOf: (row) => rowMasks(row, significance), counted, progress: hooks.progress });
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    hooks.progress?.end();
    await pool.close().catch(() => undefined);
    await latency.close?.();
  }
  const analysis = writeReportFiles(readStore(plan.dir));
  const seconds = (performance.now() - t0) / 1000;
  const poolName = pool.kind === 'threads' ? `${pool.threads} threads` : 'inline';
  if (ok && stopReason === null) return { kind: 'complete', dir: plan.dir, analysis, evaluated, seconds, pool: poolName };
  return { kind: 'stopped', dir: plan.dir, reason: stopReason ?? 'signal', analysis, evaluated, seconds, pool: poolName };
}
