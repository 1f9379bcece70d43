#!/usr/bin/env node
// Flash of the analytic latency provider (--latency macs, src/explore/evaluate/macs-latency.ts)
// against the pre-compile estimate of the same masked network (its sources emitted) and the
// linked image (unpacked kernels, compiled through the object cache): each maskable layer with
// the given fraction of its smallest-magnitude weights skipped (ties by index), the order a
// magnitude metric ranks them in. The old proxy (4 B per kept weight + 20 B per output channel)
// is printed beside it.
// Run after `npm run build` (imports from dist/):
//   node bench/macs-proxy-flash.bench.mjs [--models lenet,resnet8] [--fractions 0,0.3,0.5] [--board nucleo-l4r5zi]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const option = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const modules = ['emulator/boards.js', 'kernels/emitters.js', 'kernels/network/build.js', 'kernels/network/assemble.js', 'kernels/network/size-estimate.js', 'model/engine/prepare.js', 'model/registry.js', 'explore/evaluate/macs-latency.js'];
const dist = Object.assign({}, ...(await Promise.all(modules.map((m) => import(pathToFileURL(resolve(import.meta.dirname, '..', 'dist', m)).href)))));
const { getBoard, defaultEmitters, buildNetwork, assembleNetwork, estimateNetworkSize, isWeightedOp, prepareGraph, resolveModel, createMacsLatency } = dist;

const board = getBoard(option('--board', 'nucleo-l4r5zi'));
const fractions = option('--fractions', '0,0.3,0.5').split(',').map(Number);
console.log('model | skipped | old proxy | proxy | estimate (emitted) | built | proxy / built | provider set-up ms');
const ratios = [];
for (const name of option('--models', 'lenet,resnet8').split(',')) {
  const graph = resolveModel(name).graph;
  const prepared = prepareGraph(graph);
  const ops = prepared.ops.filter(isWeightedOp);
  const t = Date.now();
  const provider = createMacsLatency(graph, board);
  await provider.reference();
  const setup = Date.now() - t;
  for (const fraction of fractions) {
    const masks = new Map();
    let old = 0;
    for (const op of ops) {
      const m = new Uint8Array(op.weights.length);
      const order = [...m.keys()].sort((a, b) => Math.abs(op.weights[a]) - Math.abs(op.weights[b]) || a - b);
      for (const i of order.slice(0, Math.round(fraction * m.length))) m[i] = 1;
      if (fraction > 0) masks.set(op.opIndex, m);
      old += 4 * (m.length - m.reduce((s, x) => s + x, 0)) + 20 * op.geometry.oc;
    }
    const proxy = (await provider.point(masks)).flashBytes;
    const estimate = estimateNetworkSize(assembleNetwork(prepared, { style: 'unpacked', masks }, defaultEmitters())).flash;
    const image = await buildNetwork(prepared, { style: 'unpacked', masks }, board, defaultEmitters(), { roomInSram: true });
    ratios.push(proxy / image.sizes.flash);
    console.log([name, fraction, old, proxy, estimate, image.sizes.flash, (proxy / image.sizes.flash).toFixed(3), setup].join(' | '));
  }
}
console.log(`proxy / built: ${Math.min(...ratios).toFixed(3)} .. ${Math.max(...ratios).toFixed(3)}`);
