/**
 * The baseline layer emitter: one prepared operator (src/model/engine/
 * prepare.ts) as one C translation unit that calls the exact int8 kernel
 * library in src/kernels/c/ (snn.h). The layer's weights, biases and
 * requantization parameters become `static const` data of the unit (flash),
 * as TFLite Micro with CMSIS-NN would hold them; a skip mask zeroes the
 * skipped weights in that data. Pure: same operator and mask, same text.
 */
import type { SkipMask } from '../../model/ir.js';
import { isWeightedOp, type Geometry, type PreparedOp, type PreparedWeighted } from '../../model/engine/prepare.js';
import { SimDseError } from '../../util/errors.js';
import type { EmittedLayer } from '../layer-types.js';
import { layerPrototype, OPERATOR_NAME } from '../layer-types.js';
import { addTables } from './add-tables.js';
import { cArray, checkCIdentifier, cInt32 } from './c-data.js';
import { DW_PLANE_CODE_BYTES, depthwiseBandRows, depthwisePlaneBytes, depthwisePlaneData, depthwisePlaneDefines } from './depthwise-plane.js';

export { baselineLibrarySources } from './library.js';

/** Largest PAD rank the library takes (SNN_PAD_MAX_RANK in snn.h). */
export const PAD_MAX_RANK = 6;

/** Scratch of the table form of ADD (SNN_ADD_SCRATCH_BYTES in snn.h): its 512 int32 table entries. */
const ADD_TABLE_SCRATCH_BYTES = 2048;

/** What a kind contributes to the unit: its data definitions, the library call, scratch bytes. */
interface LayerBody {
  readonly data: string;
  readonly call: string;
  readonly scratchBytes: number;
  /** Code bytes the unit brings beside the layer function, stated for the size estimate (size-estimate.ts). */
  readonly codeBytes?: number;
}

/** C initializer of an snn_window. */
function windowInit(g: Geometry): string {
  return (
    `{ .batches = ${g.n}, .in_h = ${g.h}, .in_w = ${g.w}, .in_c = ${g.c}, .out_h = ${g.oh}, .out_w = ${g.ow}, .out_c = ${g.oc},\n` +
    `    .k_h = ${g.kh}, .k_w = ${g.kw}, .stride_h = ${g.strideH}, .stride_w = ${g.strideW}, .dil_h = ${g.dilationH}, .dil_w = ${g.dilationW},\n` +
    `    .pad_top = ${g.padTop}, .pad_left = ${g.padLeft} }`
  );
}

/** The weights with the mask's skipped entries set to 0 (a copy). */
function maskedWeights(p: PreparedWeighted, mask: SkipMask | undefined): Int8Array {
  const w = p.weights.slice();
  if (mask === undefined) return w;
  if (mask.length !== w.length) {
    throw new SimDseError('kernels', `skip mask for ${OPERATOR_NAME[p.kind]} (operator ${p.opIndex}) has ${mask.length} bytes, expected ${w.length} (one per weight)`);
  }
  for (let i = 0; i < w.length; i++) if (mask[i] !== 0) w[i] = 0;
  return w;
}

/** Weights, bias and requantization arrays plus the snn_channel_requant initializer. */
function weightedData(fn: string, p: PreparedWeighted, weights: Int8Array, bias: Int32Array): { data: string; rq: string } {
  const r = p.requant;
  const data =
    cArray('int8_t', `${fn}_weights`, weights) +
    cArray('int32_t', `${fn}_bias`, bias) +
    cArray('int32_t', `${fn}_multiplier`, r.multiplier) +
    cArray('int32_t', `${fn}_shift`, r.shift);
  const rq = `{ .multiplier = ${fn}_multiplier, .shift = ${fn}_shift, .out_zp = ${r.outZp}, .act_min = ${r.actMin}, .act_max = ${r.actMax} }`;
  return { data, rq };
}

/** K: the reduction length k_h * k_w * C rounded up to a multiple of 4 (SNN_CONV_K in snn.h). */
function convRowLength(g: Geometry): number {
  return Math.ceil((g.kh * g.kw * g.c) / 4) * 4;
}

