/**
 * The first phase of a run: the exact references (baseline and exact unpacked
 * latency, exact top-1 on the search images) and, with the emulated latency
 * source, Arm's CMSIS-NN on the same model and board (or why it was not
 * found), for every board of the run; the exact top-1 is evaluated once.
 */
import { measureCmsisNn } from '../evaluate/cmsis-nn-reference.js';
import { readStore, writeCmsisNn, writeReference, type StoreContents } from '../store/run-store.js';
import type { RunBoard, RunContext, RunPhase } from './phase.js';

/** Whether a board's store lacks a reference the run measures. */
const lacksReferences = (store: StoreContents, ctx: RunContext): boolean => store.reference === null || (ctx.cmsisNn !== null && store.cmsisNn === null);

/** The references of one board that its store lacks. */
async function boardReferences(ctx: RunContext, board: RunBoard): Promise<void> {
  const { plan, pool } = ctx;
  const store = readStore(board.dir);
  if (store.reference === null) {
    const ref = await board.latency.reference();
    // the exact top-1 does not depend on the board: evaluated by the first board that needs it, then shared
    const known = ctx.boards.map((b) => readStore(b.dir).reference).find((r) => r !== null);
    if (known) ctx.exactCorrect = known.exactSearch.correct;
    else [ctx.exactCorrect] = await Promise.all(pool.evaluate('search', [new Map()]));
    const n = plan.config.images.search;
    writeReference(board.dir, {
      latency: board.latency.description,
      baseline: ref.baseline,
      unpackedExact: ref.unpackedExact,
      ...(ref.exactChosen ? { exactChosen: ref.exactChosen } : {}),
      exactSearch: { correct: ctx.exactCorrect, images: n, top1: ctx.exactCorrect / n },
    });
  }
  if (ctx.cmsisNn !== null && store.cmsisNn === null) {
    const m = plan.model;
    writeCmsisNn(board.dir, await measureCmsisNn({ graph: m.graph, board: board.board, preprocess: m.preprocess, dataDir: plan.dataDir, dir: ctx.cmsisNn.dir }));
  }
}

/** The exact references, stored once per board. */
export const referencesPhase: RunPhase = {
  name: 'references',
  afterStop: false,
  pending: lacksReferences,
  run: async (ctx) => {
    const { progress } = ctx;
    const todo = ctx.boards.filter((b) => lacksReferences(readStore(b.dir), ctx));
    progress?.update({ phase: 'references', done: 0, total: todo.length, evaluated: 0 });
    for (const [i, board] of todo.entries()) {
      await boardReferences(ctx, board);
      progress?.update({ phase: 'references', done: i + 1, total: todo.length, evaluated: i + 1 });
    }
    return true;
  },
};
