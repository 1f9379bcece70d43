#!/usr/bin/env node
// Cycles per MAC of every hand-scheduled (asm) unpacked structure on the layers with the most
// MACs (LeNet conv#3, ResNet-8 conv#5 and conv#9), exact weights, one cold call of the layer
// function per board, beside the baseline kernel of the same layer, plus the per-layer choice
// (choose.ts) and the cold compile time of the chosen variant and of the C smlad-p2-channel one.
// Optional pair-aligned skip levels: --skip 0,30,60 (percent of the weight pairs, random).
// Run after `npm run build` (imports from dist/):
//   node bench/unpacked-structures.bench.mjs [--boards ideal,nucleo-f446re,nucleo-l4r5zi] [--skip 0]
// Prints Markdown tables to paste into bench/RESULTS.md and src/kernels/unpacked/README.md.
import { getBoard } from '../dist/emulator/boards.js';
import { parseElf } from '../dist/emulator/elf.js';
import { Machine } from '../dist/emulator/machine.js';
import { compileAndLink } from '../dist/kernels/compile/compile.js';
import { defaultEmitters } from '../dist/kernels/emitters.js';
import { withLargeFlash } from '../dist/kernels/network/build.js';
import { chooseAsmStructure } from '../dist/kernels/unpacked/choose.js';
import { ASM_STRUCTURES, structureName } from '../dist/kernels/unpacked/structure.js';
import { prepareGraph } from '../dist/model/engine/prepare.js';
import { resolveModel } from '../dist/model/registry.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const boards = arg('--boards', 'ideal,nucleo-f446re,nucleo-l4r5zi').split(',').map(getBoard);
const skips = arg('--skip', '0').split(',').map(Number);
const LAYERS = [['lenet', 3], ['resnet8', 5], ['resnet8', 9]];
const emitters = defaultEmitters();

/** A mask skipping about `pct` % of the weight pairs (storage neighbours 2k, 2k + 1; input channels 2p, 2p + 1). */
function pairMask(n, pct, seed) {
  let s = seed >>> 0 || 1;
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i += 2) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const v = s % 100 < pct ? 1 : 0;
    m[i] = v;
    if (i + 1 < n) m[i + 1] = v;
  }
  return m;
}

/** Cold call cycles of `fn` in a one-layer image on `board`. */
async function cycles(sources, fn, op, scratch, board) {
  const { elf } = await compileAndLink({ sources, board: withLargeFlash(board) });
  const m = new Machine(parseElf(elf, fn), withLargeFlash(board), fn);
  const g = op.geometry;
  const input = new Uint8Array(g.n * g.h * g.w * g.c).map((_, i) => (i * 37) & 0xff);
  const r = m.call({ symbol: fn, args: [input, 0, new Uint8Array(g.n * g.oh * g.ow * g.oc), new Uint8Array(Math.max(4, scratch))] });
  m.close();
  if (r.kind !== 'ok') throw new Error(`${fn}: ${r.message}`);
  return r.cycles;
}

const rows = [];
const compileRows = [];
for (const [model, opIndex] of LAYERS) {
  const op = prepareGraph(resolveModel(model).graph).ops.find((p) => p.opIndex === opIndex);
  const label = `${model === 'lenet' ? 'LeNet' : 'ResNet-8'} conv#${opIndex}`;
  for (const pct of skips) {
    const mask = pct === 0 ? undefined : pairMask(op.weights.length, pct, 1000 + opIndex);
    const chosen = structureName(chooseAsmStructure(op, 'f', mask).structure);
    const variants = [
      { name: 'baseline', emit: (fn) => emitters.baseline(op, fn), lib: true },
      ...ASM_STRUCTURES.map((s) => ({ name: structureName(s), emit: (fn) => emitters.unpacked(op, fn, mask, { structure: s }), lib: false })),
    ];
    for (const v of variants) {
      if (v.name === 'baseline' && pct !== 0) continue;
      const fn = `l${opIndex}_${v.name.replace(/-/g, '_')}`;
      const e = v.emit(fn);
      const sources = [e.source, ...(v.lib ? emitters.librarySources() : [])];
      const per = [];
      for (const b of boards) per.push(await cycles(sources, fn, op, e.scratchBytes, b));
      rows.push({ label, pct, name: v.name + (v.name === chosen ? ' (chosen)' : ''), per, macs: op.macs });
    }
  }
  for (const [what, structure] of [['asm, chosen', undefined], ['C smlad-p2-channel', { mac: 'smlad', positions: 2, split: 'channel' }]]) {
    const e = emitters.unpacked(op, `c${opIndex}`, undefined, structure ? { structure } : {});
    const t0 = performance.now();
    await compileAndLink({ sources: [e.source], board: withLargeFlash(boards[0]), cache: false, jobs: 1 });
    compileRows.push(`| ${label} | ${what} | ${((performance.now() - t0) / 1000).toFixed(2)} s |`);
  }
}
console.log(`| layer | skipped pairs | structure | ${boards.map((b) => `${b.id} cycles (cycles/MAC)`).join(' | ')} |`);
console.log(`|---|---:|---|${boards.map(() => '---:').join('|')}|`);
for (const r of rows) {
  console.log(`| ${r.label} | ${r.pct} % | ${r.name} | ${r.per.map((c) => `${c.toLocaleString('en-US')} (${(c / r.macs).toFixed(2)})`).join(' | ')} |`);
}
console.log('\n| layer | unpacked variant | cold compile (gcc + as, one job) |\n|---|---|---:|');
for (const r of compileRows) console.log(r);
