#!/usr/bin/env node
// Calibration of the pre-compile fit check (src/kernels/network/size-estimate.ts): for each
// model, kernel style and mask (exact, and every maskable layer with a seeded fraction of its
// weights skipped), the flash estimated from the generated sources against the flash of the
// linked image (compiled through the object cache), and the ratio estimate / built; the last
// line gives the range of the ratio, which ESTIMATE_RATIO must enclose.
// Run after `npm run build` and `node scripts/generate-models.mjs` (imports from dist/):
//   node bench/fit-estimate.bench.mjs [--models lenet,resnet8,generated-models/mobilenet-128.tflite,generated-models/resnet14.tflite]
//                                     [--styles baseline,unpacked] [--fractions 0,0.5] [--board nucleo-f446re]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const root = resolve(new URL('..', import.meta.url).pathname);
const load = (p) => import(pathToFileURL(resolve(root, 'dist', p)).href);
const { getBoard } = await load('emulator/boards.js');
const { defaultEmitters } = await load('kernels/emitters.js');
const { buildNetwork } = await load('kernels/network/build.js');
const { assembleNetwork } = await load('kernels/network/assemble.js');
const { estimateNetworkSize, ESTIMATE_RATIO } = await load('kernels/network/size-estimate.js');
const { prepareGraph } = await load('model/engine/prepare.js');
const { resolveModel } = await load('model/registry.js');
const { isMaskable } = await load('model/ir.js');

const models = arg('--models', 'lenet,resnet8,generated-models/mobilenet-128.tflite,generated-models/resnet14.tflite').split(',');
const styles = arg('--styles', 'baseline,unpacked').split(',');
const fractions = arg('--fractions', '0,0.5').split(',').map(Number);
const board = getBoard(arg('--board', 'nucleo-f446re'));

/** Seeded masks skipping about `fraction` of every maskable layer's weights. */
function masksOf(graph, fraction) {
  if (fraction === 0) return undefined;
  let s = 12345;
  const masks = new Map();
  for (const op of graph.ops) {
    if (!isMaskable(op)) continue;
    const m = new Uint8Array(graph.tensors[op.inputs[1]].data.byteLength);
    for (let i = 0; i < m.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      m[i] = s / 2 ** 32 < fraction ? 1 : 0;
    }
    masks.set(op.index, m);
  }
  return masks;
}

console.log(`| model | kernels | skipped | estimated flash | built flash | estimate / built | estimated SRAM | built RAM (data+bss+stack) |`);
console.log('|---|---|---|---|---|---|---|---|');
let lo = Infinity;
let hi = 0;
for (const name of models) {
  const m = resolveModel(name, { resize: 'bilinear' });
  const prepared = prepareGraph(m.graph);
  for (const style of styles) {
    for (const fraction of fractions) {
      const spec = { style, masks: masksOf(m.graph, fraction) };
      const est = estimateNetworkSize(assembleNetwork(prepared, spec, defaultEmitters()));
      // linked with room in SRAM: the flash estimate is calibrated also where an inference exceeds the SRAM (mobilenet-128 unpacked)
      const image = await buildNetwork(prepared, spec, board, defaultEmitters(), { roomInSram: true });
      const ratio = est.flash / image.sizes.flash;
      lo = Math.min(lo, ratio);
      hi = Math.max(hi, ratio);
      console.log(`| ${m.name} | ${style} | ${fraction * 100} % | ${est.flash} | ${image.sizes.flash} | ${ratio.toFixed(3)} | ${est.sram} | ${image.sizes.ram} |`);
    }
  }
}
console.log(`\nestimate / built: ${lo.toFixed(3)} .. ${hi.toFixed(3)} (ESTIMATE_RATIO ${ESTIMATE_RATIO.min} .. ${ESTIMATE_RATIO.max})`);
