#!/usr/bin/env node
// Code and data placement, per board: cycles of one inference of the exact baseline with
// everything in flash and with `--place auto` (measured savings, knapsack under the SRAM
// budget), the saving, and the placement chosen; each output checked against the engine.
// With --speed: emulation speed of the same all-flash image (instructions per wall second,
// median of --repeat cold inferences), so the cycle model's cost can be compared with another
// checkout's build: `node bench/placement.bench.mjs --speed --root /path/to/other/checkout`.
// Run after `npm run build` (imports from dist/):
//   node bench/placement.bench.mjs [--models lenet,resnet8] [--boards nucleo-f446re,nucleo-l4r5zi]
//   node bench/placement.bench.mjs --speed [--root DIR] [--repeat 5]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const root = resolve(arg('--root', new URL('..', import.meta.url).pathname));
const load = (p) => import(pathToFileURL(resolve(root, 'dist', p)).href);
const { getBoard } = await load('emulator/boards.js');
const { defaultEmitters } = await load('kernels/emitters.js');
const { buildNetwork } = await load('kernels/network/build.js');
const { NetworkRunner } = await load('kernels/network/emulate.js');
const { planNetwork } = await load('kernels/network/plan.js');
const { createEngine } = await load('model/engine/index.js');
const { prepareGraph } = await load('model/engine/prepare.js');
const { resolveModel } = await load('model/registry.js');
const { loadCifar10 } = await load('model/dataset/cifar10.js');
const { modelInputs } = await load('model/dataset/preprocess.js');

const models = arg('--models', 'lenet,resnet8').split(',');
const boards = arg('--boards', 'nucleo-f446re,nucleo-l4r5zi').split(',');
const repeat = Number(arg('--repeat', '5'));
const ds = loadCifar10({ split: 'test' });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv.includes('--speed')) {
  console.log(`| model | board | instructions | M instr/s wall / CPU (median of ${repeat}) | checkout |`);
  console.log('|---|---|---|---|---|');
  for (const name of models) {
    const model = resolveModel(name);
    const prepared = prepareGraph(model.graph);
    const input = modelInputs(ds, model.graph, model.preprocess, 1).input(0);
    const netInput = createEngine(model.graph).trace(input).get(planNetwork(prepared).inputTensor);
    for (const b of boards) {
      const image = await buildNetwork(prepared, { style: 'baseline' }, getBoard(b), defaultEmitters());
      const runner = new NetworkRunner(image);
      const times = [];
      const cpu = [];
      let run;
      for (let i = 0; i < repeat; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        run = runner.infer(netInput, false);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        times.push(performance.now() - t0);
      }
      runner.close();
      const rate = (ms) => (run.instructions / ms / 1000).toFixed(1);
      console.log(`| ${name} | ${b} | ${run.instructions} | ${rate(median(times))} / ${rate(median(cpu))} | ${root} |`);
    }
  }
} else {
  const { profileNetwork } = await load('kernels/profile.js');
  const { parsePlace } = await load('kernels/placement/placement.js');
  console.log('| model | board | all in flash (cycles) | --place auto (cycles) | saving | placement chosen |');
  console.log('|---|---|---|---|---|---|');
  for (const name of models) {
    const model = resolveModel(name);
    const input = modelInputs(ds, model.graph, model.preprocess, 1).input(0);
    for (const b of boards) {
      const board = getBoard(b);
      const flash = (await profileNetwork(model.graph, { style: 'baseline' }, board, input, { place: parsePlace('flash') })).profile;
      const auto = (await profileNetwork(model.graph, { style: 'baseline' }, board, input, { place: parsePlace('auto') })).profile;
      if (!flash.matchesEngine || !auto.matchesEngine) throw new Error(`${name} ${b}: output differs from the engine`);
      const saving = (1 - auto.cycles / flash.cycles) * 100;
      console.log(`| ${name} | ${b} | ${flash.cycles} | ${auto.cycles} | ${saving.toFixed(1)} % | ${auto.placement} |`);
    }
  }
}
