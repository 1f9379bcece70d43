#!/usr/bin/env node
// What compensating skipped weights buys in top-1 (src/model/compensation): each compensable layer
// skipped alone at growing fractions of its units (the run's ranking: `--metric` contribution, or obs, the
// OBS saliency after refitting; skip unit weight / pair / sparse as `sim-dse run --skip-unit`), top-1 on all 10,000 CIFAR-10 test images
// with the mask alone ("plain", what the kernels compute today) and with the kept weights and bias
// of each output channel refitted by least squares over the calibration images' activations
// ("compensated"). The Gram matrices use the significance's calibration images (data_batch_1).
// The first line gives the significance's time (computed cold, or read from the cache: SIM_DSE_CACHE).
// Run after `npm run build` (imports from dist/):
//   node bench/compensation.bench.mjs [--model lenet] [--metric contribution|obs] [--layers 1,3,5] [--units pair,sparse] [--levels 0.1,0.2,0.3,0.4] [--calibration 128]
// Prints one Markdown table per model for bench/RESULTS.md (correct predictions of 10,000).
import { join } from 'node:path';
import { calibrationInputs, DEFAULT_CALIBRATION_IMAGES, significanceForModel } from '../dist/explore/significance/index.js';
import { layerMask } from '../dist/explore/space/masks.js';
import { compensableLayers, compensatedGraph, layerInverses } from '../dist/model/compensation/index.js';
import { loadCifar10 } from '../dist/model/dataset/cifar10.js';
import { modelInputs } from '../dist/model/dataset/preprocess.js';
import { createEngine } from '../dist/model/engine/index.js';
import { resolveModel } from '../dist/model/registry.js';

const root = join(import.meta.dirname, '..');
const shared = process.env.SIM_DSE_SHARED ?? join(root, '..', 'shared');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const model = resolveModel(arg('--model', 'lenet'), { modelsDir: join(shared, 'models') });
const dataDir = join(shared, 'datasets', 'cifar10');
const units = arg('--units', 'pair,sparse').split(',');
const levels = arg('--levels', '0.1,0.2,0.3,0.4').split(',').map(Number);
const calibration = Number(arg('--calibration', String(DEFAULT_CALIBRATION_IMAGES)));
const metric = arg('--metric', 'contribution');
const graph = model.graph;
const layers = arg('--layers', [...compensableLayers(graph).keys()].join(',')).split(',').map(Number);

const tSig = performance.now();
const loaded = significanceForModel(model, metric, { calibration, dataDir });
const sig = loaded.significance;
const sigTime = (performance.now() - tSig) / 1000;
const test = modelInputs(loadCifar10({ dir: dataDir, split: 'test' }), graph, model.preprocess);
const images = Array.from({ length: test.count }, (_, i) => test.input(i));
const engine = createEngine(graph);
const correct = (eng, masks) => {
  const p = eng.classify(images, masks);
  let c = 0;
  for (let i = 0; i < p.length; i++) c += p[i] === test.labels[i] ? 1 : 0;
  return c;
};
const t0 = performance.now();
const inverses = layerInverses(engine, calibrationInputs(graph, model.preprocess, calibration, dataDir), layers);
const setup = (performance.now() - t0) / 1000;
const exact = correct(engine);
console.log(`${model.name}, ${metric} ranking (${loaded.source.kind} in ${sigTime.toFixed(1)} s with its calibration images): exact ${exact} of ${test.count}; Gram inverses of ${layers.length} layers on ${calibration} calibration images in ${setup.toFixed(1)} s`);
console.log(`\n| layer | unit | ${levels.map((l) => `${Math.round(l * 100)} % plain / compensated`).join(' | ')} |`);
console.log(`|---|---|${levels.map(() => '---').join('|')}|`);
for (const op of layers) {
  const layer = sig.layers.find((l) => l.opIndex === op);
  for (const unit of units) {
    const cells = levels.map((value) => {
      const mask = layerMask(layer, metric, { kind: 'fraction', value }, unit);
      if (mask === null) return '-';
      const masks = new Map([[op, mask]]);
      const plain = correct(engine, masks);
      const comp = correct(createEngine(compensatedGraph(graph, masks, inverses)), masks);
      return `${plain - exact} / **${comp - exact}**`;
    });
    console.log(`| ${graph.ops[op].kind.toLowerCase()}#${op} | ${unit} | ${cells.join(' | ')} |`);
  }
}
console.log(`\ncells: correct predictions minus the exact model's ${exact}, mask alone / compensated`);
