import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatPointDetails, pointDetails } from '../../explore/report/show-point.js';
import { parseIntOption } from '../../util/parse-options.js';
import { readStore } from '../../explore/store/run-store.js';
import { boardStore } from '../../explore/store/board-stores.js';

/** `sim-dse show <run> --point K`: one evaluated point of a run. */
export function registerShow(program: Command): void {
  program
    .command('show')
    .description('Print one evaluated point of a run: configuration, top-1, cycles, flash, per-layer detail')
    .argument('<run>', 'run directory (runs/<id>)')
    .requiredOption('--point <k>', 'row number (0-based, as in front.csv and report.md)')
    .option('--board <id>', 'a run of several boards: the board whose latency to show (required there)')
    .option('--json', 'print the point as JSON', false)
    .addHelpText('after', '\nExamples:\n  sim-dse show runs/lenet-1a2b3c4d5e --point 42 --json\n  sim-dse show runs/lenet-0a1b2c3d4e --point 42 --board nucleo-l4r5zi')
    .action((run: string, opts: { point: string; board?: string; json: boolean }) => {
      const k = parseIntOption('--point', opts.point, 0, 0);
      const d = pointDetails(readStore(boardStore(resolve(run), opts.board)), k);
      process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : formatPointDetails(d));
    });
}
