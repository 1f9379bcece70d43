/** The first phase of a run: the exact references (baseline and exact unpacked latency, exact top-1 on the search images). */
import { writeReference } from '../store/run-store.js';
import type { RunPhase } from './phase.js';

/** The exact references, stored once. */
export const referencesPhase: RunPhase = {
  name: 'references',
  afterStop: false,
  pending: (store) => store.reference === null,
  run: async (ctx) => {
    const { plan, latency, pool, progress } = ctx;
    progress?.update({ phase: 'references', done: 0, total: 1, evaluated: 0 });
    const ref = await latency.reference();
    [ctx.exactCorrect] = await Promise.all(pool.evaluate('search', [new Map()]));
    const n = plan.config.images.search;
    writeReference(plan.dir, {
      latency: latency.description,
      baseline: ref.baseline,
      unpackedExact: ref.unpackedExact,
      exactSearch: { correct: ctx.exactCorrect, images: n, top1: ctx.exactCorrect / n },
    });
    progress?.update({ phase: 'references', done: 1, total: 1, evaluated: 1 });
    return true;
  },
};
