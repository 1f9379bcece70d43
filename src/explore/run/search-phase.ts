/**
 * The search phases of a run: the search over the run's space (grid or
 * NSGA-II in generation batches) and the seed toolkit's grid beside it. Both
 * replay their strategy against the store, which serves the rows it holds.
 */
import { gridSearch } from '../search/grid.js';
import { nsga2Search, type Member } from '../search/nsga2.js';
import { sensitivitySeeded } from '../search/sensitivity.js';
import type { Evaluation, Genome, SearchStrategy } from '../search/strategy-types.js';
import { configurationFromLevels, configurationHash, levelsAt, masksFor, spaceSize, type ConfigSpace } from '../space/index.js';
import type { Phase, PointRow } from '../store/rows.js';
import { readStore, writeSeedGrid } from '../store/run-store.js';
import type { RunContext, RunPhase } from './phase.js';
import { evaluateBatch, type EvaluatorContext, type PointRequest } from './point-evaluator.js';
import type { RunPlan } from './plan.js';

/** Generation size of grid batches. */
const GRID_BATCH = 64;

/** Genomes seeding NSGA-II's first generation: exact, then every uniform level of all layers. */
export function initialGenomes(space: ConfigSpace): Genome[] {
  const most = Math.max(...space.layers.map((l) => l.levels.length));
  return Array.from({ length: most }, (_, k) => space.layers.map((l) => Math.min(k, l.levels.length - 1)));
}

/**
 * The run's search strategy: a grid, or NSGA-II seeded with the exact genome and the uniform levels, after
 * the per-layer sensitivity pass (whose composites come first in its first generation) when the run has one.
 */
function strategyFor(plan: RunPlan): SearchStrategy {
  const space = { levels: plan.space.layers.map((l) => l.levels.length) };
  const s = plan.config.search;
  if (s.strategy === 'grid') return gridSearch(space, GRID_BATCH);
  const nsga2 = (seeds: readonly Genome[], evaluated: readonly Member[], budget: number): SearchStrategy =>
    nsga2Search(space, { populationSize: s.population, budget, seed: s.seed, initial: [...seeds, ...initialGenomes(plan.space)], evaluated });
  if (s.sensitivity !== true) return nsga2([], [], s.budget);
  return sensitivitySeeded(space, { images: plan.config.images.search, maxLoss: s.maxLoss, budget: s.budget, batch: s.population }, nsga2);
}

/**
 * Search objectives of a row: maximise correct, minimise cycles. A point
 * losing more than `maxLoss` percentage points of top-1 against the exact
 * model (`exactCorrect` on the same images) violates by the excess; one that
 * does not fit the flash violates by 100 more.
 */
export function rowEvaluation(row: PointRow, exactCorrect: number, maxLoss: number): Evaluation {
  return boardsEvaluation([row], null, exactCorrect, maxLoss);
}

/**
 * Search objectives of one configuration's rows on several boards (same
 * accuracy, each board's latency). With one board: its cycles, as
 * {@link rowEvaluation}. With several: the sum over the boards of the
 * cycles relative to that board's exact baseline (`baselines[b]`), so each
 * board weighs the same whatever its clock and wait states, and the search
 * spends its budget on configurations fast on all of them; the fronts are
 * then computed per board from the stored points. A point that does not fit
 * a board violates by 100 for each such board.
 */
export function boardsEvaluation(rows: readonly PointRow[], baselines: readonly number[] | null, exactCorrect: number, maxLoss: number): Evaluation {
  const row = rows[0];
  const excess = Math.max(0, ((exactCorrect - row.correct) / row.images) * 100 - maxLoss);
  const cycles = rows.length === 1 || baselines === null ? row.cycles : rows.reduce((s, r, b) => s + r.cycles / baselines[b], 0);
  return { objectives: [-row.correct, cycles], violation: excess + rows.reduce((s, r) => s + (r.fits ? 0 : 100), 0) };
}

/** Each board's exact baseline cycles, from its stored reference (the references phase ran before). */
function baselineCycles(ctx: RunContext): number[] {
  return ctx.boards.map((b) => readStore(b.dir).reference?.baseline.cycles ?? 1);
}

/** Runs `strategy` over `space` to its end, batch by batch; false when the run stopped. */
async function searchSpace(ctx: RunContext, phase: Phase, space: ConfigSpace, strategy: SearchStrategy, total: number): Promise<boolean> {
  const { progress, memos, significance } = ctx;
  const baselines = ctx.boards.length > 1 ? baselineCycles(ctx) : null;
  let done = 0; // rows of finished batches
  let inBatch = 0; // rows stored in the current batch
  let fresh = 0; // rows stored by this process in the phase
  const phaseCtx: EvaluatorContext = {
    ...ctx.evaluator,
    store: (row, board) => {
      const go = ctx.evaluator.store(row, board);
      if (board > 0) return go; // progress counts configurations (the first board's rows)
      inBatch++;
      fresh++;
      progress?.update({ phase, done: done + inBatch, total, evaluated: fresh });
      return go;
    },
  };
  const request = (genome: Genome): PointRequest => {
    const config = configurationFromLevels(space, genome);
    return { genome, config, masks: () => masksFor(config, significance.get(config.metric)!) };
  };
  if (total > 0) progress?.update({ phase, done: 0, total, evaluated: 0 });
  for (let batch = strategy.ask(); batch !== null; batch = strategy.ask()) {
    inBatch = 0;
    const rows = await evaluateBatch(phaseCtx, memos, phase, batch.map(request));
    if (rows === null) return false;
    done += batch.length;
    progress?.update({ phase, done, total, evaluated: fresh });
    strategy.tell(batch.map((_, i) => boardsEvaluation(rows.map((r) => r[i]), baselines, ctx.exactCorrect, ctx.plan.config.search.maxLoss)));
  }
  return true;
}

/** The search over the run's space. */
export const searchPhase: RunPhase = {
  name: 'search',
  afterStop: false,
  pending: () => true,
  // a grid's budget is its size (see plan.ts)
  run: (ctx) => searchSpace(ctx, 'search', ctx.plan.space, strategyFor(ctx.plan), ctx.plan.config.search.budget),
};

/** The seed toolkit's grid beside the search (when the plan has one). */
export const seedGridPhase: RunPhase = {
  name: 'seed-grid',
  afterStop: false,
  pending: (_store, ctx) => ctx.plan.seedGridSpace !== null,
  run: (ctx) => {
    const sg = ctx.plan.seedGridSpace!;
    const genomes = Array.from({ length: spaceSize(sg) }, (_, i) => levelsAt(sg, i));
    const hashes = genomes.map((g) => configurationHash(configurationFromLevels(sg, g)));
    for (const b of ctx.boards) writeSeedGrid(b.dir, hashes);
    return searchSpace(ctx, 'seed-grid', sg, gridSearch({ levels: sg.layers.map((l) => l.levels.length) }, GRID_BATCH), genomes.length);
  },
};