/** snn_conv_s8's scratch (SNN_CONV_SCRATCH_BYTES): two int16 columns of K, plus an int8 patch when C % 4 != 0. */
export function convScratchBytes(g: Geometry): number {
  const k = convRowLength(g);
  return 4 * k + (g.c % 4 !== 0 ? k : 0);
}

/** Position pairs per pass and the largest C of snn_conv_1x1_s8 (SNN_PW_PAIRS, SNN_PW_MAX_K in snn.h). */
const PW_PAIRS = 8;
const PW_MAX_K = 64;

/**
 * Whether snn_conv_1x1_s8 (the pointwise path) takes a CONV_2D: a 1x1
 * undilated kernel without padding, C a multiple of 16 up to PW_MAX_K, an
 * even number of output channels and of positions, and the fast
 * requantization proved exact.
 */
export function pointwiseConv(g: Geometry, fast: boolean): boolean {
  return (
    fast && g.kh === 1 && g.kw === 1 && g.dilationH === 1 && g.dilationW === 1 && g.padTop === 0 && g.padLeft === 0 &&
    g.c % 16 === 0 && g.c <= PW_MAX_K && g.oc % 2 === 0 && (g.oh * g.ow) % 2 === 0
  );
}

/** Largest scratch of the 3x3 plane path (SNN_C16_MAX_BYTES in snn_conv_3x3c16.h). */
export const C16_PLANE_MAX_BYTES = 8192;

/**
 * Code bytes the plane path brings to a layer unit (snn_conv_3x3c16.h, arm-none-eabi-gcc 12 -O2, one
 * form per unit), stated for the size estimate: 1,148 (3 channels) to 1,372 (16 channels) measured in
 * ResNet-8's conv_2d#0, #1, #4, #5, #8 and #9 (the layer function with the pass inlined, and the
 * widening function; 32 and 64 channels 1,228 to 1,260).
 */
export const C16_PLANE_CODE_BYTES = 1400;

/**
 * The 3x3 plane path of CONV_2D (snn_conv_3x3c16_s8): the scratch bytes of its band of plane rows,
 * or 0 when it does not apply. It takes in_c 3, 16, 32 or 64, an undilated 3x3 kernel, stride 1 or 2
 * (the same both ways), out_c and out_w even, the fast requantization, and a band of at least one
 * output row (three plane rows of (out_w - 1) * stride + 3 pixels, 2 * C bytes each, 8 for 3 channels)
 * within C16_PLANE_MAX_BYTES; a band holds as many output rows as fit (c16_band_rows in the header).
 * With 3 channels the window's words are immediate offsets up to two plane rows away, so the plane
 * row is at most about 2 KB.
 */
export function conv3x3c16Bytes(g: Geometry, fast: boolean): number {
  if (!fast || ![3, 16, 32, 64].includes(g.c) || g.kh !== 3 || g.kw !== 3 || g.dilationH !== 1 || g.dilationW !== 1) return 0;
  if (g.strideW !== g.strideH || (g.strideW !== 1 && g.strideW !== 2) || g.oc % 2 !== 0 || g.ow % 2 !== 0) return 0;
  const pitch = c16Pitch(g);
  if (g.c === 3 && 2 * pitch + 16 + 8 * g.strideW + 4 > 4095) return 0;
  const planeRows = (rows: number): number => (rows - 1) * g.strideH + 3;
  let rows = g.oh;
  while (rows > 1 && planeRows(rows) * pitch > C16_PLANE_MAX_BYTES) rows--;
  const bytes = planeRows(rows) * pitch;
  return bytes > C16_PLANE_MAX_BYTES ? 0 : bytes;
}

/** The plane path's row bytes: (out_w - 1) * stride + 3 pixels of 2 * C bytes (8 with 3 channels). */
export function c16Pitch(g: Geometry): number {
  return (g.c === 3 ? 8 : 2 * g.c) * ((g.ow - 1) * g.strideW + 3);
}

