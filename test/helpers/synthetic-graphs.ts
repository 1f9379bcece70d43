/**
 * Small synthetic graphs, each with a few int8 inputs, that exercise kernel
 * edge cases (stride-2 SAME padding, odd channel counts, dilation, RELU6,
 * depthwise multiplier 2, FC tails and batches, clipped pool windows, ADD,
 * PAD, MEAN, requantize ties, softmax): shared by the kernel tests of every
 * kernel style (baseline ops, CMSIS-NN ops).
 */
import type { Graph } from '../../src/model/ir.js';
import { GraphBuilder, i8 } from './engine-fixtures.js';
import { xorshift32 } from './xorshift.js';

/** Deterministic int8 values in [lo, hi] (xorshift32). */
export function randomInts(n: number, seed: number, lo = -128, hi = 127): number[] {
  const next = xorshift32(seed);
  return Array.from({ length: n }, () => lo + (next() % (hi - lo + 1)));
}

export interface SyntheticCase {
  readonly name: string;
  readonly graph: Graph;
  /** Graph inputs (int8 bytes). */
  readonly inputs: readonly Uint8Array[];
}

export const convCase = (o: {
  name: string; h: number; w: number; c: number; oc: number; k: number; stride: number; padding: 'SAME' | 'VALID';
  dilation?: number; activation?: string; scales?: number[]; outScale?: number; inZp?: number; outZp?: number; seed: number;
}): SyntheticCase => {
  const b = new GraphBuilder();
  const d = o.dilation ?? 1;
  const eff = (o.k - 1) * d + 1;
  const oh = o.padding === 'SAME' ? Math.ceil(o.h / o.stride) : Math.floor((o.h - eff) / o.stride) + 1;
  const ow = o.padding === 'SAME' ? Math.ceil(o.w / o.stride) : Math.floor((o.w - eff) / o.stride) + 1;
  const x = b.tensor([1, o.h, o.w, o.c], 'int8', 0.5, o.inZp ?? 3);
  const scales = o.scales ?? new Array<number>(o.oc).fill(0.25);
  const f = b.tensor([o.oc, o.k, o.k, o.c], 'int8', scales, new Array<number>(o.oc).fill(0), randomInts(o.oc * o.k * o.k * o.c, o.seed), 0);
  const bias = b.tensor([o.oc], 'int32', null, 0, randomInts(o.oc, o.seed + 1, -500, 500));
  const y = b.tensor([1, oh, ow, o.oc], 'int8', o.outScale ?? 8, o.outZp ?? -5);
  b.op({ kind: 'CONV_2D', inputs: [x, f, bias], outputs: [y], padding: o.padding, strideH: o.stride, strideW: o.stride, dilationH: d, dilationW: d, activation: o.activation ?? 'NONE' });
  const n = o.h * o.w * o.c;
  return { name: o.name, graph: b.graph(x, y), inputs: [1, 2, 3].map((s) => i8(randomInts(n, o.seed * 7 + s))) };
};

