/**
 * The `asm` form of the unpacked generator: one C translation unit whose
 * straight-line reductions are hand-scheduled Thumb-2 in a file-scope
 * `__asm__` block (asm-schedule.ts), one leaf function per group of G output
 * channels; the C part copies the int16 patch, loops over output positions
 * (P adjacent columns per pass), calls every group and requantizes. gcc only
 * compiles the small C part, so a 36k-site layer builds in about a second.
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
import { type ChannelRequant, fastRequantApplies, fastRequantC, requantExpr } from './reduction-c.js';
import { type ChannelSites, channelSites } from './sites.js';
import { constantOutput, requantOf } from './channel-requant.js';
import type { UnpackedStructure } from './structure.js';

/** C cycles per output value (load the sum, add the bias, short requantization, clamp, store) on the cycle model. */
const OUTPUT_CYCLES = 16;
/** C bytes per output value of one channel in one pass. */
const OUTPUT_BYTES = 36;

/** An asm layer before it becomes text: patch, groups of channels and their schedules. */
export interface AsmPlan {
  readonly layout: PatchLayout;
  readonly channels: readonly ChannelSites[];
  /** Channels with sites, in groups of at most G. */
  readonly groups: readonly (readonly ChannelSites[])[];
  readonly code: readonly GroupAsm[];
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

/** Plans an asm layer: sites, pair words, groups, schedules and the cycle / byte estimate. */
export function planAsmLayer(op: PreparedWeighted, fn: string, mask: SkipMask | undefined, s: UnpackedStructure): AsmPlan {
  const layout = patchLayout(op, s);
  const channels = channelSites(op, mask, layout);
  const G = s.channels ?? 1;
  const withSites = channels.filter((c) => c.sites.length > 0);
  const groups: ChannelSites[][] = [];
  for (let i = 0; i < withSites.length; i += G) groups.push(withSites.slice(i, i + G));
  const step = stepWords(op, layout);
  const code = groups.map((grp, k) => groupAsm(`${fn}_g${k}`, grp.map((c) => pairWords(c) as readonly PairWord[]), layout.positions, step));
  const g = op.geometry;
  const passes = g.n * g.oh * (layout.paddedWidth / layout.positions);
  const perPass = code.reduce((n, c) => n + c.cycles, 0) + OUTPUT_CYCLES * withSites.length * layout.positions;
  const bytes = code.reduce((n, c) => n + c.codeBytes + c.dataBytes, 0) + OUTPUT_BYTES * withSites.length * layout.positions;
  return { layout, channels, groups, code, cycles: passes * perPass, bytes };
}

/** C statements storing channel `ch`'s P outputs from `acc[base + j]`. */
function storeC(op: PreparedWeighted, ch: ChannelSites, q: ChannelRequant, fn: string, base: number, layout: PatchLayout): string[] {
  const g = op.geometry;
  const fast = fastRequantApplies(ch, q);
  const lines: string[] = [];
  for (let j = 0; j < layout.positions; j++) {
    const store = `o[${j * g.oc + ch.channel}] = ${requantExpr(`(acc[${base + j}] + ${ch.foldedBias})`, q, fast, fn)};`;
    lines.push(j > 0 && g.ow % layout.positions !== 0 ? `if (x + ${j} < ${g.ow}) ${store}` : store);
  }
  return lines;
}

/** Emits a planned asm layer as one translation unit (layer-function contract of layer-types.ts). */
export function emitAsmLayer(op: PreparedWeighted, fn: string, plan: AsmPlan, header: string): EmittedLayer {
  const g = op.geometry;
  const l = plan.layout;
  const P = l.positions;
  const G = Math.max(1, ...plan.groups.map((grp) => grp.length));
  const lines: string[] = [header, `#include <stdint.h>`, `#include "snn_requant.h"`, ``, fastRequantC(fn), ``, patchFillC(op, l, fn), ``];
  const empty = plan.channels.filter((c) => c.sites.length === 0);
  if (empty.length > 0) {
    lines.push(`static void ${fn}_fill_channel(int8_t *o, int8_t v) {`, `  for (int i = 0; i < ${g.oh * g.ow}; i++) o[i * ${g.oc}] = v;`, `}`, ``);
  }
  for (let k = 0; k < plan.groups.length; k++) lines.push(`void ${fn}_g${k}(const int16_t *p, int32_t *acc);`);
  lines.push(`__asm__(`, `  ".syntax unified\\n.thumb\\n"`);
  const asm = (s: string): void => {
    lines.push(`  "${s.replace(/"/g, '\\"')}\\n"`);
  };
  plan.code.forEach((c, k) => {
    asm(`.section .text.${fn}_g${k},"ax",%progbits`);
    for (const t of c.text) asm(t);
    asm(`.section .rodata.${fn}_g${k}_w,"a",%progbits`);
    for (const t of c.data) asm(t);
  });
  asm(`.text`);
  lines.push(`);`, ``);
  lines.push(
    `${layerPrototype(fn)} {`,
    `  (void)in1;`,
    `  int16_t *patch = (int16_t *)scratch;`,
    `  int32_t acc[${G * P}];`,
    `  for (int b = 0; b < ${g.n}; b++) {`,
    `    ${fn}_fill_patch(in0 + b * ${g.h * g.w * g.c}, patch);`,
    `    int8_t *ob = out + b * ${g.oh * g.ow * g.oc};`,
  );
  for (const ch of empty) lines.push(`    ${fn}_fill_channel(ob + ${ch.channel}, ${constantOutput(ch, requantOf(op, ch.channel))});`);
  lines.push(
    `    for (int y = 0; y < ${g.oh}; y++) {`,
    `      const int16_t *row = patch + y * ${g.strideH * l.rowPixels * l.pixelElements};`,
    `      int8_t *orow = ob + y * ${g.ow * g.oc};`,
    `      for (int x = 0; x < ${g.ow}; x += ${P}) {`,
    `        const int16_t *p = row + x * ${g.strideW * l.pixelElements};`,
    `        int8_t *o = orow + x * ${g.oc};`,
  );
  plan.groups.forEach((grp, k) => {
    lines.push(`        ${fn}_g${k}(p, acc);`);
    grp.forEach((ch, i) => {
      for (const s of storeC(op, ch, requantOf(op, ch.channel), fn, i * P, l)) lines.push(`        ${s}`);
    });
  });
  lines.push(`      }`, `    }`, `  }`, `}`, ``);
  return { fn, source: { name: `${fn}.c`, code: lines.join('\n') }, scratchBytes: l.scratchBytes };
}
