/**
 * The sparse (skip-aware loop) layer emitter: a CONV_2D as one C translation
 * unit (its mask's packed units are word tables in the unit's assembly, so the
 * C is one of two for every mask, with half units or without, each compiled
 * once) whose loop walks only the kept units of each output channel pair
 * (units.ts: 2 output x 2 input channels of one tap), so its cycles fall with
 * the units a mask skips whole and its code does not grow with the layer.
 * No im2col: the input is widened once into an int16 padded patch in the
 * scratch, each channel pair's entries are copied to the scratch (SRAM), and
 * the pass of snn_sparse_conv.h computes 2 channels x 4 positions; a unit
 * whose one channel the mask empties runs as a half unit of the other (1
 * channel x 4 positions, a second list per channel, also copied). Bit-exact
 * with the reference engine under the same mask (skipped weights are zero in
 * the kept units). Layers without a sparse path (see {@link hasSparsePath})
 * are the baseline's job. Pure: same operator and mask, same text.
 */
import type { PreparedOp, PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask } from '../../model/ir.js';
import { SimDseError } from '../../util/errors.js';
import { weakMemo } from '../../util/weak-memo.js';
import { cArray, checkCIdentifier, cInt32 } from '../baseline/c-data.js';
import type { EmittedLayer } from '../layer-types.js';
import { layerPrototype, OPERATOR_NAME } from '../layer-types.js';
import { BLOCK_WORDS, MAX_UNIT_OFFSET, packEntries, packHalves, SRAM_BLOCK_WORDS } from './pack.js';
import { SPARSE_POSITIONS, sparseEntries, sparsePatch, sparseUnits, type SparseEntry, type SparsePatch } from './units.js';

/** Largest distance in bytes between adjacent positions (the pass's last load offset, 3 S, is a 12-bit immediate). */
const MAX_POSITION_BYTES = Math.floor(4095 / (SPARSE_POSITIONS - 1));

/** Largest unit offset of a conv layer's patch. */
function maxOffset(op: PreparedWeighted, patch: SparsePatch): number {
  const g = op.geometry;
  return ((((g.kh - 1) * g.dilationH) / patch.stepH * patch.cols + ((g.kw - 1) * g.dilationW) / patch.stepW) * patch.pixelElements + patch.pixelElements - 2) * 2;
}

/**
 * Whether the sparse kernel takes the operator: CONV_2D whose unit offsets
 * fit int16 and whose position distance fits the pass's load immediates.
 * Others (FULLY_CONNECTED, DEPTHWISE_CONV_2D, the rest) run the baseline.
 */
export function hasSparsePath(op: PreparedOp): op is PreparedWeighted {
  if (op.kind !== 'conv') return false;
  const patch = sparsePatch(op);
  return patch.positionBytes <= MAX_POSITION_BYTES && maxOffset(op, patch) <= MAX_UNIT_OFFSET;
}

/** Units the sparse kernel walks for a layer and mask (kept units of every channel pair). */
export function sparseUnitCount(op: PreparedWeighted, mask?: SkipMask): number {
  return sparseEntries(op, mask, sparsePatch(op)).reduce((n, p) => n + p.length, 0);
}

/**
 * Whether the SMMULR requantization of snn_sparse_conv.h is exact for every
 * accumulator of the layer: with bound = |bias| + 255 * (sum of |kept
 * weights|) (inputs minus the zero point lie in [-255, 255]), bound *
 * 2^(left + 1) below 2^31 (the SMMULR operand), and the rounding shift's
 * sum 2 x + round - [x < 0] inside int32 (|x| <= bound * 2^(left + 1) * m /
 * 2^32 + 1, round = 2^right + out_zp * 2^(right + 1)), for every channel.
 */