/** The shared synthetic cases, in a fixed order (names say what each exercises). */
export function syntheticCases(): SyntheticCase[] {
  const list: SyntheticCase[] = [];
  list.push(convCase({ name: 'CONV_2D 3x3 stride 2 SAME, in_c 3 (byte gather + K tail), out_c 5 (odd row), 9 positions (odd column)', h: 5, w: 5, c: 3, oc: 5, k: 3, stride: 2, padding: 'SAME', seed: 11 }));
  list.push(convCase({ name: 'CONV_2D 3x3 stride 1 SAME, in_c 3 (word-assembled RGB im2col, padded rows, clipped columns), out_c 6', h: 6, w: 7, c: 3, oc: 6, k: 3, stride: 1, padding: 'SAME', seed: 18 }));
  list.push(convCase({ name: 'CONV_2D 3x3 stride 1 VALID, in_c 3 (RGB im2col, every window inside), input zero point -128 (offsets up to 255), 5 positions', h: 3, w: 7, c: 3, oc: 4, k: 3, stride: 1, padding: 'VALID', inZp: -128, seed: 19 }));
  list.push(convCase({ name: 'CONV_2D 3x3 stride 2 VALID, in_c 3 (RGB im2col with stride), out_c 3', h: 7, w: 9, c: 3, oc: 3, k: 3, stride: 2, padding: 'VALID', seed: 20 }));
  list.push(convCase({ name: 'CONV_2D 3x3 stride 1 SAME, in_c 8, out_c 6, RELU6, per-channel scales', h: 6, w: 7, c: 8, oc: 6, k: 3, stride: 1, padding: 'SAME', activation: 'RELU6', scales: [0.25, 0.5, 0.125, 0.3, 0.02, 1], outScale: 0.5, outZp: -100, seed: 12 }));
  list.push(convCase({ name: 'CONV_2D 2x2 stride 2 SAME with bottom/right padding, in_c 4, out_c 7, 16 MAC groups unrolled', h: 7, w: 7, c: 64, oc: 7, k: 2, stride: 2, padding: 'SAME', seed: 13 }));
  list.push(convCase({ name: 'CONV_2D 1x1 stride 2 VALID, in_c 32, out_c 6, RELU6 (pointwise path: 21 position pairs in passes of 8, 8, 5; clamped)', h: 12, w: 14, c: 32, oc: 6, k: 1, stride: 2, padding: 'VALID', activation: 'RELU6', scales: new Array<number>(6).fill(0.01), outScale: 0.05, outZp: -128, seed: 21 }));
  list.push(convCase({ name: 'CONV_2D 1x1 stride 1, in_c 16, out_c 4 (pointwise path, full range), input zero point -128', h: 4, w: 6, c: 16, oc: 4, k: 1, stride: 1, padding: 'VALID', inZp: -128, seed: 22 }));
  list.push(convCase({ name: 'CONV_2D 1x1, in_c 5 (row of 5 padded to 8), out_c 3', h: 3, w: 5, c: 5, oc: 3, k: 1, stride: 1, padding: 'VALID', seed: 16 }));
  list.push(convCase({ name: 'CONV_2D 3x3 stride 2, in_c 6 (row of 54 padded to 56), RELU6, multiplier > 1 (slow requantization)', h: 6, w: 5, c: 6, oc: 4, k: 3, stride: 2, padding: 'SAME', activation: 'RELU6', outScale: 0.01, seed: 17 }));
  list.push(convCase({ name: 'CONV_2D dilation 2 VALID, in_c 12, out_c 2', h: 7, w: 6, c: 12, oc: 2, k: 2, stride: 1, padding: 'VALID', dilation: 2, seed: 14 }));
  // Real multiplier exactly 0.5: odd accumulators are rounding ties (half away from zero), both signs.
  list.push(convCase({ name: 'CONV_2D requantization ties (multiplier 0.5)', h: 4, w: 4, c: 4, oc: 4, k: 1, stride: 1, padding: 'VALID', scales: [0.5, 0.5, 0.5, 0.5], outScale: 0.125, outZp: 0, inZp: 0, seed: 15 }));
  {
    const b = new GraphBuilder();
    const x = b.tensor([1, 5, 5, 3], 'int8', 0.5, -7);
    const f = b.tensor([1, 3, 3, 6], 'int8', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], new Array<number>(6).fill(0), randomInts(54, 21), 3);
    const bias = b.tensor([6], 'int32', null, 0, randomInts(6, 22, -300, 300));
    const y = b.tensor([1, 3, 3, 6], 'int8', 2, 9);
    b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, bias], outputs: [y], padding: 'SAME', strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, depthMultiplier: 2, activation: 'RELU' });
    list.push({ name: 'DEPTHWISE_CONV_2D multiplier 2, stride 2 SAME, RELU', graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(75, 23 + s))) });
  }
  for (const [h, w, c, stride, padding, dilation, outScale, activation] of [
    [6, 7, 8, 1, 'SAME', 1, 2, 'RELU6'],
    [7, 6, 12, 2, 'SAME', 1, 2, 'RELU6'],
    [7, 7, 4, 1, 'VALID', 2, 2, 'RELU6'],
    [5, 6, 8, 2, 'SAME', 1, 0.001, 'RELU6'],
    [6, 5, 8, 1, 'VALID', 1, 2, 'NONE'],
    [8, 9, 4, 2, 'SAME', 1, 2, 'NONE'],
  ] as const) {
    // Multiplier 1, channels a multiple of 4: the plane path for undilated 3x3 with the fast requantization (pixel-pair
    // plane; stride 1 by pairs of positions, an odd last position in C; stride 2 by quads of positions, the last row's
    // positions after its whole quads in C: 7x6 and 8x9 have 3 and 5 per row; clamped per byte lane in both bounds, or
    // saturated only when the range is all of int8), the word path for dilation 2 and the slow requantization.
    list.push(depthwiseCase(h, w, c, stride, padding, dilation, outScale, activation));
  }
  {
    const b = new GraphBuilder();
    const x = b.tensor([2, 11], 'int8', 0.5, 4);
    const w = b.tensor([5, 11], 'int8', 0.25, 0, randomInts(55, 31));
    const bias = b.tensor([5], 'int32', null, 0, randomInts(5, 32, -1000, 1000));
    const y = b.tensor([2, 5], 'int8', 1.5, -3);
    b.op({ kind: 'FULLY_CONNECTED', inputs: [x, w, bias], outputs: [y], activation: 'NONE', keepNumDims: false });
    list.push({ name: 'FULLY_CONNECTED 11 -> 5 (odd row, reduction tail), 2 batches', graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(22, 33 + s))) });
  }
  for (const [n, rows, batches, activation, seed] of [[20, 11, 2, 'RELU', 41], [24, 4, 1, 'NONE', 43]] as const) {
    // the fast path (snn_fc_fast_s8): an odd or even number of input words, 4 + 4 + 2 + 1 or 4 rows, clamped or full range
    const b = new GraphBuilder();
    const x = b.tensor([batches, n], 'int8', 0.5, -7);
    const w = b.tensor([rows, n], 'int8', 0.25, 0, randomInts(rows * n, seed));
    const bias = b.tensor([rows], 'int32', null, 0, randomInts(rows, seed + 1, -300, 300));
    const y = b.tensor([batches, rows], 'int8', 4, -2);
    b.op({ kind: 'FULLY_CONNECTED', inputs: [x, w, bias], outputs: [y], activation, keepNumDims: false });
    list.push({ name: `FULLY_CONNECTED ${n} -> ${rows}, ${batches} batch(es), ${activation} (fast path)`, graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(batches * n, seed + 1 + s))) });
  }
  {
    // 7 rows: four, two and one at a time; output scale 0.01 makes the multiplier > 1 (slow requantization).
    const b = new GraphBuilder();
    const x = b.tensor([1, 12], 'int8', 0.5, -3);
    const w = b.tensor([7, 12], 'int8', 0.25, 0, randomInts(84, 36));
    const bias = b.tensor([7], 'int32', null, 0, randomInts(7, 37, -100, 100));
    const y = b.tensor([1, 7], 'int8', 0.01, 5);
    b.op({ kind: 'FULLY_CONNECTED', inputs: [x, w, bias], outputs: [y], activation: 'RELU', keepNumDims: false });
    list.push({ name: 'FULLY_CONNECTED 12 -> 7 (4 + 2 + 1 rows), multiplier > 1, RELU', graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(12, 38 + s, -20, 20))) });
  }
  for (const [kind, c] of [['MAX_POOL_2D', 8], ['MAX_POOL_2D', 3], ['AVERAGE_POOL_2D', 3], ['AVERAGE_POOL_2D', 8]] as const) {
    const b = new GraphBuilder();
    const x = b.tensor([1, 5, 5, c], 'int8', 0.1, -20);
    const y = b.tensor([1, 3, 3, c], 'int8', 0.1, -20);
    b.op({ kind, inputs: [x], outputs: [y], padding: 'SAME', strideH: 2, strideW: 2, filterH: 3, filterW: 3, activation: 'RELU6' });
    list.push({ name: `${kind} 3x3 stride 2 SAME (clipped windows), ${c} channels, RELU6`, graph: b.graph(x, y), inputs: [1, 2, 3].map((s) => i8(randomInts(25 * c, 40 + c + s))) });
  }
  for (const activation of ['NONE', 'RELU6']) {
    // Whole 2 x 2 windows: the word path with the four-byte clamp.
    const b = new GraphBuilder();
    const x = b.tensor([1, 5, 4, 12], 'int8', 0.05, -20);
    const y = b.tensor([1, 2, 2, 12], 'int8', 0.05, -20);
    b.op({ kind: 'MAX_POOL_2D', inputs: [x], outputs: [y], padding: 'VALID', strideH: 2, strideW: 2, filterH: 2, filterW: 2, activation });
    list.push({ name: `MAX_POOL_2D 2x2 stride 2 VALID, 12 channels, ${activation}`, graph: b.graph(x, y), inputs: [1, 2, 3].map((s) => i8(randomInts(240, 45 + s))) });
  }
  {
    // x -> two int8 requantizations (different scales, zero points) -> ADD
    const b = new GraphBuilder();
    const x = b.tensor([1, 3, 3, 5], 'int8', 0.2, 1);
    const qa = b.tensor([1, 3, 3, 5], 'int8', 0.3, -10);
    const qb = b.tensor([1, 3, 3, 5], 'int8', 0.1, 7);
    const y = b.tensor([1, 3, 3, 5], 'int8', 0.35, -2);
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [qa] });
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [qb] });
    b.op({ kind: 'ADD', inputs: [qa, qb], outputs: [y], activation: 'RELU' });
    list.push({ name: 'int8 QUANTIZE (requantize) twice, then ADD with RELU', graph: b.graph(x, y), inputs: [1, 2, 3].map((s) => i8(randomInts(45, 50 + s))) });
  }
  for (const [label, outScale, activation, n] of [
    ['full int8 range, 4k + 3 elements (assembly loop and tail)', 0.35, 'NONE', 67],
    ['RELU6 (clamped loop)', 0.05, 'RELU6', 13],
    ['output scale 1e-7 (shift >= 0: the two-step path)', 1e-7, 'NONE', 9],
  ] as const) {
    const b = new GraphBuilder();
    const x = b.tensor([1, n], 'int8', 0.2, 1);
    const qa = b.tensor([1, n], 'int8', 0.3, -10);
    const qb = b.tensor([1, n], 'int8', 0.1, 7);
    const y = b.tensor([1, n], 'int8', outScale, -2);
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [qa] });
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [qb] });
    b.op({ kind: 'ADD', inputs: [qa, qb], outputs: [y], activation });
    list.push({ name: `ADD, ${label}`, graph: b.graph(x, y), inputs: [1, 2, 3].map((s) => i8(randomInts(n, 90 + n + s))) });
  }
  for (const ratio of [0.5, 0.25]) {
    // Requantize by exactly 0.5 or 0.25: every other input is a tie.
    const b = new GraphBuilder();
    const x = b.tensor([1, 64], 'int8', ratio, 0);
    const y = b.tensor([1, 64], 'int8', 1, 0);
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [y] });
    list.push({ name: `int8 QUANTIZE by ${ratio}: rounding ties`, graph: b.graph(x, y), inputs: [i8(Array.from({ length: 64 }, (_, i) => -32 + i))] });
  }
  {
    const b = new GraphBuilder();
    const x = b.tensor([1, 2, 3, 3], 'int8', 0.5, 6);
    const p = b.tensor([4, 2], 'int32', null, 0, [0, 0, 1, 2, 0, 1, 2, 0]);
    const y = b.tensor([1, 5, 4, 5], 'int8', 0.5, 6);
    b.op({ kind: 'PAD', inputs: [x, p], outputs: [y] });
    list.push({ name: 'PAD rank 4 with the zero point', graph: b.graph(x, y), inputs: [i8(randomInts(18, 60))] });
  }
  {
    const b = new GraphBuilder();
    const x = b.tensor([1, 3, 5, 6], 'int8', 0.2, -3);
    const axes = b.tensor([2], 'int32', null, 0, [1, 2]);
    const y = b.tensor([1, 1, 1, 6], 'int8', 0.15, 4);
    b.op({ kind: 'MEAN', inputs: [x, axes], outputs: [y], keepDims: true });
    list.push({ name: 'MEAN over H and W (15 positions)', graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(90, 70 + s))) });
  }
  {
    const b = new GraphBuilder();
    const x = b.tensor([3, 10], 'int8', 0.1, 0);
    const y = b.tensor([3, 10], 'int8', 1 / 256, -128);
    b.op({ kind: 'SOFTMAX', inputs: [x], outputs: [y], beta: 1 });
    const equal = new Array<number>(10).fill(37);
    const spread = [127, -128, 0, 5, 5, 100, 126, -1, 64, -64];
    list.push({ name: 'SOFTMAX rows of equal inputs, a wide spread and random values', graph: b.graph(x, y), inputs: [i8([...equal, ...spread, ...randomInts(10, 80)]), i8(new Array<number>(30).fill(-128))] });
  }
  return list;
}

