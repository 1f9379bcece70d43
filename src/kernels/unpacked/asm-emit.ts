/**
 * The `asm` form of the unpacked generator: a C translation unit with its
 * assembly (CSource.assembly): the straight-line reductions are hand-scheduled
 * Thumb-2 (asm-schedule.ts), one leaf function per group of G output
 * channels; the C part copies the int16 patch, loops over output positions
 * (P adjacent columns per pass), calls every group and requantizes. gcc only
 * compiles the small C part, which does not depend on the skip mask (the
 * group functions start their sums at the folded biases), so it is compiled once per
 * layer and structure, and a variant costs one run of the assembler
 * (11-52 s per layer as C; README.md).
 * Bit-exact with the reference engine under the same mask (sums of exact
 * products; the folded bias is added before requantization).
 */
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask } from '../../model/ir.js';
import type { EmittedLayer } from '../layer-types.js';
import { layerPrototype } from '../layer-types.js';
import { type GroupAsm, groupAsm, shapeFits } from './asm-schedule.js';
import { patchFillC } from './patch-c.js';
import { type PatchLayout, patchLayout } from './patch-layout.js';
import { pairWords, type PairWord } from './pair-words.js';
import { type ChannelRequant, fastRequantC, requantExpr } from './reduction-c.js';
import { type ChannelSites, channelSites } from './sites.js';
import { constantOutput, fastRequantAnyMask, requantOf } from './channel-requant.js';
import type { UnpackedStructure } from './structure.js';
import { pageDeclarationsC, pageLoadC, pageSection, splitPages } from '../placement/pages.js';

/**
 * C cycles per output value (load the sum, short requantization, clamp, store) on the cycle model: the
 * estimate from when the C also added the bias (one cycle more), kept so the structure choice is unchanged.
 */
const OUTPUT_CYCLES = 12;
/** C bytes per output value of one channel in one pass. */
const OUTPUT_BYTES = 36;

/** An asm layer before it becomes text: patch, groups of channels and their schedules. */
export interface AsmPlan {
  readonly layout: PatchLayout;
  readonly channels: readonly ChannelSites[];
  /** Channels with sites, in groups of at most G. */
  readonly groups: readonly (readonly ChannelSites[])[];
  readonly code: readonly GroupAsm[];
  /** Columns left after the full passes (output width mod P), 0 when none. */
  readonly tail: number;
  /** The groups' functions for the tail columns (empty when `tail` is 0). */
  readonly tailCode: readonly GroupAsm[];
  /** Zero-wait cycles of the whole layer (patch copy excluded), and its code + table bytes. */
  readonly cycles: number;
  readonly bytes: number;
}

/** Patch words between adjacent positions. */
function stepWords(op: PreparedWeighted, layout: PatchLayout): number {
  return layout.positions > 1 ? (op.geometry.strideW * layout.pixelElements) / 2 : 0;
}

/** Whether a structure can be scheduled for a layer (registers, LDR.W reach between positions). */
export function asmApplies(op: PreparedWeighted, s: UnpackedStructure): boolean {
  const layout = patchLayout(op, s);
  const G = s.channels ?? 1;
  return shapeFits(G, layout.positions) && (layout.positions - 1) * stepWords(op, layout) * 4 <= 2048;
}

/**
 * Plans an asm layer: sites, pair words, groups, schedules and the cycle / byte estimate; with
 * `keepText` false the schedules' text is left out (an estimate only: {@link emitAsmLayer} needs the text).
 */
export function planAsmLayer(op: PreparedWeighted, fn: string, mask: SkipMask | undefined, s: UnpackedStructure, keepText = true): AsmPlan {
  const layout = patchLayout(op, s);
  const channels = channelSites(op, mask, layout);
  const G = s.channels ?? 1;
  const withSites = channels.filter((c) => c.sites.length > 0);
  const groups: ChannelSites[][] = [];
  for (let i = 0; i < withSites.length; i += G) groups.push(withSites.slice(i, i + G));
  const step = stepWords(op, layout);
  const words = groups.map((grp) => grp.map((c) => pairWords(c) as readonly PairWord[]));
  const biases = groups.map((grp) => grp.map((c) => c.foldedBias));
  const code = words.map((w, k) => groupAsm(`${fn}_g${k}`, w, layout.positions, step, keepText, biases[k]));
  const g = op.geometry;
  const tail = g.ow > layout.positions ? g.ow % layout.positions : 0;
  const tailCode = tail === 0 ? [] : words.map((w, k) => groupAsm(`${fn}_t${k}`, w, tail, step, keepText, biases[k]));
  const bytes = (fns: readonly GroupAsm[], positions: number): number =>
    fns.reduce((n, c) => n + c.codeBytes + c.dataBytes, 0) + OUTPUT_BYTES * withSites.length * positions;
  const shape = { layout, channels, code, tail, tailCode };
  const cycles = asmLayerCycles(op, shape, (c) => c.cycles);
  return { ...shape, groups, cycles, bytes: bytes(code, layout.positions) + (tail === 0 ? 0 : bytes(tailCode, tail)) };
}

