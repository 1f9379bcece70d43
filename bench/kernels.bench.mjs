#!/usr/bin/env node
// Kernel build and emulation speed, single thread, both shared models:
//   - cold compile time (cache off) of one layer variant: the largest conv layer, unpacked
//     and baseline;
//   - emulation time of one inference (baseline and exact unpacked network images, warm run
//     only) and the emulated instructions per second.
// Run after `npm run build` (imports from dist/):
//   node bench/kernels.bench.mjs [--board nucleo-f446re] [--repeat 3]
// Prints a Markdown table to paste into bench/RESULTS.md under "## Kernels".
import { cpus } from 'node:os';
import { getBoard } from '../dist/emulator/boards.js';
import { compileAndLink } from '../dist/kernels/compile/compile.js';
import { defaultEmitters } from '../dist/kernels/emitters.js';
import { buildNetwork, withLargeFlash } from '../dist/kernels/network/build.js';
import { NetworkRunner } from '../dist/kernels/network/emulate.js';
import { planNetwork } from '../dist/kernels/network/plan.js';
import { createEngine } from '../dist/model/engine/index.js';
import { prepareGraph } from '../dist/model/engine/prepare.js';
import { resolveModel } from '../dist/model/registry.js';
import { loadCifar10 } from '../dist/model/dataset/cifar10.js';
import { modelInputs } from '../dist/model/dataset/preprocess.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const board = getBoard(arg('--board', 'nucleo-f446re'));
const repeat = Number(arg('--repeat', '3'));
const emitters = defaultEmitters();
const ds = loadCifar10({ split: 'test' });
const rows = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const name of ['lenet', 'resnet8']) {
  const model = resolveModel(name);
  const prepared = prepareGraph(model.graph);
  const weighted = prepared.ops.filter((o) => o.kind === 'conv');
  const largest = weighted.reduce((a, b) => (b.weights.length > a.weights.length ? b : a));
  for (const style of ['unpacked', 'baseline']) {
    const fn = `layer_${largest.opIndex}`;
    const emitted = style === 'unpacked' ? emitters.unpacked(largest, fn) : emitters.baseline(largest, fn);
    const sources = [emitted.source, ...(style === 'baseline' ? emitters.librarySources() : [])];
    const t0 = performance.now();
    await compileAndLink({ sources, board: withLargeFlash(board), cache: false, jobs: 1 });
    rows.push({ model: name, what: `compile conv#${largest.opIndex} (${largest.weights.length} weights), ${style}, cold`, value: `${((performance.now() - t0) / 1000).toFixed(2)} s` });
  }
  const input = modelInputs(ds, model.graph, model.preprocess, 1).input(0);
  const netInput = createEngine(model.graph).trace(input).get(planNetwork(prepared).inputTensor);
  for (const style of ['baseline', 'unpacked']) {
    const image = await buildNetwork(prepared, { style }, board, emitters);
    const runner = new NetworkRunner(image);
    const times = [];
    let run;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      run = runner.infer(netInput, false);
      times.push(performance.now() - t0);
    }
    runner.close();
    const ms = median(times);
    rows.push({ model: name, what: `emulate one inference, ${style} (${(run.instructions / 1e6).toFixed(2)} M instr, ${(run.cycles / 1e6).toFixed(2)} M cycles)`, value: `${ms.toFixed(0)} ms, ${(run.instructions / ms / 1e3).toFixed(0)} M instr/s` });
  }
}
console.log(`# kernels bench: ${board.id} timing, ${cpus()[0].model}, ${cpus().length} cores, node ${process.version}\n`);
console.log('| model | measurement | figure |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.model} | ${r.what} | ${r.value} |`);
