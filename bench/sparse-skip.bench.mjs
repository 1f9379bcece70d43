#!/usr/bin/env node
// The sparse (skip-aware loop) kernel against the exact baseline, per conv layer and board:
// cycles of one warm call of the layer alone (costVariant) at 0, 10, 30, 60 % of its
// weight units skipped (randomSparseMask, seed 1), on the engine's input of that layer for
// CIFAR-10 test image 0. Every output is the engine's (checked by costVariant's caller below).
// Run after `npm run build` (imports from dist/):
//   node bench/sparse-skip.bench.mjs [--boards ideal,nucleo-f446re,nucleo-l4r5zi] [--layers lenet:3,resnet8:5,resnet8:9] [--place CODE/DATA]
// Prints Markdown tables (one per board) for bench/RESULTS.md and src/kernels/sparse/README.md.
import { getBoard } from '../dist/emulator/boards.js';
import { defaultEmitters } from '../dist/kernels/emitters.js';
import { costVariant } from '../dist/kernels/variant-cost.js';
import { sparseUnitCount } from '../dist/kernels/sparse/emit.js';
import { randomSparseMask } from '../dist/kernels/sparse/units.js';
import { createEngine } from '../dist/model/engine/index.js';
import { prepareGraph } from '../dist/model/engine/prepare.js';
import { resolveModel } from '../dist/model/registry.js';
import { loadCifar10 } from '../dist/model/dataset/cifar10.js';
import { modelInputs } from '../dist/model/dataset/preprocess.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const boards = arg('--boards', 'ideal,nucleo-f446re,nucleo-l4r5zi').split(',').map((b) => getBoard(b));
const layers = arg('--layers', 'lenet:3,resnet8:5,resnet8:9').split(',').map((s) => s.split(':'));
const FRACTIONS = [0, 0.1, 0.3, 0.6];
// --place CODE/DATA (flash or sram each, e.g. flash/sram): where the layer's code and constants live
// for both kernels while timed (the kernel library's code stays in flash); default flash/flash
const place = arg('--place', 'flash/flash');
const [code, data] = place.split('/');
if (![code, data].every((h) => h === 'flash' || h === 'sram')) throw new Error(`--place ${place}: CODE/DATA, each flash or sram`);
const placement = place === 'flash/flash' ? undefined : { layer: { code, data }, library: 'flash' };
const emitters = defaultEmitters();
const ds = loadCifar10({ split: 'test' });
const models = new Map();
for (const [name] of layers) {
  if (models.has(name)) continue;
  const model = resolveModel(name);
  const prepared = prepareGraph(model.graph);
  const trace = createEngine(model.graph).trace(modelInputs(ds, model.graph, model.preprocess, 1).input(0));
  models.set(name, { prepared, trace });
}
for (const board of boards) {
  console.log(`\n${board.id}: cycles of one warm call, code/constants ${place} (ratio to the exact baseline)\n`);
  console.log(`| layer | MACs | baseline exact | ${FRACTIONS.map((f) => `sparse ${f * 100} %`).join(' | ')} | slope (cycles per skipped unit) |`);
  console.log(`|---|---|---|${FRACTIONS.map(() => '---|').join('')}---|`);
  for (const [name, idx] of layers) {
    const { prepared, trace } = models.get(name);
    const op = prepared.ops.find((o) => o.opIndex === Number(idx));
    const req = { op, board, inputs: [trace.get(op.input)], outputBytes: trace.get(op.output).length, ...(placement ? { placement } : {}) };
    const base = await costVariant({ ...req, style: 'baseline', mask: null }, emitters);
    const cells = [];
    const points = [];
    for (const f of FRACTIONS) {
      const mask = f === 0 ? null : randomSparseMask(op, f, 1);
      const c = await costVariant({ ...req, style: 'sparse', mask }, emitters);
      points.push([sparseUnitCount(op, mask ?? undefined), c.cycles]);
      cells.push(`${(c.cycles / 1e6).toFixed(3)} M (${(c.cycles / base.cycles).toFixed(3)})`);
    }
    const [u0, c0] = points[0];
    const [u3, c3] = points[points.length - 1];
    const slope = (c0 - c3) / (u0 - u3);
    console.log(`| ${name} conv#${idx} | ${op.macs} | ${(base.cycles / 1e6).toFixed(3)} M | ${cells.join(' | ')} | ${slope.toFixed(1)} (${u0} units at 0 %) |`);
  }
}
