/**
 * The unpacked skip-aware layer generator: CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED as C in which every output channel's reduction is
 * straight-line code with its weights as literals; only the loops over
 * batch items and output positions remain. Skipped and zero weights produce
 * no code. The input zero point is folded into the bias and padded taps read
 * a patch value equal to it, so the result is bit-exact with the reference
 * engine run with the same mask. See README.md for the generated structure
 * and the measurements behind the per-layer choice (choose.ts).
 */
import type { SkipMask } from '../../model/ir.js';
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import { SimDseError } from '../../util/errors.js';
import type { EmittedLayer } from '../layer-types.js';
import { layerPrototype } from '../layer-types.js';
import { constantOutput, requantOf } from './channel-requant.js';
import { patchFillC, patchType } from './patch-c.js';
import { patchLayout, type PatchLayout } from './patch-layout.js';
import { type BlockFrame, channelBlockC, fastRequantC } from './reduction-c.js';
import { type ChannelSites, channelSites } from './sites.js';
import { emitAsmLayer, planAsmLayer } from './asm-emit.js';
import { type CodeTarget, DEFAULT_CODE_BUDGET, chooseAsmStructure } from './choose.js';
import { type UnpackedStructure, checkStructure, structureName } from './structure.js';

/** Options of {@link emitUnpackedLayer}. */
export interface UnpackedOptions {
  /** Shape of the generated code (default: the asm structure {@link chooseAsmStructure} picks for the layer). */
  readonly structure?: UnpackedStructure;
  /** Code budget of the per-layer choice, bytes (default {@link DEFAULT_CODE_BUDGET}). */
  readonly codeBudget?: number;
  /** Where the layer's code will run, for the structure choice (default: the zero-wait estimate). */
  readonly target?: CodeTarget;
  /**
   * Cut the code into overlay pages of about this many bytes, each loaded by the layer right before it
   * runs (asm forms only; ../placement/pages.ts): how an unpacked layer placed `overlay` is emitted.
   */
  readonly pageBytes?: number;
}

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Appends `src` to `dst` with `prefix` on every line (no argument spreading: layers have 100k+ lines). */
function append(dst: string[], src: readonly string[], prefix = ''): void {
  for (const line of src) dst.push(prefix + line);
}

/** Everything the C writers share. */
interface Plan {
  readonly op: PreparedWeighted;
  readonly fn: string;
  readonly structure: UnpackedStructure;
  readonly layout: PatchLayout;
  readonly channels: readonly ChannelSites[];
  readonly type: string;
  /** {@link volatileQualifier} of the layout and channels. */
  readonly qualifier: string;
}

/** The block frame at loop variables `p` (patch), `o` (output of channel 0) and column `x`. */
function frameAt(plan: Plan, channel: number): BlockFrame {
  const g = plan.op.geometry;
  const P = plan.layout.positions;
  return {
    prefix: plan.fn,
    positions: P,
    positionStep: g.strideW * plan.layout.pixelElements,
    patch: 'p',
    out: channel === 0 ? 'o' : `(o + ${channel})`,
    outStep: g.oc,
    valid: g.ow % P === 0 ? null : (j) => `x + ${j} < ${g.ow}`,
  };
}

/** Largest channel reduction (sites) for which gcc may share loads between positions. */
export const SHARED_LOADS_MAX_SITES = 400;

/**
 * `volatile ` when several positions share a pass and the channel reductions
 * are long: position j's loads overlap position 0's at other taps, and on a
 * long reduction gcc keeps those values live across it and spills them to
 * the stack, so every load is pinned where the code puts it. Short
 * reductions gain from the shared loads (measurements in README.md).
 */
function volatileQualifier(layout: PatchLayout, channels: readonly ChannelSites[]): string {
  let longest = 0;
  for (const ch of channels) longest = Math.max(longest, ch.sites.length);
  return layout.positions > 1 && longest > SHARED_LOADS_MAX_SITES ? 'volatile ' : '';
}

/** Loop head over output rows and column groups; the body sees `p` and `o`. */
function positionLoop(plan: Plan, patch: string, out: string, body: string[]): string[] {
  const g = plan.op.geometry;
  const l = plan.layout;
  const lines = [
    `for (int y = 0; y < ${g.oh}; y++) {`,
    `  const ${plan.type} *row = ${patch} + y * ${g.strideH * l.rowPixels * l.pixelElements};`,
    `  int8_t *orow = ${out} + y * ${g.ow * g.oc};`,
    `  for (int x = 0; x < ${g.ow}; x += ${l.positions}) {`,
    `    const ${plan.qualifier}${plan.type} *p = row + x * ${g.strideW * l.pixelElements};`,
    `    int8_t *o = orow + x * ${g.oc};`,
  ];
  append(lines, body, '    ');
  lines.push(`  }`, `}`);
  return lines;
}