/**
 * The plane path's weights (snn_conv_3x3c16.h): OHWI rows of 9 * C (C = 16 or 3), doubled and
 * pre-widened to int16 (the path's requantization takes doubled accumulators; its biases are
 * doubled too), per channel pair (a, b) and group of four reduction steps four words [a(k0), a(k2)],
 * [a(k1), a(k3)], [b(k0), b(k2)], [b(k1), b(k3)] (low half first): with 16 channels the groups are
 * k = 4g .. 4g + 3 of the row (576 bytes per pair); with 3 channels one group per tap t, its
 * channels 0, 1, 2 and a zero (144 bytes per pair). `rows` is even.
 */
export function c16Weights(w: Int8Array, rows: number, c = 16): Int32Array {
  const n = 9 * c;
  const groups = c === 16 ? 36 : 9;
  const out = new Int32Array(rows * groups * 2);
  const pair = (lo: number, hi: number): number => ((lo & 0xffff) | (hi << 16)) | 0;
  const at = (r: number, g: number, i: number): number => (c === 16 ? w[r * n + 4 * g + i] : i < 3 ? w[r * n + 3 * g + i] : 0);
  let k = 0;
  for (let o = 0; o < rows; o += 2) {
    for (let g = 0; g < groups; g++) {
      for (const r of [o, o + 1]) {
        out[k++] = pair(2 * at(r, g, 0), 2 * at(r, g, 2));
        out[k++] = pair(2 * at(r, g, 1), 2 * at(r, g, 3));
      }
    }
  }
  return out;
}

/** Int32 words as their little-endian bytes (the target's order, whatever the host's). */
function leBytes(words: Int32Array): Int8Array {
  const out = new Int8Array(4 * words.length);
  const view = new DataView(out.buffer);
  words.forEach((v, i) => view.setInt32(4 * i, v, true));
  return out;
}

/** OHWI weights with each output channel's row padded with zeros to K (a copy; the same array when already a multiple of 4). */
export function padConvRows(w: Int8Array, g: Geometry): Int8Array {
  const n = g.kh * g.kw * g.c;
  const k = convRowLength(g);
  if (k === n) return w;
  const out = new Int8Array(g.oc * k);
  for (let o = 0; o < g.oc; o++) out.set(w.subarray(o * n, (o + 1) * n), o * k);
  return out;
}

/**
 * Whether snn_out8_fast (snn_output.h) is exact for every accumulator of a
 * layer: every shift <= -1 and |bias| + 255 * sum |w| < 2^30 per output
 * channel (an input plus its offset lies in [-255, 255]; FULLY_CONNECTED,
 * with the offset folded into `bias`, multiplies raw inputs of magnitude
 * <= 128). `weights` holds `rows` rows of `rowLength`.
 */
export function fastRequantExact(requant: { readonly shift: ArrayLike<number> }, bias: Int32Array, weights: Int8Array, rows: number, rowLength: number): boolean {
  for (let o = 0; o < rows; o++) {
    if (requant.shift[o] > -1) return false;
    let bound = Math.abs(bias[o]);
    for (let k = 0; k < rowLength; k++) bound += 255 * Math.abs(weights[o * rowLength + k]);
    if (bound >= 2 ** 30) return false;
  }
  return true;
}

