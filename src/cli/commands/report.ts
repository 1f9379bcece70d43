import { basename, resolve } from 'node:path';
import { writeBoardsReport } from '../../explore/report/boards-report.js';
import { boardStoreDir, runBoards } from '../../explore/store/board-stores.js';
import type { Command } from 'commander';
import { writeReportFiles } from '../../explore/report/write-report.js';
import { readStore } from '../../explore/store/run-store.js';

/** `sim-dse report <run>`: regenerates the front files and the report of a run directory. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Regenerate front.csv, front.json, report.md and its plots from a run directory')
    .argument('<run>', 'run directory (runs/<id>)')
    .addHelpText('after', '\nExample:\n  sim-dse report runs/lenet-1a2b3c4d5e')
    .action((run: string) => {
      const dir = resolve(run);
      const boards = runBoards(dir);
      if (boards === null) {
        const a = writeReportFiles(readStore(dir));
        process.stdout.write(`${dir}/report.md: ${a.points.length} points, front of ${a.front.length}${a.complete ? '' : ' (run not finished)'}\n`);
        return;
      }
      const analyses = boards.map((board) => ({ board, analysis: writeReportFiles(readStore(boardStoreDir(dir, board))) }));
      writeBoardsReport(dir, basename(dir), analyses);
      const fronts = analyses.map((b) => `${b.board} front of ${b.analysis.front.length}`).join(', ');
      process.stdout.write(`${dir}/report.md: ${analyses[0].analysis.points.length} points, ${fronts}${analyses.every((b) => b.analysis.complete) ? '' : ' (run not finished)'}\n`);
    });
}