/**
 * Cycles of the whole layer (patch copy excluded) when one call of a group function costs
 * `callCycles(fn)`: the group calls of every pass plus the C requantization of each output.
 * `callCycles = (c) => c.cycles` gives the zero-wait estimate; choose.ts passes the fetch-bound
 * cost of the code's home on a board. Pure.
 */
export function asmLayerCycles(
  op: PreparedWeighted,
  plan: Pick<AsmPlan, 'layout' | 'channels' | 'code' | 'tail' | 'tailCode'>,
  callCycles: (c: GroupAsm) => number,
): number {
  const { layout, tail } = plan;
  const outputs = plan.channels.filter((c) => c.sites.length > 0).length;
  const pass = (fns: readonly GroupAsm[], positions: number): number =>
    fns.reduce((n, c) => n + callCycles(c), 0) + OUTPUT_CYCLES * outputs * positions;
  const g = op.geometry;
  const full = tail === 0 ? layout.paddedWidth / layout.positions : Math.floor(g.ow / layout.positions);
  return g.n * g.oh * (full * pass(plan.code, layout.positions) + (tail === 0 ? 0 : pass(plan.tailCode, tail)));
}

/** C statements storing channel `ch`'s P outputs from `acc[base + j]` (sums that include the folded bias). */
function storeC(op: PreparedWeighted, ch: ChannelSites, q: ChannelRequant, fn: string, base: number, positions: number, fast: boolean): string[] {
  const g = op.geometry;
  const lines: string[] = [];
  for (let j = 0; j < positions; j++) lines.push(`o[${j * g.oc + ch.channel}] = ${requantExpr(`acc[${base + j}]`, q, fast, fn)};`);
  return lines;
}

/** C of one pass: call the function `<fn>_<kind><k>` of each group `k` of `groups` and store its outputs. */
function passC(op: PreparedWeighted, fn: string, plan: AsmPlan, groups: readonly number[], kind: 'g' | 't', positions: number, fast: readonly boolean[]): string[] {
  const lines: string[] = [];
  for (const k of groups) {
    lines.push(`${fn}_${kind}${k}(p, acc);`);
    plan.groups[k].forEach((ch, i) => lines.push(...storeC(op, ch, requantOf(op, ch.channel), fn, i * positions, positions, fast[ch.channel])));
  }
  return lines;
}

/** The loops over output rows and columns calling `groups` (full passes, then the tail), over `patch` into `ob`. */
function positionLoopsC(op: PreparedWeighted, fn: string, plan: AsmPlan, groups: readonly number[], fast: readonly boolean[]): string[] {
  const g = op.geometry;
  const l = plan.layout;
  const P = l.positions;
  const full = g.ow - plan.tail; // positions <= width, so the full passes end exactly here
  const lines = [
    `for (int y = 0; y < ${g.oh}; y++) {`,
    `  const int16_t *row = patch + y * ${g.strideH * l.rowPixels * l.pixelElements};`,
    `  int8_t *orow = ob + y * ${g.ow * g.oc};`,
    `  for (int x = 0; x < ${full}; x += ${P}) {`,
    `    const int16_t *p = row + x * ${g.strideW * l.pixelElements};`,
    `    int8_t *o = orow + x * ${g.oc};`,
  ];
  for (const line of passC(op, fn, plan, groups, 'g', P, fast)) lines.push(`    ${line}`);
  lines.push(`  }`);
  if (plan.tail > 0) {
    lines.push(`  {`, `    const int16_t *p = row + ${full * g.strideW * l.pixelElements};`, `    int8_t *o = orow + ${full * g.oc};`);
    for (const line of passC(op, fn, plan, groups, 't', plan.tail, fast)) lines.push(`    ${line}`);
    lines.push(`  }`);
  }
  lines.push(`}`);
  return lines;
}

/**
 * The groups of each overlay page of a plan: consecutive groups whose straight-line code (both
 * widths) and stores add up to at most `pageBytes` (a larger group alone). Pure.
 */
export function planPages(plan: AsmPlan, pageBytes: number): number[][] {
  const P = plan.layout.positions;
  const sizes = plan.groups.map(
    (grp, k) => plan.code[k].codeBytes + (plan.tailCode[k]?.codeBytes ?? 0) + OUTPUT_BYTES * grp.length * (P + plan.tail),
  );
  return splitPages(sizes, pageBytes);
}