function convBody(fn: string, p: PreparedWeighted, mask: SkipMask | undefined): LayerBody {
  const g = p.geometry;
  const masked = maskedWeights(p, mask);
  const fast = fastRequantExact(p.requant, p.bias, masked, g.oc, g.kh * g.kw * g.c);
  const pw = pointwiseConv(g, fast);
  const plane = pw ? 0 : conv3x3c16Bytes(g, fast);
  // Rows padded to K, then interleaved by pairs: the 2x2 core reads a channel pair with one pointer (also the
  // plane path's layout with 32 or 64 channels; with 3 or 16 it takes doubled int16 weights and biases).
  const { data, rq } =
    plane === 0 || g.c >= 32
      ? weightedData(fn, p, interleaveRows(padConvRows(masked, g), g.oc, convRowLength(g), 2), p.bias)
      : weightedData(fn, p, leBytes(c16Weights(masked, g.oc, g.c)), p.bias.map((b) => 2 * b));
  // The plane path's code comes with the unit (snn_conv_3x3c16.h), one stride and clamp form, so only images that take it link it.
  const full = p.requant.actMin === -128 && p.requant.actMax === 127;
  const planeHead =
    plane === 0
      ? ''
      : `#define SNN_C16_CH ${g.c}\n#define SNN_C16_STRIDE ${g.strideW}\n#define SNN_C16_FULL ${full ? 1 : 0}\n` +
        (g.c === 3 ? `#define SNN_C16_PITCH ${c16Pitch(g)}\n` : '') +
        `#include "snn_conv_3x3c16.h"\n`;
  const call = pw ? 'snn_conv_1x1_s8' : plane !== 0 ? 'snn_conv_3x3c16_s8' : 'snn_conv_s8';
  return {
    data:
      planeHead +
      data +
      `static const snn_conv_params ${fn}_params = {\n  .win = ${windowInit(g)},\n  .in_offset = ${-p.inZp},\n` +
      `  .weights = ${fn}_weights, .bias = ${fn}_bias,\n  .rq = ${rq},\n  .fast_rq = ${fast ? 1 : 0},\n};\n`,
    call: `${call}(&${fn}_params, in0, out, ${plane !== 0 ? 'scratch' : '(int16_t *)scratch'});`,
    scratchBytes: pw ? PW_PAIRS * 4 * g.c : plane !== 0 ? plane : convScratchBytes(g),
    ...(plane !== 0 ? { codeBytes: C16_PLANE_CODE_BYTES } : {}),
  };
}

/** Depthwise weights [k_h * k_w][out_c] transposed to one row of k_h * k_w per output channel. */
function depthwiseRows(w: Int8Array, g: Geometry): Int8Array {
  const taps = g.kh * g.kw;
  const rows = new Int8Array(w.length);
  for (let t = 0; t < taps; t++) for (let o = 0; o < g.oc; o++) rows[o * taps + t] = w[t * g.oc + o];
  return rows;
}

function depthwiseBody(fn: string, p: PreparedWeighted, mask: SkipMask | undefined): LayerBody {
  const g = p.geometry;
  const masked = maskedWeights(p, mask);
  const fast = fastRequantExact(p.requant, p.bias, depthwiseRows(masked, g), g.oc, g.kh * g.kw);
  const band = depthwiseBandRows(g, p.depthMultiplier, fast);
  const { data, rq } = weightedData(fn, p, masked, p.bias);
  const base =
    `{\n  .win = ${windowInit(g)},\n  .in_offset = ${-p.inZp}, .depth_multiplier = ${p.depthMultiplier},\n` +
    `  .weights = ${fn}_weights, .bias = ${fn}_bias,\n  .rq = ${rq},\n  .fast_rq = ${fast ? 1 : 0},\n}`;
  if (band === 0) {
    return { data: data + `static const snn_depthwise_params ${fn}_params = ${base};\n`, call: `snn_depthwise_s8(&${fn}_params, in0, out);`, scratchBytes: 0 };
  }
  // The plane path: its code comes with the unit (snn_depthwise_3x3.h), so only images that take it link it.
  return {
    data:
      depthwisePlaneDefines(g) +
      `#include "snn_depthwise_3x3.h"\n` +
      data +
      cArray('int32_t', `${fn}_plane`, depthwisePlaneData(p, masked)) +
      `static const snn_dw3x3_params ${fn}_params = {\n.base = ${base},\n  .band_rows = ${band}, .plane_data = (const uint32_t *)${fn}_plane,\n};\n`,
    call: `snn_depthwise_3x3_s8(&${fn}_params, in0, out, scratch);`,
    scratchBytes: depthwisePlaneBytes(g, band),
    codeBytes: DW_PLANE_CODE_BYTES,
  };
}

