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

/** The exact references of one board (latency of the exact networks, exact top-1 on the search images), stored. */
async function exactReferences(ctx: RunContext, board: RunBoard): Promise<void> {
  const { plan, pool } = ctx;
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

/**
 * The references of one board that its store lacks. The exact references and CMSIS-NN's (its library
 * compiled, its network built and emulated) are measured at the same time: neither reads the other, and
 * each alone leaves a core idle. Stored in that order; an error of the exact references is reported
 * before one of CMSIS-NN, as when they ran one after the other.
 */
async function boardReferences(ctx: RunContext, board: RunBoard): Promise<void> {
  const { plan } = ctx;
  const store = readStore(board.dir);
  const m = plan.model;
  const cmsisNn = ctx.cmsisNn;
  const [exact, cmsis] = await Promise.allSettled([
    store.reference === null ? exactReferences(ctx, board) : Promise.resolve(),
    cmsisNn !== null && store.cmsisNn === null
      ? measureCmsisNn({ graph: m.graph, board: board.board, preprocess: m.preprocess, dataDir: plan.dataDir, dir: cmsisNn.dir })
      : Promise.resolve(null),
  ]);
  if (exact.status === 'rejected') throw exact.reason;
  if (cmsis.status === 'rejected') throw cmsis.reason;
  if (cmsis.value !== null) writeCmsisNn(board.dir, cmsis.value);
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