/**
 * Emits a planned asm layer (layer-function contract of layer-types.ts) as a C unit with its
 * assembly: the C part copies the patch, loops over the output positions, calls the group
 * functions and requantizes; the assembly holds the group functions and their tables (the
 * channels' folded biases, then the weights). Everything a skip mask changes is in the assembly
 * (the sites, the weights, the biases), so layers that differ only in their masks share the C part's object (compiled
 * once) unless a channel loses all its sites, the structure choice changes or the layer is paged.
 * With `pageBytes`, the layer is cut into overlay pages (../placement/pages.ts): each page a
 * function looping over every output position for its groups, in section `.ovpage<i>` with its
 * groups' code, loaded by the layer function right before it is called.
 */
export function emitAsmLayer(op: PreparedWeighted, fn: string, plan: AsmPlan, header: string, pageBytes?: number): EmittedLayer {
  const g = op.geometry;
  const l = plan.layout;
  const P = l.positions;
  const G = Math.max(1, ...plan.groups.map((grp) => grp.length));
  const pages = pageBytes === undefined ? null : planPages(plan, pageBytes);
  const fast = fastRequantAnyMask(op, l);
  const cHeader = `/* sim-dse unpacked ${op.kind} layer (operator ${op.opIndex}), C part: patch copy, loops over output positions, requantization; its multiply-accumulates are in ${fn}.s. Generated; do not edit. */`;
  const lines: string[] = [cHeader, `#include <stdint.h>`, `#include "snn_requant.h"`, ``, fastRequantC(fn), ``, patchFillC(op, l, fn), ``];
  if (pages !== null) lines.push(...pageDeclarationsC(fn, pages.length), ``);
  const empty = plan.channels.filter((c) => c.sites.length === 0);
  if (empty.length > 0) {
    lines.push(`static void ${fn}_fill_channel(int8_t *o, int8_t v) {`, `  for (int i = 0; i < ${g.oh * g.ow}; i++) o[i * ${g.oc}] = v;`, `}`, ``);
  }
  for (let k = 0; k < plan.groups.length; k++) lines.push(`void ${fn}_g${k}(const int16_t *p, int32_t *acc);`);
  for (let k = 0; k < plan.tailCode.length; k++) lines.push(`void ${fn}_t${k}(const int16_t *p, int32_t *acc);`);
  lines.push(``);
  const asm: string[] = [header, `  .file "${fn}.s"`, `  .syntax unified`, `  .thumb`];
  const pageOf = new Map<number, number>();
  pages?.forEach((ks, i) => ks.forEach((k) => pageOf.set(k, i)));
  const place = (c: GroupAsm, name: string, k: number): void => {
    asm.push(pages === null ? `  .section .text.${name},"ax",%progbits` : `  .section ${pageSection(pageOf.get(k)!)},"ax",%progbits`);
    asm.push(...c.text, `  .section .rodata.${name}_w,"a",%progbits`, ...c.data);
  };
  plan.code.forEach((c, k) => place(c, `${fn}_g${k}`, k));
  plan.tailCode.forEach((c, k) => place(c, `${fn}_t${k}`, k));
  asm.push(``);
  const all = plan.groups.map((_, k) => k);
  pages?.forEach((ks, i) => {
    lines.push(`static void __attribute__((noinline, section("${pageSection(i)}"))) ${fn}_p${i}(const int16_t *patch, int8_t *ob) {`, `  int32_t acc[${G * P}];`);
    for (const line of positionLoopsC(op, fn, plan, ks, fast)) lines.push(`  ${line}`);
    lines.push(`}`, ``);
  });
  lines.push(
    `${layerPrototype(fn)} {`,
    `  (void)in1;`,
    `  int16_t *patch = (int16_t *)scratch;`,
    ...(pages === null ? [`  int32_t acc[${G * P}];`] : []),
    `  for (int b = 0; b < ${g.n}; b++) {`,
    `    ${fn}_fill_patch(in0 + b * ${g.h * g.w * g.c}, patch);`,
    `    int8_t *ob = out + b * ${g.oh * g.ow * g.oc};`,
  );
  for (const ch of empty) lines.push(`    ${fn}_fill_channel(ob + ${ch.channel}, ${constantOutput(ch, requantOf(op, ch.channel))});`);
  if (pages === null) for (const line of positionLoopsC(op, fn, plan, all, fast)) lines.push(`    ${line}`);
  else pages.forEach((_, i) => lines.push(`    ${pageLoadC(fn, i)}`, `    ${fn}_p${i}(patch, ob);`));
  lines.push(`  }`, `}`, ``);
  return {
    fn,
    source: { name: `${fn}.c`, code: lines.join('\n'), assembly: asm.join('\n') },
    scratchBytes: l.scratchBytes,
    ...(pages === null ? {} : { pages: pages.length }),
  };
}
