/** The last phase of a run: the report files, written from the store whether the run completed or was stopped. */
import { writeReportFiles } from '../report/write-report.js';
import type { RunPhase } from './phase.js';

/** The report files (rewritten on every run: they depend on the whole store). */
export const reportPhase: RunPhase = {
  name: 'report',
  afterStop: true,
  pending: () => true,
  run: async (ctx, store) => {
    ctx.analysis = writeReportFiles(store);
    return true;
  },
};