/** A depthwise 3x3 layer, multiplier 1 (input scale 0.5, zero point -7; output zero point 9). */
function depthwiseCase(h: number, w: number, c: number, stride: number, padding: 'SAME' | 'VALID', dilation: number, outScale: number, activation: string): SyntheticCase {
  const b = new GraphBuilder();
  const oh = padding === 'SAME' ? Math.ceil(h / stride) : Math.floor((h - 2 * dilation - 1) / stride) + 1;
  const ow = padding === 'SAME' ? Math.ceil(w / stride) : Math.floor((w - 2 * dilation - 1) / stride) + 1;
  const x = b.tensor([1, h, w, c], 'int8', 0.5, -7);
  const f = b.tensor([1, 3, 3, c], 'int8', Array.from({ length: c }, (_, i) => 0.05 + 0.01 * i), new Array<number>(c).fill(0), randomInts(9 * c, 24 + c), 3);
  const bias = b.tensor([c], 'int32', null, 0, randomInts(c, 25 + c, -300, 300));
  const y = b.tensor([1, oh, ow, c], 'int8', outScale, 9);
  b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, bias], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: dilation, dilationW: dilation, depthMultiplier: 1, activation });
  const slow = outScale < 0.01 ? ', multiplier > 1 (slow requantization)' : '';
  return { name: `DEPTHWISE_CONV_2D ${h}x${w}x${c} stride ${stride} ${padding} dilation ${dilation} ${activation}${slow}`, graph: b.graph(x, y), inputs: [1, 2].map((s) => i8(randomInts(h * w * c, 26 + c + s))) };
}

