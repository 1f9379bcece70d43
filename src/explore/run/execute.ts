/**
 * Executes a planned run: loads significance, opens the accuracy pool and the
 * latency provider, then runs the phases of ./phases.ts in order (the exact
 * references, the search, the seed toolkit's grid, the full-test-set
 * re-evaluation, the whole-firmware timing, the report). Every phase resumes
 * from the store by the rule of ./phase.ts, so rerunning an interrupted run
 * ends with the same store as an uninterrupted one.
 */
import type { RunAnalysis } from '../front/analysis.js';
import { macProxyModel } from '../front/mac-proxy.js';
import { latencySources } from '../evaluate/latency-sources.js';
import { findCmsisNn } from '../../kernels/cmsis-nn/locate.js';
import { cmsisNnLibrary } from '../../kernels/cmsis-nn/library.js';
import { compilerVersion } from '../../kernels/compile/toolchain.js';
import type { LatencyProvider } from '../evaluate/latency-types.js';
import { createInlinePool, createThreadPool, workerScriptAvailable, type AccuracyPool } from '../pool/accuracy-pool.js';
import type { AccuracySpec } from '../pool/accuracy-bench.js';
import { calibrationInputs } from '../significance/calibration.js';
import { loadSignificance } from '../significance/cache.js';
import type { SignificanceMetric } from '../significance/metric.js';
import type { Compensation } from '../../model/compensation/index.js';
import { describeLoadedCompensation, loadCompensation } from '../significance/compensation-cache.js';
import type { ModelSignificance } from '../significance/types.js';
import { appendPoint, openStore, readStore, writeMacProxy, writeModelSource } from '../store/run-store.js';
import type { RunBoard, RunContext } from './phase.js';
import type { BoardProfile } from '../../emulator/board.js';
import { openBoardStores } from '../store/board-stores.js';
import type { BoardAnalysis } from '../report/boards-report.js';
import { RUN_PHASES } from './phases.js';
import { createMemo, type EvaluatorContext, type Memo } from './point-evaluator.js';
import { lockRunDir } from '../store/run-lock.js';
import type { RunPlan } from './plan.js';
import type { Progress } from './progress.js';
import { openCluster, type ClusterClient } from '../cluster/client.js';
import { createClusterPool } from '../cluster/cluster-pool.js';
import { clusterOffload } from '../cluster/cluster-latency.js';
import { clusterIdentity } from '../cluster/identity.js';
import { poolOffload, poolVariantActivity } from '../pool/pool-offload.js';

/** Hooks of {@link executeRun}: all optional. */
export interface RunHooks {
  readonly progress?: Progress;
  /** Aborting it stops the run at the next row (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Makes the accuracy pool (default: piscina threads when the worker script exists, else inline). */
  readonly createPool?: (spec: AccuracySpec, threads: number) => AccuracyPool;
  /**
   * The latency provider (default: the plan's latency source), or a function
   * giving each board of the run its provider.
   */
  readonly latency?: LatencyProvider | ((board: BoardProfile) => LatencyProvider);
  /** Status lines (significance source, pool kind); default: none. */
  readonly log?: (line: string) => void;
}

/** What every outcome of a run says. */
interface OutcomeBase {
  readonly dir: string;
  /** The first board's analysis (the run's, with one board). */
  readonly analysis: RunAnalysis;
  /** Each board's analysis, in the run's board order. */
  readonly boards: readonly BoardAnalysis[];
  /** Rows this invocation stored (in every board's store). */
  readonly evaluated: number;
  readonly seconds: number;
  readonly pool: string;
}

/** How a run ended. */
export type RunOutcome = (OutcomeBase & { readonly kind: 'complete' }) | (OutcomeBase & { readonly kind: 'stopped'; readonly reason: 'signal' | 'limit' });

function defaultPool(spec: AccuracySpec, threads: number): AccuracyPool {
  return workerScriptAvailable() ? createThreadPool(spec, threads) : createInlinePool(spec);
}

