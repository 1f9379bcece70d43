/**
 * The interface every phase of a run implements, and the state the phases of
 * one run share. The phases themselves are listed, in order, in ./phases.ts.
 *
 * Every phase resumes by the same rule: the runner reads the store and asks
 * the phase what is {@link RunPhase.pending}; a phase with nothing pending is
 * skipped, and {@link RunPhase.run} only adds to the store what it does not
 * hold yet (rows already stored are read back, never computed again), so an
 * interrupted run resumes and ends with the store an uninterrupted one writes.
 */
import type { RunAnalysis } from '../front/analysis.js';
import type { BoardAnalysis } from '../report/boards-report.js';
import type { LatencyProvider } from '../evaluate/latency-types.js';
import type { AccuracyPool } from '../pool/accuracy-pool.js';
import type { SignificanceMetric } from '../significance/metric.js';
import type { ModelSignificance } from '../significance/types.js';
import type { StoreContents } from '../store/run-store.js';
import type { EvaluatorContext, Memo } from './point-evaluator.js';
import type { BoardPlan, RunPlan } from './plan.js';
import type { Progress } from './progress.js';

/** The phases of a run, in the order they run. */
export type RunPhaseName = 'references' | 'search' | 'seed-grid' | 'final' | 'firmware' | 'report';

/** One board of a run: its profile, store and configuration (from the plan) and its latency provider. */
export interface RunBoard extends BoardPlan {
  readonly latency: LatencyProvider;
}

/** What the phases of one run share. */
export interface RunContext {
  readonly plan: RunPlan;
  readonly progress?: Progress;
  readonly significance: ReadonlyMap<SignificanceMetric, ModelSignificance>;
  /**
   * Every board of the run, in `--board` order (one for a single-board run).
   * Each phase does its work for every board, into the board's store;
   * accuracy, which does not depend on the board, is evaluated once.
   */
  readonly boards: readonly RunBoard[];
  /** The first board's latency provider. */
  readonly latency: LatencyProvider;
  readonly pool: AccuracyPool;
  /** Evaluates and stores points (its `store` counts each new row). */
  readonly evaluator: EvaluatorContext;
  /** Stored points by configuration and by masks, per board (same order as `boards`). */
  readonly memos: readonly Memo[];
  /** Counts a stored row; false when the run must stop. */
  readonly counted: () => boolean;
  /**
   * Where the references phase finds CMSIS-NN to measure (`dir` absent: not
   * found, stored as such), or null when the run does not measure it (a
   * latency source other than the emulator).
   */
  readonly cmsisNn: { readonly dir?: string } | null;
  /** The exact model's correct count on the search images (the references phase sets it when it runs). */
  exactCorrect: number;
  /** What the report phase found in the store (the first board's; null until it ran). */
  analysis: RunAnalysis | null;
  /** What the report phase found in each board's store (empty until it ran). */
  analyses: readonly BoardAnalysis[];
}

/** One phase of a run. */
export interface RunPhase {
  readonly name: RunPhaseName;
  /**
   * Whether it also runs when the run was stopped (the report does, after the
   * accuracy pool and the latency provider were closed); otherwise it runs
   * only while the run goes on.
   */
  readonly afterStop: boolean;
  /**
   * Whether the phase has work left, from a board's store alone (the runner
   * asks for each board's store and runs the phase when any has work). A search phase
   * replays its strategy against the store to know, so it says true and its
   * replay stores only what is missing.
   */
  pending(store: StoreContents, ctx: RunContext): boolean;
  /** Does the pending work of every board (reading each board's store); false when the run was stopped in it. */
  run(ctx: RunContext): Promise<boolean>;
}