/**
 * Weights [rows][n] (n a multiple of 4) with each block of `block` rows
 * interleaved by word: block b holds, for every word i of the row, the words i
 * of rows b .. b + block - 1 (4 * block bytes), so a kernel reads a block with
 * one pointer; the last rows % block stay row after row (at the same offsets).
 */
export function interleaveRows(w: Int8Array, rows: number, n: number, block: number): Int8Array {
  const out = w.slice();
  const words = n / 4;
  for (let b = 0; b + block <= rows; b += block) {
    for (let i = 0; i < words; i++) {
      for (let r = 0; r < block; r++) out.set(w.subarray((b + r) * n + 4 * i, (b + r) * n + 4 * i + 4), b * n + 4 * block * i + 4 * r);
    }
  }
  return out;
}

/** FULLY_CONNECTED weights with each block of four rows interleaved by word ({@link interleaveRows}). */
export function interleaveFcRows(w: Int8Array, rows: number, n: number): Int8Array {
  return interleaveRows(w, rows, n, 4);
}

/**
 * The stream of snn_fc_fast_s8 (snn_fc_fast_params in snn.h) for weights
 * [rows][n] (n a multiple of 4) and int32 biases: for each block of four rows
 * its four biases, then the words i of the four rows for every i; then, when
 * rows % 4 >= 2, two biases and the next two rows interleaved by word; then,
 * when rows is odd, the last bias and row. Weight words little-endian, as the
 * kernel loads them.
 */
export function fcFastStream(w: Int8Array, bias: Int32Array, rows: number, n: number): Int32Array {
  const words = n / 4;
  const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
  const out = new Int32Array(rows * (words + 1));
  let k = 0;
  const block = (first: number, count: number): void => {
    for (let r = 0; r < count; r++) out[k++] = bias[first + r];
    for (let i = 0; i < words; i++) for (let r = 0; r < count; r++) out[k++] = view.getInt32((first + r) * n + 4 * i, true);
  };
  let o = 0;
  for (; o + 4 <= rows; o += 4) block(o, 4);
  if (rows - o >= 2) {
    block(o, 2);
    o += 2;
  }
  if (o < rows) block(o, 1);
  return out;
}

/** Whether every channel of a requantization has the first channel's multiplier and shift. */
function perTensor(r: { readonly multiplier: ArrayLike<number>; readonly shift: ArrayLike<number> }): boolean {
  for (let o = 1; o < r.multiplier.length; o++) if (r.multiplier[o] !== r.multiplier[0] || r.shift[o] !== r.shift[0]) return false;
  return r.multiplier.length === r.shift.length;
}

/** A byte replicated into the four lanes of a word, as a C constant. */
function lanes4(v: number): string {
  return `0x${((v & 0xff) * 0x01010101).toString(16).padStart(8, '0')}u`;
}

/**
 * FULLY_CONNECTED folds the input offset into the bias:
 * bias[o] - inZp * sum_i w[o][i] (int32 wrapping, the accumulator's arithmetic),
 * so the kernel multiplies raw int8 inputs; exact because the accumulator is
 * taken modulo 2^32 either way. With the fast requantization proved exact, a
 * per-tensor requantization and in_features a multiple of 4, the layer is
 * snn_fc_fast_s8 over {@link fcFastStream}; otherwise snn_fc_s8.
 */