/** Per-channel functions (split 'channel'): their definitions and the calls in the layer function. */
function channelSplit(plan: Plan): { defs: string[]; calls: string[] } {
  const g = plan.op.geometry;
  const defs: string[] = [];
  const calls: string[] = [];
  let needFill = false;
  for (const ch of plan.channels) {
    const q = requantOf(plan.op, ch.channel);
    if (ch.sites.length === 0) {
      needFill = true;
      calls.push(`${plan.fn}_fill_channel(ob + ${ch.channel}, ${constantOutput(ch, q)});`);
      continue;
    }
    const name = `${plan.fn}_c${ch.channel}`;
    const body = channelBlockC(ch, plan.structure.mac, frameAt(plan, 0), q, '');
    defs.push(`static void __attribute__((noinline)) ${name}(const ${plan.type} *x0, int8_t *out) {`);
    append(defs, positionLoop(plan, 'x0', 'out', body), '  ');
    defs.push(`}`, ``);
    calls.push(`${name}(patch, ob + ${ch.channel});`);
  }
  if (needFill) {
    defs.unshift(
      `static void ${plan.fn}_fill_channel(int8_t *o, int8_t v) {`,
      `  for (int i = 0; i < ${g.oh * g.ow}; i++) o[i * ${g.oc}] = v;`,
      `}`,
      ``,
    );
  }
  return { defs, calls };
}

/** One loop over positions with every channel inside (split 'layer'). */
function layerSplit(plan: Plan): string[] {
  const body: string[] = [];
  for (const ch of plan.channels) {
    const q = requantOf(plan.op, ch.channel);
    const frame = frameAt(plan, ch.channel);
    if (ch.sites.length === 0) {
      const v = constantOutput(ch, q);
      for (let j = 0; j < frame.positions; j++) {
        const store = `${frame.out}[${j * frame.outStep}] = ${v};`;
        body.push(j > 0 && frame.valid !== null ? `if (${frame.valid(j)}) ${store}` : store);
      }
    } else append(body, channelBlockC(ch, plan.structure.mac, frame, q, ''));
  }
  return positionLoop(plan, 'patch', 'ob', body);
}

/**
 * Emits one conv / depthwise / fully connected layer as unpacked C (the
 * layer-function contract of layer-types.ts). `mask` has one byte per weight
 * in storage order (1 = skipped); absent means exact. Throws
 * SimDseError('kernels') for a bad function name, mask size or structure.
 */
export function emitUnpackedLayer(op: PreparedWeighted, fn: string, mask?: SkipMask, options: UnpackedOptions = {}): EmittedLayer {
  if (!C_IDENTIFIER.test(fn)) throw new SimDseError('kernels', `layer function name '${fn}' is not a C identifier`);
  if (options.structure === undefined || options.structure.mac === 'asm') {
    const choice =
      options.structure === undefined
        ? chooseAsmStructure(op, fn, mask, options.codeBudget ?? DEFAULT_CODE_BUDGET, options.target)
        : { structure: checkStructure(options.structure), plan: planAsmLayer(op, fn, mask, options.structure) };
    const sites = choice.plan.channels.reduce((n, c) => n + c.sites.length, 0);
    const header =
      `/* sim-dse unpacked ${op.kind} layer (operator ${op.opIndex}): ${sites} multiply-accumulate sites, structure ` +
      `${structureName(choice.structure)}, estimate ${choice.plan.cycles} cycles, ${choice.plan.bytes} bytes. Generated; do not edit. */`;
    return emitAsmLayer(op, fn, choice.plan, header, options.pageBytes);
  }
  const structure = checkStructure(options.structure);
  const layout = patchLayout(op, structure);
  const channels = channelSites(op, mask, layout);
  const qualifier = volatileQualifier(layout, channels);
  const plan: Plan = { op, fn, structure, layout, channels, type: patchType(layout), qualifier };
  const siteCount = channels.reduce((n, c) => n + c.sites.length, 0);
  const g = op.geometry;
  const inItem = g.h * g.w * g.c;
  const lines: string[] = [
    `/* sim-dse unpacked ${op.kind} layer (operator ${op.opIndex}): ${siteCount} multiply-accumulate sites,`,
    ` * structure ${structureName(structure)}, patch ${layout.direct ? 'direct' : `${layout.element} ${layout.rows}x${layout.rowPixels}x${layout.pixelElements}`}. Generated; do not edit. */`,
    `#include <stdint.h>`,
    ...(structure.mac === 'smlad' ? [`#include <arm_acle.h>`] : []),
    `#include "snn_requant.h"`,
    ``,
  ];
  if (structure.mac === 'smlad') {
    lines.push(
      `typedef int32_t __attribute__((may_alias)) ${fn}_pair_t;`,
      `/* Two adjacent int16 patch values (word aligned) as one SMLAD operand. */`,
      `static inline int32_t ${fn}_ld2(const ${qualifier}int16_t *p) {`,
      `  return *(const ${qualifier}${fn}_pair_t *)p;`,
      `}`,
      ``,
    );
  }
  lines.push(fastRequantC(fn), ``);
  if (!layout.direct) lines.push(patchFillC(op, layout, fn), ``);
  const split = structure.split === 'channel' ? channelSplit(plan) : null;
  if (split !== null) append(lines, split.defs);
  const patchDecl = layout.direct
    ? `    const int8_t *patch = in0 + b * ${inItem};`
    : `    ${fn}_fill_patch(in0 + b * ${inItem}, patch);`;
  lines.push(
    `${layerPrototype(fn)} {`,
    `  (void)in1;`,
    layout.direct ? `  (void)scratch;` : `  ${plan.type} *patch = (${plan.type} *)scratch;`,
    `  for (int b = 0; b < ${g.n}; b++) {`,
    patchDecl,
    `    int8_t *ob = out + b * ${g.oh * g.ow * g.oc};`,
  );
  append(lines, split !== null ? split.calls : layerSplit(plan), '    ');
  lines.push(`  }`, `}`, ``);
  return { fn, source: { name: `${fn}.c`, code: lines.join('\n') }, scratchBytes: layout.scratchBytes };
}