function fastRequantExact(op: PreparedWeighted, pairs: readonly (readonly SparseEntry[])[]): boolean {
  const g = op.geometry;
  for (let q = 0; q < pairs.length; q++) {
    const sums = [0, 0];
    for (const u of pairs[q]) {
      for (let b = 0; b < 4; b++) sums[b & 1] += Math.abs(((u.word << (24 - 8 * b)) >> 24));
    }
    for (let k = 0; k < 2 && 2 * q + k < g.oc; k++) {
      const o = 2 * q + k;
      const bound = Math.abs(op.bias[o]) + 255 * sums[k];
      const left = Math.max(op.requant.shift[o], 0);
      if (bound * 2 ** (left + 1) >= 2 ** 31) return false;
      const maxX = ((BigInt(bound) << BigInt(left + 1)) * BigInt(op.requant.multiplier[o]) >> 32n) + 1n;
      if (2n * maxX + BigInt(Math.abs(fastRound(op.requant.shift[o], op.requant.outZp))) + 1n >= 2n ** 31n) return false;
    }
  }
  return true;
}

const anyMaskFast = weakMemo<PreparedWeighted, boolean>();

/**
 * {@link fastRequantExact} on every weight of the layer: a bound that holds for any mask, so the C
 * (which the choice shapes) does not depend on the mask. Once per layer.
 */
function fastRequantAnyMask(op: PreparedWeighted, patch: SparsePatch): boolean {
  return anyMaskFast(op, () => fastRequantExact(op, sparseEntries(op, undefined, patch)));
}

/** The fast requantization's `round` of a channel: 2^right + out_zp * 2^(right + 1). */
function fastRound(shift: number, outZp: number): number {
  const right = Math.max(-shift, 0);
  return 2 ** right + outZp * 2 ** (right + 1);
}

/** An int32 array padded to an even length with its last value (the phantom channel of an odd count). */
function evenLength(values: ArrayLike<number>): number[] {
  const v = Array.from(values);
  if (v.length % 2 === 1) v.push(v[v.length - 1]);
  return v;
}

/** Options of {@link emitSparseLayer}. */
export interface SparseEmitOptions {
  /**
   * Run the units whose one channel the mask empties as half units (default true: half the loads and
   * multiplies of a whole unit); false keeps them whole, as before half units existed (for comparisons).
   */
  readonly halves?: boolean;
}

/**
 * Emits a CONV_2D as the sparse kernel (the layer-function contract of
 * layer-types.ts). `mask`: one byte per weight, storage order, 1 = skipped.
 * Throws SimDseError('kernels') for an operator without a sparse path, a
 * mask of the wrong size or a name that is not a C identifier.
 */