function fcBody(fn: string, p: PreparedWeighted, mask: SkipMask | undefined): LayerBody {
  const w = maskedWeights(p, mask);
  const g = p.geometry;
  const folded = new Int32Array(g.oc);
  for (let o = 0; o < g.oc; o++) {
    let sum = 0;
    for (let i = 0; i < g.c; i++) sum += w[o * g.c + i];
    folded[o] = (p.bias[o] - Math.imul(p.inZp, sum)) | 0;
  }
  const r = p.requant;
  if (g.c % 4 === 0 && perTensor(r) && fastRequantExact(r, folded, w, g.oc, g.c)) {
    return {
      data:
        cArray('int32_t', `${fn}_stream`, fcFastStream(w, folded, g.oc, g.c)) +
        `static const snn_fc_fast_params ${fn}_params = {\n  .multiplier = ${cInt32(r.multiplier[0])}, .exp_m1 = ${-r.shift[0] - 1}, .zp2 = ${2 * r.outZp + 1},\n` +
        `  .lo4 = ${lanes4(r.actMin)}, .hi4 = ${lanes4(r.actMax)},\n` +
        `  .in_words = ${g.c / 4}, .blocks4 = ${Math.floor(g.oc / 4)}, .rest = ${g.oc % 4}, .batches = ${g.n}, .stream = ${fn}_stream,\n};\n`,
      call: `snn_fc_fast_s8(&${fn}_params, in0, out);`,
      scratchBytes: 0,
    };
  }
  const interleaved = g.c % 4 === 0 && g.oc >= 4;
  const fast = fastRequantExact(r, folded, w, g.oc, g.c);
  const { data, rq } = weightedData(fn, p, interleaved ? interleaveFcRows(w, g.oc, g.c) : w, folded);
  return {
    data:
      data +
      `static const snn_fc_params ${fn}_params = {\n  .batches = ${g.n}, .in_features = ${g.c}, .out_features = ${g.oc},\n` +
      `  .weights = ${fn}_weights, .bias = ${fn}_bias,\n  .rq = ${rq},\n  .fast_rq = ${fast ? 1 : 0}, .interleaved = ${interleaved ? 1 : 0},\n};\n`,
    call: `snn_fc_s8(&${fn}_params, in0, out);`,
    scratchBytes: 0,
  };
}

function intArrayInit(values: readonly number[]): string {
  const padded = [...values];
  while (padded.length < PAD_MAX_RANK) padded.push(0);
  return `{ ${padded.join(', ')} }`;
}

