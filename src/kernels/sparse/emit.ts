/**
 * The sparse (skip-aware loop) layer emitter: a CONV_2D as one C translation
 * unit whose loop walks only the kept units of each output channel pair
 * (units.ts: 2 output x 2 input channels of one tap), so its cycles fall with
 * the units a mask skips whole and its code does not grow with the layer.
 * No im2col: the input is widened once into an int16 padded patch in the
 * scratch, each channel pair's entries are copied to the scratch (SRAM), and
 * the pass of snn_sparse_conv.h computes 2 channels x 4 positions. Bit-exact
 * with the reference engine under the same mask (skipped weights are zero in
 * the kept units). Layers without a sparse path (see {@link hasSparsePath})
 * are the baseline's job. Pure: same operator and mask, same text.
 */
import type { PreparedOp, PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask } from '../../model/ir.js';
import { SimDseError } from '../../util/errors.js';
import { cArray, checkCIdentifier, cInt32 } from '../baseline/c-data.js';
import type { EmittedLayer } from '../layer-types.js';
import { layerPrototype, OPERATOR_NAME } from '../layer-types.js';
import { MAX_UNIT_OFFSET, packEntries } from './pack.js';
import { SPARSE_POSITIONS, sparseEntries, sparsePatch, type SparsePatch } from './units.js';

/** Largest distance in bytes between adjacent positions (the pass's last load offset, 3 S, is a 12-bit immediate). */
const MAX_POSITION_BYTES = Math.floor(4095 / (SPARSE_POSITIONS - 1));

/** Largest unit offset of a conv layer's patch. */
function maxOffset(op: PreparedWeighted, patch: SparsePatch): number {
  const g = op.geometry;
  return (((g.kh - 1) * g.dilationH * patch.cols + (g.kw - 1) * g.dilationW) * patch.pixelElements + patch.pixelElements - 2) * 2;
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

/** An int32 array padded to an even length with its last value (the phantom channel of an odd count). */
function evenLength(values: ArrayLike<number>): number[] {
  const v = Array.from(values);
  if (v.length % 2 === 1) v.push(v[v.length - 1]);
  return v;
}

/**
 * Emits a CONV_2D as the sparse kernel (the layer-function contract of
 * layer-types.ts). `mask`: one byte per weight, storage order, 1 = skipped.
 * Throws SimDseError('kernels') for an operator without a sparse path, a
 * mask of the wrong size or a name that is not a C identifier.
 */
export function emitSparseLayer(op: PreparedOp, fn: string, mask?: SkipMask): EmittedLayer {
  checkCIdentifier(fn);
  if (!hasSparsePath(op)) throw new SimDseError('kernels', `${OPERATOR_NAME[op.kind]} (operator ${op.opIndex}) has no sparse kernel`);
  const g = op.geometry;
  const patch = sparsePatch(op);
  const pairs = sparseEntries(op, mask, patch);
  const packed = packEntries(pairs);
  const r = op.requant;
  const rq = evenLength(r.multiplier).map((m, o) => {
    const s = evenLength(r.shift)[o];
    return `  { ${cInt32(m)}, ${Math.max(s, 0)}, ${Math.max(-s, 0)}, ${r.outZp}, ${r.actMin}, ${r.actMax} },`;
  });
  const patchBytes = Math.ceil(patch.bytes / 4) * 4;
  const units = pairs.reduce((n, p) => n + p.length, 0);
  const P = SPARSE_POSITIONS;
  const code = [
    `/* sim-dse sparse layer: CONV_2D (operator ${op.opIndex}), ${units} units of 2x2 weights in ${pairs.length} channel pairs; generated, do not edit. */`,
    `#include <stdint.h>`,
    `#include "snn_sparse_conv.h"`,
    ``,
    `SNN_SPARSE_PASS(${fn}_pass, ${patch.positionBytes})`,
    ``,
    `static const uint32_t ${fn}_entries[${packed.words.length}] = {`,
    ...chunk(Array.from(packed.words, (w) => `0x${w.toString(16)}u`), 8).map((l) => `  ${l.join(', ')},`),
    `};`,
    cArray('int32_t', `${fn}_start`, packed.start),
    cArray('int32_t', `${fn}_bias`, evenLength(op.bias)),
    `static const snn_sparse_rq ${fn}_rq[${rq.length}] = {`,
    ...rq,
    `};`,
    `static const snn_sparse_patch ${fn}_patch = { ${g.h}, ${g.w}, ${g.c}, ${patch.rows}, ${patch.cols}, ${patch.pixelElements}, ${g.padTop}, ${g.padLeft}, ${op.inZp} };`,
    ``,
    `${layerPrototype(fn)} {`,
    `  (void)in1;`,
    `  int16_t *patch = (int16_t *)scratch;`,
    `  uint32_t *entries = (uint32_t *)((uint8_t *)scratch + ${patchBytes});`,
    `  for (int32_t b = 0; b < ${g.n}; b++) {`,
    `    snn_sparse_fill(&${fn}_patch, in0 + b * ${g.h * g.w * g.c}, patch);`,
    `    int8_t *ob = out + b * ${g.oh * g.ow * g.oc};`,
    `    for (int32_t q = 0; q < ${pairs.length}; q++) {`,
    `      const int32_t o = 2 * q;`,
    `      snn_sparse_copy(entries, ${fn}_entries + ${fn}_start[q], ${fn}_start[q + 1] - ${fn}_start[q]);`,
    `      const int32_t ba = ${fn}_bias[o], bb = ${fn}_bias[o + 1];`,
    `      const int second = o + 1 < ${g.oc};`,
    `      for (int32_t y = 0; y < ${g.oh}; y++) {`,
    `        const int16_t *row = patch + y * ${patch.rowStepBytes / 2};`,
    `        int8_t *orow = ob + y * ${g.ow * g.oc} + o;`,
    `        for (int32_t x = 0; x < ${g.ow}; x += ${P}) {`,
    `          int32_t acc[8] = { ba, ba, ba, ba, bb, bb, bb, bb };`,
    `          ${fn}_pass(entries, row + x * ${patch.positionBytes / 2}, acc);`,
    `          const int32_t n = ${g.ow} - x < ${P} ? ${g.ow} - x : ${P};`,
    `          for (int32_t j = 0; j < n; j++) {`,
    `            orow[(x + j) * ${g.oc}] = snn_sparse_out(acc[j], &${fn}_rq[o]);`,
    `            if (second) orow[(x + j) * ${g.oc} + 1] = snn_sparse_out(acc[4 + j], &${fn}_rq[o + 1]);`,
    `          }`,
    `        }`,
    `      }`,
    `    }`,
    `  }`,
    `}`,
    ``,
  ].join('\n');
  return { fn, source: { name: `${fn}.c`, code }, scratchBytes: patchBytes + packed.maxWords * 4 };
}

/** `items` in runs of `n`. */
function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