export function emitSparseLayer(op: PreparedOp, fn: string, mask?: SkipMask, options: SparseEmitOptions = {}): EmittedLayer {
  checkCIdentifier(fn);
  if (!hasSparsePath(op)) throw new SimDseError('kernels', `${OPERATOR_NAME[op.kind]} (operator ${op.opIndex}) has no sparse kernel`);
  const g = op.geometry;
  const patch = sparsePatch(op);
  // a mask that leaves one channel of a unit without weight makes it a half unit of the other (half the work)
  const split = options.halves === false ? { full: sparseEntries(op, mask, patch), halves: [] } : sparseUnits(op, mask, patch);
  const pairs = split.full;
  const packed = packEntries(pairs);
  const halves = split.halves.some((h) => h[0].length + h[1].length > 0) ? packHalves(split.halves) : null;
  const fast = fastRequantAnyMask(op, patch);
  const r = op.requant;
  const shifts = evenLength(r.shift);
  const rq = evenLength(r.multiplier).map((m, o) => {
    const left = Math.max(shifts[o], 0);
    const right = Math.max(-shifts[o], 0);
    const tail = `${r.outZp}, ${r.actMin}, ${r.actMax} },`;
    if (!fast) return `  { ${cInt32(m)}, ${left}, ${right}, ${tail}`;
    return `  { ${cInt32(m)}, ${left + 1}, ${cInt32(fastRound(shifts[o], r.outZp))}, ${right + 1} },`;
  });
  const rqType = fast ? 'snn_sparse_frq' : 'snn_sparse_rq';
  const store = fast ? 'snn_sparse_store_fast' : 'snn_sparse_store';
  // the fast store takes the layer's clamp as literals (folded where SSAT #8 does it)
  const clamp = fast ? `, ${r.actMin}, ${r.actMax}` : '';
  const patchBytes = Math.ceil(patch.bytes / 4) * 4;
  const units = pairs.reduce((n, p) => n + p.length, 0);
  const P = SPARSE_POSITIONS;
  // Columns computed 4 per pass along each row; the last ow % 4 columns are computed down the column,
  // 4 rows per pass, when the row distance fits the pass's immediates (else a row's last pass runs short).
  const rowColumns = g.ow % P !== 0 && patch.rowStepBytes <= MAX_POSITION_BYTES ? g.ow - (g.ow % P) : g.ow;
  // every row pass computes 4 positions of both channels: the written-out fast store
  const whole = fast && g.oc % 2 === 0 && rowColumns % P === 0;
  const assembly = [
    `/* sim-dse sparse layer: CONV_2D (operator ${op.opIndex}), ${units} units of 2x2 weights in ${pairs.length} channel pairs: its tables; generated, do not edit. */`,
    `  .file "${fn}.s"`,
    ...wordTable(`${fn}_entries`, Array.from(packed.words, (w) => `0x${w.toString(16)}`)),
    ...wordTable(`${fn}_start`, Array.from(packed.start, String)),
    ...(halves ? [...wordTable(`${fn}_halves`, Array.from(halves.words, (w) => `0x${w.toString(16)}`)), ...wordTable(`${fn}_hstart`, Array.from(halves.start, String))] : []),
    ``,
  ].join('\n');
  const code = [
    `/* sim-dse sparse layer: CONV_2D (operator ${op.opIndex}), ${pairs.length} channel pairs; its units (the mask's) are tables in ${fn}.s; generated, do not edit. */`,
    `#include <stdint.h>`,
    `#include "snn_sparse_conv.h"`,
    ``,
    `SNN_SPARSE_PASS(${fn}_pass, ${patch.positionBytes})`,
    ...(rowColumns < g.ow ? [`SNN_SPARSE_PASS(${fn}_column_pass, ${patch.rowStepBytes})`] : []),
    ...(halves ? [`SNN_SPARSE_HALF_PASS(${fn}_half, ${patch.positionBytes})`, ...(rowColumns < g.ow ? [`SNN_SPARSE_HALF_PASS(${fn}_column_half, ${patch.rowStepBytes})`] : [])] : []),
    ``,
    `extern const uint32_t ${fn}_entries[];`,
    `extern const int32_t ${fn}_start[];`,
    ...(halves ? [`extern const int32_t ${fn}_halves[];`, `extern const int32_t ${fn}_hstart[];`] : []),
    cArray('int32_t', `${fn}_bias`, evenLength(op.bias)),
    `static const ${rqType} ${fn}_rq[${rq.length}] = {`,
    ...rq,
    `};`,
    `static const snn_sparse_patch ${fn}_patch = { ${g.h}, ${g.w}, ${g.c}, ${patch.rows}, ${patch.cols}, ${patch.pixelElements}, ${patch.stepH}, ${patch.stepW}, ${g.padTop}, ${g.padLeft}, ${op.inZp} };`,
    ``,
    `${layerPrototype(fn)} {`,
    `  (void)in1;`,
    `  int16_t *patch = (int16_t *)scratch;`,
    `  uint32_t *entries = (uint32_t *)((uint8_t *)scratch + ${patchBytes});`,
    ...(halves ? [`  int32_t *hcopy = (int32_t *)((uint8_t *)scratch + ${patchBytes + packed.maxBlocks * SRAM_BLOCK_WORDS * 4});`] : []),
    `  for (int32_t b = 0; b < ${g.n}; b++) {`,
    `    snn_sparse_fill(&${fn}_patch, in0 + b * ${g.h * g.w * g.c}, patch);`,
    `    int8_t *ob = out + b * ${g.oh * g.ow * g.oc};`,
    `    for (int32_t q = 0; q < ${pairs.length}; q++) {`,
    `      const int32_t o = 2 * q;`,
    `      snn_sparse_copy(entries, ${fn}_entries + ${fn}_start[q], (${fn}_start[q + 1] - ${fn}_start[q]) / ${BLOCK_WORDS});`,
    `      const int32_t ba = ${fn}_bias[o], bb = ${fn}_bias[o + 1];`,
    `      const ${rqType} *qa = &${fn}_rq[o];`,
    g.oc % 2 === 0 ? `      const ${rqType} *qb = &${fn}_rq[o + 1];` : `      const ${rqType} *qb = o + 1 < ${g.oc} ? &${fn}_rq[o + 1] : 0;`,
    // the pair's two half-unit lists copied to SRAM, as its whole units are (the passes read them again and again)
    ...(halves
      ? [
          `      snn_sparse_copy_words(hcopy, ${fn}_halves + ${fn}_hstart[o], ${fn}_hstart[o + 2] - ${fn}_hstart[o]);`,
          `      const int32_t *ha = hcopy, *hb = hcopy + (${fn}_hstart[o + 1] - ${fn}_hstart[o]);`,
        ]
      : []),
    `      for (int32_t y = 0; y < ${g.oh}; y++) {`,
    `        const int16_t *row = patch + y * ${patch.rowStepBytes / 2};`,
    `        int8_t *orow = ob + y * ${g.ow * g.oc} + o;`,
    `        for (int32_t x = 0; x < ${rowColumns}; x += ${P}) {`,
    `          int32_t acc[8] = { ba, ba, ba, ba, bb, bb, bb, bb };`,
    `          ${fn}_pass(entries, row + x * ${patch.positionBytes / 2}, acc);`,
    ...(halves ? [`          ${fn}_half(ha, row + x * ${patch.positionBytes / 2}, acc);`, `          ${fn}_half(hb, row + x * ${patch.positionBytes / 2}, acc + 4);`] : []),
    whole
      ? `          snn_sparse_store4_fast(acc, orow + x * ${g.oc}, ${g.oc}, qa, qb${clamp});`
      : `          ${store}(acc, orow + x * ${g.oc}, ${g.oc}, ${g.ow} - x < ${P} ? ${g.ow} - x : ${P}, qa, qb${clamp});`,
    `        }`,
    `      }`,
    ...(rowColumns < g.ow
      ? [
          `      for (int32_t x = ${rowColumns}; x < ${g.ow}; x++) {`,
          `        for (int32_t y = 0; y < ${g.oh}; y += ${P}) {`,
          `          int32_t acc[8] = { ba, ba, ba, ba, bb, bb, bb, bb };`,
          `          ${fn}_column_pass(entries, patch + y * ${patch.rowStepBytes / 2} + x * ${patch.positionBytes / 2}, acc);`,
          ...(halves
            ? [
                `          ${fn}_column_half(ha, patch + y * ${patch.rowStepBytes / 2} + x * ${patch.positionBytes / 2}, acc);`,
                `          ${fn}_column_half(hb, patch + y * ${patch.rowStepBytes / 2} + x * ${patch.positionBytes / 2}, acc + 4);`,
              ]
            : []),
          `          ${store}(acc, ob + (y * ${g.ow} + x) * ${g.oc} + o, ${g.ow * g.oc}, ${g.oh} - y < ${P} ? ${g.oh} - y : ${P}, qa, qb${clamp});`,
          `        }`,
          `      }`,
        ]
      : []),
    `    }`,
    `  }`,
    `}`,
    ``,
  ].join('\n');
  const halvesBytes = halves ? 4 * Math.max(...Array.from({ length: pairs.length }, (_, q) => halves.start[2 * q + 2] - halves.start[2 * q])) : 0;
  return { fn, source: { name: `${fn}.c`, code, assembly }, scratchBytes: patchBytes + packed.maxBlocks * SRAM_BLOCK_WORDS * 4 + halvesBytes };
}

/** Assembly of a global word table in its own .rodata section (as gcc lays out a `const` array). */
function wordTable(name: string, words: readonly string[]): string[] {
  return [
    `  .section .rodata.${name},"a",%progbits`,
    `  .align 2`,
    `  .global ${name}`,
    `  .type ${name}, %object`,
    `  .size ${name}, ${4 * words.length}`,
    `${name}:`,
    ...chunk(words, 8).map((l) => `  .word ${l.join(', ')}`),
  ];
}

/** `items` in runs of `n`. */
function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
