#!/usr/bin/env node
// Cycles per MAC of the baseline kernel and of every hand-scheduled (asm) unpacked structure on the
// layers with the most MACs (LeNet conv#3, ResNet-8 conv#5 and conv#9), exact weights, one cold call
// of the layer function in a one-layer image, on `ideal`, nucleo-f446re and nucleo-l4r5zi with the
// layer's code in flash, in SRAM over the System bus (code and constants in SRAM) and in the SRAM2
// window at 0x1000_0000 on I-Code (code there, constants in SRAM; only when it fits the 64 KB window).
// The baseline's placed variants place the kernel library's code with the layer's.
// Run after `npm run build` (imports from dist/):
//   node bench/unpacked-placement.bench.mjs [--layers lenet:3,resnet8:5,resnet8:9]
// Prints a Markdown table for bench/RESULTS.md and src/kernels/unpacked/README.md.
import { getBoard } from '../dist/emulator/boards.js';
import { parseElf } from '../dist/emulator/elf.js';
import { Machine } from '../dist/emulator/machine.js';
import { compileAndLink } from '../dist/kernels/compile/compile.js';
import { defaultEmitters } from '../dist/kernels/emitters.js';
import { withLargeFlash } from '../dist/kernels/network/build.js';
import { placedLinkScript } from '../dist/kernels/placement/link-script.js';
import { LIBRARY_UNIT, layerUnit } from '../dist/kernels/placement/placement.js';
import { chooseAsmStructure } from '../dist/kernels/unpacked/choose.js';
import { ASM_STRUCTURES, structureName } from '../dist/kernels/unpacked/structure.js';
import { prepareGraph } from '../dist/model/engine/prepare.js';
import { resolveModel } from '../dist/model/registry.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const LAYERS = arg('--layers', 'lenet:3,resnet8:5,resnet8:9').split(',').map((s) => s.split(':')).map(([m, k]) => [m, Number(k)]);
const emitters = defaultEmitters();
const l4r5 = getBoard('nucleo-l4r5zi');
const COLUMNS = [
  { label: 'ideal', board: getBoard('ideal'), code: null },
  { label: 'f446re', board: getBoard('nucleo-f446re'), code: null },
  { label: 'l4r5zi flash', board: l4r5, code: null },
  { label: 'l4r5zi SRAM (S-bus)', board: l4r5, code: { code: 'sram', data: 'sram' } },
  { label: 'l4r5zi SRAM2 window', board: l4r5, code: { code: 'alias', data: 'sram' } },
];

/** Cold call cycles of `fn` in a one-layer image, or a reason it could not be placed. */
async function cycles(sources, fn, op, scratch, col, withLibrary) {
  const board = withLargeFlash(col.board);
  const placement = col.code ? new Map([[layerUnit(op.opIndex), col.code], ...(withLibrary ? [[LIBRARY_UNIT, { code: col.code.code, data: 'flash' }]] : [])]) : null;
  let elf;
  try {
    ({ elf } = await compileAndLink({ sources, board, ...(placement ? { linkScript: placedLinkScript(board, placement) } : {}) }));
  } catch (e) {
    if (col.code?.code !== 'alias') throw e;
    const over = /region `CODESRAM' overflowed by (\d+) bytes/.exec(String(e.message));
    return { over: over ? Number(over[1]) : null }; // a larger overflow fails the link before ld counts it
  }
  const image = parseElf(elf, fn);
  const m = new Machine(image, board, fn);
  const g = op.geometry;
  const input = new Uint8Array(g.n * g.h * g.w * g.c).map((_, i) => (i * 37) & 0xff);
  const r = m.call({ symbol: fn, args: [input, 0, new Uint8Array(g.n * g.oh * g.ow * g.oc), new Uint8Array(Math.max(4, scratch))] });
  m.close();
  if (r.kind !== 'ok') throw new Error(`${fn}: ${r.message}`);
  return { cycles: r.cycles };
}

console.log(`| layer | structure | ${COLUMNS.map((c) => c.label).join(' | ')} |`);
console.log(`|---|---|${COLUMNS.map(() => '---:').join('|')}|`);
for (const [model, opIndex] of LAYERS) {
  const op = prepareGraph(resolveModel(model).graph).ops.find((p) => p.opIndex === opIndex);
  const label = `${model === 'lenet' ? 'LeNet' : 'ResNet-8'} conv#${opIndex}`;
  const fn = layerUnit(opIndex);
  const chosen = structureName(chooseAsmStructure(op, fn, undefined).structure);
  const variants = [
    { name: 'baseline', emit: () => emitters.baseline(op, fn), lib: true },
    ...ASM_STRUCTURES.map((s) => ({ name: structureName(s), emit: () => emitters.unpacked(op, fn, undefined, { structure: s }), lib: false })),
  ];
  for (const v of variants) {
    const e = v.emit();
    const sources = [e.source, ...(v.lib ? emitters.librarySources() : [])];
    const per = [];
    for (const col of COLUMNS) per.push(await cycles(sources, fn, op, e.scratchBytes, col, v.lib));
    const cell = (x) =>
      x.cycles !== undefined ? `${x.cycles.toLocaleString('en-US')} (${(x.cycles / op.macs).toFixed(2)})` : x.over === null ? 'does not fit' : `${(x.over / 1024).toFixed(1)} KB over`;
    console.log(`| ${label} | ${v.name + (v.name === chosen ? ' (chosen)' : '')} | ${per.map(cell).join(' | ')} |`);
  }
}
