/**
 * The last phase of a run: the report files, written from the store whether
 * the run completed or was stopped; for a run of several boards, each board's
 * report in its store and the comparison report in the run directory.
 */
import { basename } from 'node:path';
import { writeBoardsReport } from '../report/boards-report.js';
import { writeReportFiles } from '../report/write-report.js';
import { readStore } from '../store/run-store.js';
import type { RunPhase } from './phase.js';

/** The report files (rewritten on every run: they depend on the whole store). */
export const reportPhase: RunPhase = {
  name: 'report',
  afterStop: true,
  pending: () => true,
  run: async (ctx) => {
    const boards = ctx.boards.map((b) => ({ board: b.board.id, analysis: writeReportFiles(readStore(b.dir)) }));
    ctx.analysis = boards[0].analysis;
    ctx.analyses = boards;
    if (boards.length > 1) writeBoardsReport(ctx.plan.dir, basename(ctx.plan.dir), boards);
    return true;
  },
};
