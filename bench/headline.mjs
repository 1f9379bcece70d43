// The headline of finished `sim-dse run` directories: at a top-1 loss budget (default 0), the
// point's cycles against the exact baseline, the exact model with the per-layer style and placement
// choice (what skipping adds) and CMSIS-NN, its time at the board's clock, and its per-layer
// cycles with kernel style, skipped fraction and placement. Reads the stores only.
//
//   npm run build && node bench/headline.mjs runs/<id> [runs/<id> ...] [--loss 0]
import { getBoard } from '../dist/emulator/boards.js';
import { reductionAtLoss } from '../dist/explore/front/analysis.js';
import { readStore } from '../dist/explore/store/run-store.js';
import { rowPlacement } from '../dist/explore/store/rows.js';
import { homesOf, layerUnit, LIBRARY_UNIT } from '../dist/kernels/placement/placement.js';

const args = process.argv.slice(2);
const li = args.indexOf('--loss');
const loss = li >= 0 ? Number(args.splice(li, 2)[1]) : 0;
const pct = (x) => `${(100 * x).toFixed(1)} %`;
const M = (c) => `${(c / 1e6).toFixed(2)} M`;

for (const dir of args) {
  const store = readStore(dir);
  const ref = store.reference;
  const red = reductionAtLoss(store, loss);
  if (!ref || !red) {
    console.log(`${dir}: not finished (no references or no full-test-set results)`);
    continue;
  }
  const board = getBoard(store.config.board);
  const p = red.point;
  const cmsis = store.cmsisNn?.found ? store.cmsisNn : null;
  console.log(`\n### ${store.config.model.name} on ${board.id} (${dir})\n`);
  console.log('| exact baseline | exact, chosen kernels | CMSIS-NN | point at <= ' + loss + ' pp | vs baseline | vs exact, chosen kernels | vs CMSIS-NN | ms at ' + board.clockHz / 1e6 + ' MHz | top-1 (full) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${M(ref.baseline.cycles)} | ${ref.exactChosen ? M(ref.exactChosen.cycles) : 'n/a'} | ${cmsis ? M(cmsis.cycles) : 'n/a'} | ${typeof p.id === 'number' ? '#' + p.id : p.id}: ${M(p.cycles)} | ${pct(red.vsBaseline)} | ` +
      `${red.vsExactChosen === null ? 'n/a' : pct(red.vsExactChosen)} | ${cmsis ? pct(1 - p.cycles / cmsis.cycles) : 'n/a'} | ${((1000 * p.cycles) / board.clockHz).toFixed(1)} | ${pct(p.top1)} (${red.loss.toFixed(2)} pp) |`,
  );
  if (ref.exactChosen) console.log(`\nExact model's choice: ${ref.exactChosen.placement ?? 'all in flash'}; exact baseline ${pct(1 - ref.exactChosen.cycles / ref.baseline.cycles)} slower than it.`);
  if (typeof p.id !== 'number') continue;
  const row = store.points[p.id];
  const place = rowPlacement(row);
  console.log(`\nPer layer (point #${row.id}, library code: ${homesOf(place, LIBRARY_UNIT).code}):\n`);
  console.log('| op | style | code/constants | skipped | cycles |');
  console.log('|---|---|---|---|---|');
  for (const l of row.layers) {
    const h = homesOf(place, layerUnit(l.opIndex));
    console.log(`| ${l.opIndex} | ${l.kernels ?? '-'} | ${h.code}/${h.data} | ${l.skipped}/${l.weights} (${pct(l.skipped / l.weights)}) | ${l.cycles.toLocaleString('en-US')} |`);
  }
  console.log(`\nConfiguration: ${JSON.stringify(row.config)}`);
}