/** The run's compensation (`--compensate`): Gram inverses of every compensable layer over the calibration images; null without. */
function runCompensation(plan: RunPlan, log: (line: string) => void): Compensation | null {
  const c = plan.config.compensation;
  if (c === undefined) return null;
  const t0 = performance.now();
  const loaded = loadCompensation(plan.model.graph, calibrationInputs(plan.model.graph, plan.model.preprocess, plan.calibration, plan.dataDir), c.damping);
  log(describeLoadedCompensation(loaded, (performance.now() - t0) / 1000));
  return loaded.compensation;
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
 * The latency provider of one board of the run (the hook's, else the plan's latency source for that board): a cluster
 * run's variants and firmware are timed on its workers; a local run's variants that no cache holds, on its pool's.
 */
async function boardLatency(plan: RunPlan, board: BoardProfile, hooks: RunHooks, cluster: ClusterClient | null, pool: AccuracyPool, compensation: Compensation | null): Promise<LatencyProvider> {
  if (typeof hooks.latency === 'function') return hooks.latency(board);
  if (hooks.latency !== undefined) return hooks.latency;
  const m = plan.model;
  const offload = cluster ? clusterOffload(cluster, compensation) : pool.variantCost ? poolOffload(pool.variantCost) : undefined;
  return latencySources[plan.latency].create({
    graph: m.graph,
    board,
    preprocess: m.preprocess,
    dataDir: plan.dataDir,
    threads: plan.workers,
    ...(offload && { offload }),
    ...(compensation && { compensation }),
  });
}

/**
 * Runs (or resumes) the plan, holding the run directory's lock throughout
 * (a second run on the same directory refuses).
 */
export async function executeRun(plan: RunPlan, hooks: RunHooks = {}): Promise<RunOutcome> {
  // a cluster that is unreachable, or whose workers refuse the model, stops the run before its directory is touched
  const cluster = plan.redis === undefined ? null : await openCluster(plan.redis, clusterIdentity(plan.model, plan.dataDir), hooks.log);
  try {
    const release = lockRunDir(plan.dir);
    try {
      return await executeLocked(plan, hooks, cluster);
    } finally {
      release();
    }
  } finally {
    await cluster?.close();
  }
}

async function executeLocked(plan: RunPlan, hooks: RunHooks, cluster: ClusterClient | null): Promise<RunOutcome> {
  const t0 = performance.now();
  const log = hooks.log ?? (() => undefined);
  // CMSIS-NN is measured with the emulated latency source only; a library that is there but does not compile stops the run before its store is touched.
  const measuresCmsisNn = hooks.latency === undefined && plan.latency === 'emulated';
  const cmsisNnDir = measuresCmsisNn ? findCmsisNn(plan.cmsisNn) : null;
  if (cmsisNnDir !== null && compilerVersion() !== null) await cmsisNnLibrary(cmsisNnDir);
  if (plan.boards.length > 1) openBoardStores(plan.dir, plan.boards.map((b) => b.board.id));
  const stores = plan.boards.map((b) => openStore(b.dir, b.config));
  for (const [b, store] of stores.entries()) {
    const dir = plan.boards[b].dir;
    if (plan.model.entry === null) writeModelSource(dir, { path: plan.model.path, sha256: plan.model.sha256 });
    if (store.macProxy === null) writeMacProxy(dir, macProxyModel(plan.model.graph));
  }
  const memos: Memo[] = stores.map((store) => createMemo(store.points));

  const significance = loadRunSignificance(plan, log);
  const compensation = runCompensation(plan, log);

  const spec: AccuracySpec = {
    modelBytes: plan.model.bytes,
    modelName: plan.model.name,
    preprocess: plan.model.preprocess,
    dataDir: plan.dataDir,
    searchImages: plan.config.images.search,
    fullImages: plan.config.images.full,
    ...(compensation && { compensation }),
  };
  const pool = (hooks.createPool ?? (cluster ? (s: AccuracySpec) => createClusterPool(cluster, s) : defaultPool))(spec, plan.workers);
  const capped = plan.workers < plan.threads ? ` (--threads ${plan.threads}, capped at the ${plan.workers} CPUs)` : '';
  const checkpoints = pool.checkpoints ? `, ${Math.round(pool.checkpoints.search / 2 ** 20)} MiB of prefix checkpoints each` : '';
  log(`accuracy pool: ${pool.kind === 'threads' ? `${pool.threads} worker threads${capped}${checkpoints}` : pool.kind === 'cluster' ? `the workers of ${cluster?.url}` : 'inline (this thread)'}`);
  const boards: RunBoard[] = [];
  /** Ends the pool's workers and the boards' latency sources (their firmware timers). */
  const closeAll = async (): Promise<void> => {
    await pool.close().catch(() => undefined);
    for (const b of boards) await b.latency.close?.();
  };
  try {
    for (const b of plan.boards) boards.push({ ...b, latency: await boardLatency(plan, b.board, hooks, cluster, pool, compensation) });
  } catch (err) {
    await closeAll();
    throw err;
  }
  const latency = boards[0].latency;

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
    latencies: boards.map((b) => b.latency),
    searchImages: plan.config.images.search,
    fullImages: plan.config.images.full,
    stopped,
    isStopped: () => stopReason !== null,
    store: (row, board) => {
      appendPoint(boards[board].dir, row);
      return counted();
    },
  };
  const run: RunContext = {
    plan,
    progress: hooks.progress,
    significance,
    boards,
    latency,
    pool,
    evaluator: ctx,
    memos,
    counted,
    cmsisNn: measuresCmsisNn ? { dir: cmsisNnDir?.root } : null,
    exactCorrect: stores.find((s) => s.reference !== null)?.reference?.exactSearch.correct ?? 0,
    analysis: null,
    analyses: [],
  };
  const phases = async (afterStop: boolean): Promise<boolean> => {
    for (const phase of RUN_PHASES.filter((p) => p.afterStop === afterStop)) {
      const pending = boards.some((b) => phase.pending(readStore(b.dir), run));
      if (pending && !(await phase.run(run))) return false;
    }
    return true;
  };

  const costedBefore = poolVariantActivity().costed;
  let ok = true;
  try {
    ok = await phases(false);
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    hooks.progress?.end();
    await closeAll();
  }
  const costed = poolVariantActivity().costed - costedBefore;
  if (costed > 0) log(`layer variants: ${costed} compiled and emulated on the pool's ${pool.threads} worker thread${pool.threads === 1 ? '' : 's'} (the rest from the variant cache)`);
  await phases(true);
  const analysis = run.analysis!;
  const seconds = (performance.now() - t0) / 1000;
  const poolName = pool.kind === 'threads' ? `${pool.threads} threads` : pool.kind === 'cluster' ? 'cluster' : 'inline';
  const base = { dir: plan.dir, analysis, boards: run.analyses, evaluated, seconds, pool: poolName };
  if (ok && stopReason === null) return { kind: 'complete', ...base };
  return { kind: 'stopped', reason: stopReason ?? 'signal', ...base };
}
