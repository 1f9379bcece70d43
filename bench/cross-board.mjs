#!/usr/bin/env node
// A stored point of a run timed on another board: its configuration's masks (the run's metric and skip
// unit, refitted when the run compensated) costed by the emulated latency source of BOARD, which picks each
// layer's fastest feasible kernel style and placement for that board, as a run on it would (layer variants
// compiled and emulated, through the variant cache: SIM_DSE_CACHE). On the run's own board it prints the
// run's figure. Run after `npm run build` (imports from dist/):
//   node bench/cross-board.mjs --run RUN_DIR --point N --board nucleo-f446re
// Prints the board's exact baseline, its exact model with the chosen kernels and the point, then per layer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBoard } from '../dist/emulator/boards.js';
import { createEmulatedLatency } from '../dist/explore/evaluate/emulated-latency.js';
import { calibrationInputs } from '../dist/explore/significance/calibration.js';
import { loadCompensation } from '../dist/explore/significance/compensation-cache.js';
import { significanceForModel } from '../dist/explore/significance/for-model.js';
import { masksFor } from '../dist/explore/space/masks.js';
import { rowConfiguration } from '../dist/explore/store/point-config.js';
import { testImageInput } from '../dist/model/dataset/preprocess.js';
import { resolveModel } from '../dist/model/registry.js';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  if (i < 0) throw new Error(`missing ${name} (see the header of ${process.argv[1]})`);
  return process.argv[i + 1];
};
const dir = arg('--run');
const board = getBoard(arg('--board'));
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const row = readFileSync(join(dir, 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.id === Number(arg('--point')));
if (row === undefined) throw new Error(`run ${dir} has no point ${arg('--point')}`);
const model = resolveModel(config.model.name);
const masks = masksFor(rowConfiguration(row), significanceForModel(model, row.config.metric, { calibration: config.calibration }).significance);
const compensation = config.compensation
  ? loadCompensation(model.graph, calibrationInputs(model.graph, model.preprocess, config.calibration), config.compensation.damping).compensation
  : undefined;
const latency = createEmulatedLatency({ graph: model.graph, board, input: testImageInput(model.graph, model.preprocess, 0), ...(compensation && { compensation }) });
const ref = await latency.reference();
const p = await latency.point(masks);
const pct = (c) => `${((1 - c / ref.baseline.cycles) * 100).toFixed(1)} %`;
console.log(`${model.name} point ${row.id} of ${dir} (run board ${config.board}, top-1 ${row.top1}) on ${board.id}:`);
console.log(`exact baseline ${ref.baseline.cycles}; exact, chosen kernels ${ref.exactChosen.cycles} (-${pct(ref.exactChosen.cycles)}); point ${p.cycles} (-${pct(p.cycles)}), flash ${p.flashBytes} B, fits ${p.fits}`);
console.log('\n| layer | skipped / weights | cycles | kernel |\n|---|---|---|---|');
for (const l of p.perLayer) {
  const s = row.layers.find((x) => x.opIndex === l.opIndex);
  console.log(`| ${l.opIndex} | ${s.skipped} / ${s.weights} | ${l.cycles} | ${l.kernels} |`);
}
await latency.close?.();