/**
 * CONV_2D layers the baseline's 3x3 plane path takes (snn_conv_3x3c16.h), 3, 16, 32 and 64 channels: stride 1 and 2,
 * the plane in several bands (wide rows: few plane rows per 8 KB), SAME and VALID, clamped (RELU6) and
 * full-range outputs.
 */
export function conv16PlaneCases(): SyntheticCase[] {
  return [
    convCase({ name: 'CONV_2D 3x3 stride 1 SAME, in_c 16 (plane path, 4 bands of 2 rows), out_c 6, RELU6, per-channel scales', h: 7, w: 60, c: 16, oc: 6, k: 3, stride: 1, padding: 'SAME', activation: 'RELU6', scales: [0.25, 0.5, 0.125, 0.3, 0.02, 1], outScale: 0.5, outZp: -100, seed: 31 }),
    convCase({ name: 'CONV_2D 3x3 stride 2 SAME, in_c 16 (plane path, bands of 2 rows), out_c 4, input zero point -128', h: 9, w: 40, c: 16, oc: 4, k: 3, stride: 2, padding: 'SAME', inZp: -128, seed: 32 }),
    convCase({ name: 'CONV_2D 3x3 stride 1 VALID, in_c 16 (plane path, one band), out_c 2', h: 5, w: 6, c: 16, oc: 2, k: 3, stride: 1, padding: 'VALID', seed: 33 }),
    convCase({ name: 'CONV_2D 3x3 stride 2 VALID, in_c 16 (plane path), out_c 8, RELU6', h: 8, w: 9, c: 16, oc: 8, k: 3, stride: 2, padding: 'VALID', activation: 'RELU6', scales: new Array<number>(8).fill(0.01), outScale: 0.05, outZp: -128, seed: 34 }),
    convCase({ name: 'CONV_2D 3x3 stride 1 SAME, in_c 3 (plane path, 2 bands), out_c 4, RELU6, input zero point -128', h: 20, w: 60, c: 3, oc: 4, k: 3, stride: 1, padding: 'SAME', activation: 'RELU6', scales: [0.25, 0.5, 0.125, 0.3], outScale: 0.5, outZp: -100, inZp: -128, seed: 35 }),
    convCase({ name: 'CONV_2D 3x3 stride 2 SAME, in_c 3 (plane path), out_c 6', h: 9, w: 12, c: 3, oc: 6, k: 3, stride: 2, padding: 'SAME', seed: 36 }),
    convCase({ name: 'CONV_2D 3x3 stride 1 VALID, in_c 3 (plane path, the last pixel of a row assembled), out_c 2', h: 5, w: 6, c: 3, oc: 2, k: 3, stride: 1, padding: 'VALID', seed: 37 }),
    convCase({ name: 'CONV_2D 3x3 stride 1 SAME, in_c 32 (plane path, bands of 2 rows), out_c 4, RELU6', h: 9, w: 26, c: 32, oc: 4, k: 3, stride: 1, padding: 'SAME', activation: 'RELU6', scales: [0.25, 0.5, 0.125, 0.3], outScale: 0.5, outZp: -100, seed: 38 }),
    convCase({ name: 'CONV_2D 3x3 stride 2 SAME, in_c 32 (plane path), out_c 6, input zero point -128', h: 8, w: 8, c: 32, oc: 6, k: 3, stride: 2, padding: 'SAME', inZp: -128, seed: 39 }),
    convCase({ name: 'CONV_2D 3x3 stride 1 SAME, in_c 64 (plane path, bands), out_c 4', h: 7, w: 10, c: 64, oc: 4, k: 3, stride: 1, padding: 'SAME', seed: 40 }),
    convCase({ name: 'CONV_2D 3x3 stride 2 VALID, in_c 64 (plane path), out_c 2, RELU6', h: 7, w: 9, c: 64, oc: 2, k: 3, stride: 2, padding: 'VALID', activation: 'RELU6', scales: [0.01, 0.01], outScale: 0.05, outZp: -128, seed: 41 }),
  ];
}

/**
 * Depthwise 3x3 layers whose plane (snn_depthwise_3x3_s8) does not fit the scratch limit in one band:
 * stride 1 (40 output rows, bands of 22) and stride 2 (32 output rows, bands of 7), odd widths.
 */
export function depthwiseBandCases(): SyntheticCase[] {
  return [depthwiseCase(40, 39, 4, 1, 'SAME', 1, 2, 'RELU6'), depthwiseCase(64, 61, 4, 2, 'SAME', 1, 2, 'NONE')];
}
