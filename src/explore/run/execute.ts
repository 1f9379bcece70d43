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
import type { ModelSignificance } from '../significance/types.js';
import { appendPoint, openStore, readStore, writeMacProxy, writeModelSource } from '../store/run-store.js';
import type { RunContext } from './phase.js';
import { RUN_PHASES } from './phases.js';
import { createMemo, type EvaluatorContext, type Memo } from './point-evaluator.js';
import { lockRunDir } from '../store/run-lock.js';
import type { RunPlan } from './plan.js';
import type { Progress } from './progress.js';
import { openCluster, type ClusterClient } from '../cluster/client.js';
import { createClusterPool } from '../cluster/cluster-pool.js';
import { clusterOffload } from '../cluster/cluster-latency.js';
import { clusterIdentity } from '../cluster/identity.js';

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
  const store = openStore(plan.dir, plan.config);
  if (plan.model.entry === null) writeModelSource(plan.dir, { path: plan.model.path, sha256: plan.model.sha256 });
  if (store.macProxy === null) writeMacProxy(plan.dir, macProxyModel(plan.model.graph));
  const memo: Memo = createMemo(store.points);

  const significance = loadRunSignificance(plan, log);

  const latency = hooks.latency ?? (await latencySources[plan.latency].create({ graph: plan.model.graph, board: plan.board, preprocess: plan.model.preprocess, dataDir: plan.dataDir, threads: plan.workers, ...(cluster && { offload: clusterOffload(cluster) }) }));
  const spec: AccuracySpec = {
    modelBytes: plan.model.bytes,
    modelName: plan.model.name,
    preprocess: plan.model.preprocess,
    dataDir: plan.dataDir,
    searchImages: plan.config.images.search,
    fullImages: plan.config.images.full,
  };
  const pool = (hooks.createPool ?? (cluster ? (s: AccuracySpec) => createClusterPool(cluster, s) : defaultPool))(spec, plan.workers);
  const capped = plan.workers < plan.threads ? ` (--threads ${plan.threads}, capped at the ${plan.workers} CPUs)` : '';
  log(`accuracy pool: ${pool.kind === 'threads' ? `${pool.threads} worker threads${capped}` : pool.kind === 'cluster' ? `the workers of ${cluster?.url}` : 'inline (this thread)'}`);

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
  const run: RunContext = {
    plan,
    progress: hooks.progress,
    significance,
    latency,
    pool,
    evaluator: ctx,
    memo,
    counted,
    cmsisNn: measuresCmsisNn ? { dir: cmsisNnDir?.root } : null,
    exactCorrect: store.reference?.exactSearch.correct ?? 0,
    analysis: null,
  };
  const phases = async (afterStop: boolean): Promise<boolean> => {
    for (const phase of RUN_PHASES.filter((p) => p.afterStop === afterStop)) {
      const store = readStore(plan.dir);
      if (phase.pending(store, run) && !(await phase.run(run, store))) return false;
    }
    return true;
  };

  let ok = true;
  try {
    ok = await phases(false);
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    hooks.progress?.end();
    await pool.close().catch(() => undefined);
    await latency.close?.();
  }
  await phases(true);
  const analysis = run.analysis!;
  const seconds = (performance.now() - t0) / 1000;
  const poolName = pool.kind === 'threads' ? `${pool.threads} threads` : pool.kind === 'cluster' ? 'cluster' : 'inline';
  if (ok && stopReason === null) return { kind: 'complete', dir: plan.dir, analysis, evaluated, seconds, pool: poolName };
  return { kind: 'stopped', dir: plan.dir, reason: stopReason ?? 'signal', analysis, evaluated, seconds, pool: poolName };
}
