/**
 * The first phase of a run: the exact references (baseline and exact unpacked
 * latency, exact top-1 on the search images) and, with the emulated latency
 * source, Arm's CMSIS-NN on the same model and board (or why it was not found).
 */
import { measureCmsisNn } from '../evaluate/cmsis-nn-reference.js';
import { readStore, writeCmsisNn, writeReference } from '../store/run-store.js';
import type { RunPhase } from './phase.js';

/** The exact references, stored once. */
export const referencesPhase: RunPhase = {
  name: 'references',
  afterStop: false,
  pending: (store, ctx) => store.reference === null || (ctx.cmsisNn !== null && store.cmsisNn === null),
  run: async (ctx) => {
    const { plan, latency, pool, progress } = ctx;
    const store = readStore(plan.dir);
    progress?.update({ phase: 'references', done: 0, total: 1, evaluated: 0 });
    if (store.reference === null) {
      const ref = await latency.reference();
      [ctx.exactCorrect] = await Promise.all(pool.evaluate('search', [new Map()]));
      const n = plan.config.images.search;
      writeReference(plan.dir, {
        latency: latency.description,
        baseline: ref.baseline,
        unpackedExact: ref.unpackedExact,
        ...(ref.exactChosen ? { exactChosen: ref.exactChosen } : {}),
        exactSearch: { correct: ctx.exactCorrect, images: n, top1: ctx.exactCorrect / n },
      });
    }
    if (ctx.cmsisNn !== null && store.cmsisNn === null) {
      const m = plan.model;
      writeCmsisNn(plan.dir, await measureCmsisNn({ graph: m.graph, board: plan.board, preprocess: m.preprocess, dataDir: plan.dataDir, dir: ctx.cmsisNn.dir }));
    }
    progress?.update({ phase: 'references', done: 1, total: 1, evaluated: 1 });
    return true;
  },
};