function otherBody(fn: string, p: Exclude<PreparedOp, PreparedWeighted>): LayerBody {
  switch (p.kind) {
    case 'maxpool':
    case 'avgpool':
      return {
        data: `static const snn_pool_params ${fn}_params = {\n  .win = ${windowInit(p.geometry)},\n  .act_min = ${p.actMin}, .act_max = ${p.actMax},\n};\n`,
        call: `${p.kind === 'maxpool' ? 'snn_max_pool_s8' : 'snn_avg_pool_s8'}(&${fn}_params, in0, out);`,
        scratchBytes: 0,
      };
    case 'add': {
      const t = addTables(p);
      return {
        data:
          (t === null ? '' : cArray('int32_t', `${fn}_table`, t.table)) +
          `static const snn_add_params ${fn}_params = {\n  .count = ${p.count}, .a_zp = ${p.aZp}, .b_zp = ${p.bZp},\n` +
          `  .a_mult = ${cInt32(p.aMult)}, .a_shift = ${p.aShift}, .b_mult = ${cInt32(p.bMult)}, .b_shift = ${p.bShift},\n` +
          `  .out_mult = ${cInt32(p.outMult)}, .out_shift = ${p.outShift}, .left_shift = ${p.leftShift},\n` +
          `  .out_zp = ${p.outZp}, .act_min = ${p.actMin}, .act_max = ${p.actMax},\n` +
          `  .table = ${t === null ? '0' : `${fn}_table`}, .table_shift = ${t === null ? 0 : t.shift}, .table_rounding = ${t === null ? 0 : t.rounding},\n};\n`,
        call: `snn_add_s8(&${fn}_params, in0, in1, out, (int32_t *)scratch);`,
        scratchBytes: t === null ? 0 : ADD_TABLE_SCRATCH_BYTES,
      };
    }
    case 'pad': {
      const rank = p.inShape.length;
      if (rank < 1 || rank > PAD_MAX_RANK) {
        throw new SimDseError('kernels', `PAD (operator ${p.opIndex}) has rank ${rank}; the baseline kernel takes ranks 1 to ${PAD_MAX_RANK}`);
      }
      return {
        data:
          `static const snn_pad_params ${fn}_params = {\n  .rank = ${rank},\n  .in_shape = ${intArrayInit(p.inShape)},\n` +
          `  .out_shape = ${intArrayInit(p.outShape)},\n  .before = ${intArrayInit(p.before)},\n  .value = ${p.value},\n};\n`,
        call: `snn_pad_s8(&${fn}_params, in0, out);`,
        scratchBytes: 0,
      };
    }
    case 'mean':
      return {
        data:
          `static const snn_mean_params ${fn}_params = {\n  .batches = ${p.n}, .h = ${p.h}, .w = ${p.w}, .c = ${p.c},\n` +
          `  .in_zp = ${p.inZp}, .out_zp = ${p.outZp}, .multiplier = ${cInt32(p.multiplier)}, .shift = ${p.shift},\n};\n`,
        call: `snn_mean_s8(&${fn}_params, in0, out);`,
        scratchBytes: 0,
      };
    case 'softmax':
      return {
        data:
          `static const snn_softmax_params ${fn}_params = {\n  .outer = ${p.outer}, .depth = ${p.depth},\n` +
          `  .input_multiplier = ${cInt32(p.inputMultiplier)}, .input_left_shift = ${p.inputLeftShift}, .diff_min = ${cInt32(p.diffMin)},\n};\n`,
        call: `snn_softmax_s8(&${fn}_params, in0, out);`,
        scratchBytes: 0,
      };
    case 'requantize':
      return {
        data:
          `static const snn_requantize_params ${fn}_params = {\n  .count = ${p.count}, .in_zp = ${p.inZp}, .out_zp = ${p.outZp},\n` +
          `  .multiplier = ${cInt32(p.multiplier)}, .shift = ${p.shift},\n};\n`,
        call: `snn_requantize_s8(&${fn}_params, in0, out);`,
        scratchBytes: 0,
      };
    case 'quantize':
    case 'dequantize':
    case 'reshape':
      throw new SimDseError('kernels', `${OPERATOR_NAME[p.kind]} (operator ${p.opIndex}) has no baseline kernel`);
  }
}


/**
 * One layer as a C translation unit `<fn>.c` defining
 * `void fn(const int8_t *in0, const int8_t *in1, int8_t *out, void *scratch)`
 * (see layer-types.ts). `mask` (one byte per weight, storage order, 1 =
 * skipped) applies to CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED only.
 * Throws SimDseError('kernels') for operators without a baseline kernel
 * (float QUANTIZE, DEQUANTIZE, RESHAPE: the network assembler's job), a mask
 * of the wrong size or on another kind, or a name that is not a C identifier.
 */
export function emitBaselineLayer(op: PreparedOp, fn: string, mask?: SkipMask): EmittedLayer {
  checkCIdentifier(fn);
  let body: LayerBody;
  if (isWeightedOp(op)) {
    body = op.kind === 'conv' ? convBody(fn, op, mask) : op.kind === 'depthwise' ? depthwiseBody(fn, op, mask) : fcBody(fn, op, mask);
  } else {
    if (mask !== undefined) throw new SimDseError('kernels', `${OPERATOR_NAME[op.kind]} (operator ${op.opIndex}) takes no skip mask`);
    body = otherBody(fn, op);
  }
  const code =
    `/* sim-dse baseline layer: ${OPERATOR_NAME[op.kind]} (operator ${op.opIndex}), generated; do not edit.` +
    `${body.codeBytes === undefined ? '' : ` (flash estimate: ${body.codeBytes} bytes of code)`} */\n` +
    `#include <stdint.h>\n#include "snn.h"\n\n${body.data}\n` +
    `${layerPrototype(fn)} {\n  (void)in1;\n  (void)scratch;\n  ${body.call}\n}\n`;
  return { fn, source: { name: `${fn}.c`, code }, scratchBytes: body.scratchBytes };
}
