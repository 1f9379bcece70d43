import { resolve } from 'node:path';
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
      const a = writeReportFiles(readStore(dir));
      process.stdout.write(`${dir}/report.md: ${a.points.length} points, front of ${a.front.length}${a.complete ? '' : ' (run not finished)'}\n`);
    });
}
