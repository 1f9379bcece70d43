import { describe, expect, test } from 'vitest';
import { createEngine } from '../src/model/engine/index.js';
import type { Graph } from '../src/model/ir.js';
import { ModelError } from '../src/model/errors.js';
import { floats, GraphBuilder, i8, nativeLevels, vals } from './helpers/engine-fixtures.js';

/** Runs a graph on every backend (native at each GEMM level this CPU has), checks they agree, returns the output bytes. */
function run(graph: Graph, input: Uint8Array): Uint8Array {
  const w = createEngine(graph, { backend: 'wasm' }).run(input);
  const s = createEngine(graph, { backend: 'scalar' }).run(input);
  expect(Array.from(w)).toEqual(Array.from(s));
  for (const nativeIsa of nativeLevels()) expect([nativeIsa, ...createEngine(graph, { backend: 'native', nativeIsa }).run(input)]).toEqual([nativeIsa, ...s]);
  return w;
}

const IMG = i8([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 1x3x3x1, zero point 1 below
const FILTER = [1, 2, 3, 4]; // 1x2x2x1

/**
 * Conv of IMG with FILTER, input scale 0.5 zp 1, filter scale 0.5, output
 * scale 0.25 zp 0: the real multiplier is exactly 1, so outputs are
 * sum(w * (x - 1)) + bias.
 */
function conv(padding: 'SAME' | 'VALID', stride: number, outHW: number, activation = 'NONE'): Graph {
  const b = new GraphBuilder();
  const x = b.tensor([1, 3, 3, 1], 'int8', 0.5, 1);
  const f = b.tensor([1, 2, 2, 1], 'int8', 0.5, 0, FILTER);
  const bias = b.tensor([1], 'int32', 0.25, 0, [3]);
  const y = b.tensor([1, outHW, outHW, 1], 'int8', 0.25, 0);
  b.op({ kind: 'CONV_2D', inputs: [x, f, bias], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, activation });
  return b.graph(x, y);
}

describe('CONV_2D', () => {
  test('VALID stride 1: sum(w * (x - zp)) + bias', () => {
    // (1*0 + 2*1 + 3*3 + 4*4) + 3 = 30, 40, 60, 70
    expect(vals(run(conv('VALID', 1, 2), IMG))).toEqual([30, 40, 60, 70]);
  });
  test('SAME stride 1 pads bottom/right with the input zero point', () => {
    expect(vals(run(conv('SAME', 1, 3), IMG))).toEqual([30, 40, 20, 60, 70, 32, 23, 26, 11]);
  });
  test('SAME stride 2 and VALID stride 2', () => {
    expect(vals(run(conv('SAME', 2, 2), IMG))).toEqual([30, 20, 23, 11]);
    expect(vals(run(conv('VALID', 2, 1), IMG))).toEqual([30]);
  });
  test('per-channel multipliers: channel 1 has real multiplier 0.5 (ties round up)', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 3, 3, 1], 'int8', 0.5, 1);
    const f = b.tensor([2, 2, 2, 1], 'int8', [0.5, 0.25], [0, 0], [...FILTER, 1, 1, 1, 1], 0);
    const bias = b.tensor([2], 'int32', null, 0, [3, 1]);
    const y = b.tensor([1, 2, 2, 2], 'int8', 0.25, 0);
    b.op({ kind: 'CONV_2D', inputs: [x, f, bias], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' });
    // channel 1: (8, 12, 20, 24) + 1 = 9, 13, 21, 25 -> halved: 5, 7, 11, 13
    expect(vals(run(b.graph(x, y), IMG))).toEqual([30, 5, 40, 7, 60, 11, 70, 13]);
  });
  test('dilation 2 on a 3x3 input reads the corners', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 3, 3, 1], 'int8', 0.5, 1);
    const f = b.tensor([1, 2, 2, 1], 'int8', 0.5, 0, FILTER);
    const y = b.tensor([1, 1, 1, 1], 'int8', 0.25, -10);
    b.op({ kind: 'CONV_2D', inputs: [x, f, -1], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 2, dilationW: 2, activation: 'NONE' });
    // 1*0 + 2*2 + 3*6 + 4*8 = 54, output zero point -10
    expect(vals(run(b.graph(x, y), IMG))).toEqual([44]);
  });
  test('output zero point and RELU clamp in the quantized domain', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 1, 1, 2], 'int8', 0.5, 0);
    const f = b.tensor([2, 1, 1, 2], 'int8', 0.5, 0, [1, -1, -2, -1]);
    const y = b.tensor([1, 1, 1, 2], 'int8', 0.25, 10);
    b.op({ kind: 'CONV_2D', inputs: [x, f, -1], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'RELU' });
    // raw: 5 - 9 = -4 -> 6 -> clamped to zp 10; -10 - 9 = -19 -> -9 -> 10
    expect(vals(run(b.graph(x, y), i8([5, 9])))).toEqual([10, 10]);
  });
});

describe('DEPTHWISE_CONV_2D', () => {
  test('depth multiplier 2: output channel ic * 2 + m', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 2, 2, 2], 'int8', 0.5, 0);
    const f = b.tensor([1, 2, 2, 4], 'int8', 0.5, 0, [1, 0, 2, 1, 1, 1, 0, -1, 0, 1, 1, 0, 2, 0, 0, 1], 3);
    const y = b.tensor([1, 1, 1, 4], 'int8', 0.25, 0);
    b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, -1], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, depthMultiplier: 2, activation: 'NONE' });
    expect(vals(run(b.graph(x, y), i8([1, 2, 3, 4, 5, 6, 7, 8])))).toEqual([18, 8, 10, 6]);
  });
});

/** Depthwise 3x3 all-ones filter over a 1x3x3x8 input x[p][c] = p + c (p = 3y + x). */
function dw8(padding: 'SAME' | 'VALID', stride: number, outHW: number, scales: number[]): { g: Graph; input: Uint8Array } {
  const b = new GraphBuilder();
  const x = b.tensor([1, 3, 3, 8], 'int8', 0.5, 0);
  const f = b.tensor([1, 3, 3, 8], 'int8', scales, new Array<number>(8).fill(0), new Array<number>(72).fill(1), 3);
  const y = b.tensor([1, outHW, outHW, 8], 'int8', 0.25, 0);
  b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, -1], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: 'NONE' });
  const input: number[] = [];
  for (let p = 0; p < 9; p++) for (let c = 0; c < 8; c++) input.push(p + c);
  return { g: b.graph(x, y), input: i8(input) };
}

describe('DEPTHWISE_CONV_2D (vector path: multiplier 1, 8 channels)', () => {
  test('VALID: sum of the nine pixels, 36 + 9c; channel 1 at half scale rounds 22.5 up', () => {
    const scales = [0.5, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const { g, input } = dw8('VALID', 1, 1, scales);
    expect(vals(run(g, input))).toEqual([36, 23, 54, 63, 72, 81, 90, 99]);
  });
  test('SAME stride 2: only the taps inside the image count', () => {
    const { g, input } = dw8('SAME', 2, 2, new Array<number>(8).fill(0.5));
    const want: number[] = [];
    for (const base of [8, 12, 20, 24]) for (let c = 0; c < 8; c++) want.push(base + 4 * c);
    expect(vals(run(g, input))).toEqual(want);
  });
});

describe('FULLY_CONNECTED', () => {
  function fc(activation: string): Graph {
    const b = new GraphBuilder();
    const x = b.tensor([1, 2], 'int8', 0.5, 0);
    const w = b.tensor([2, 2], 'int8', 0.5, 0, [1, -1, 2, 1]);
    const bias = b.tensor([2], 'int32', null, 0, [0, 0]);
    const y = b.tensor([1, 2], 'int8', 0.25, 0);
    b.op({ kind: 'FULLY_CONNECTED', inputs: [x, w, bias], outputs: [y], activation, keepNumDims: false });
    return b.graph(x, y);
  }
  test('NONE, RELU and RELU6 (6 / 0.25 = 24)', () => {
    expect(vals(run(fc('NONE'), i8([5, 9])))).toEqual([-4, 19]);
    expect(vals(run(fc('RELU'), i8([5, 9])))).toEqual([0, 19]);
    expect(vals(run(fc('RELU6'), i8([5, 30])))).toEqual([0, 24]);
  });
});

describe('pooling', () => {
  test('MAX_POOL_2D 2x2 stride 2 VALID', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 4, 4, 1], 'int8', 0.5, 0);
    const y = b.tensor([1, 2, 2, 1], 'int8', 0.5, 0);
    b.op({ kind: 'MAX_POOL_2D', inputs: [x], outputs: [y], padding: 'VALID', strideH: 2, strideW: 2, filterH: 2, filterW: 2, activation: 'NONE' });
    const input = i8([1, -5, 3, 0, -2, 4, -128, -7, 9, 8, 7, 6, 5, 4, 3, 127]);
    expect(vals(run(b.graph(x, y), input))).toEqual([4, 3, 9, 127]);
  });
  test('MAX_POOL_2D over 17 channels (one 16-lane vector and a tail), fused RELU', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 2, 2, 17], 'int8', 0.5, -5);
    const y = b.tensor([1, 1, 1, 17], 'int8', 0.5, -5);
    b.op({ kind: 'MAX_POOL_2D', inputs: [x], outputs: [y], padding: 'VALID', strideH: 2, strideW: 2, filterH: 2, filterW: 2, activation: 'RELU' });
    const input: number[] = [];
    for (let p = 0; p < 4; p++) for (let c = 0; c < 17; c++) input.push(((p * 37 + c * 11) % 255) - 128);
    const want: number[] = [];
    for (let c = 0; c < 17; c++) want.push(Math.max(-5, ...[0, 1, 2, 3].map((p) => input[p * 17 + c])));
    expect(vals(run(b.graph(x, y), i8(input)))).toEqual(want);
    expect(want.slice(0, 6)).toEqual([-5, -5, 5, 16, 27, 38]);
  });
  test('AVERAGE_POOL_2D SAME divides by the valid taps, rounding half away from zero', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 3, 3, 2], 'int8', 0.5, 0);
    const y = b.tensor([1, 2, 2, 2], 'int8', 0.5, 0);
    b.op({ kind: 'AVERAGE_POOL_2D', inputs: [x], outputs: [y], padding: 'SAME', strideH: 2, strideW: 2, filterH: 2, filterW: 2, activation: 'NONE' });
    const input: number[] = [];
    for (let v = 1; v <= 9; v++) input.push(v, -v);
    // (1+2+4+5)/4 = 3, (3+6)/2 = 4.5 -> 5, (7+8)/2 = 7.5 -> 8, 9; negated: -3, -5, -8, -9
    expect(vals(run(b.graph(x, y), i8(input)))).toEqual([3, -3, 5, -5, 8, -8, 9, -9]);
  });
});

/**
 * A graph whose input [1,1,1,2n] (scale 0.5) is split by two exact 1x1
 * convolutions into A (first n channels, scale sA) and B (last n, scale sB),
 * then ADDed into an output of scale sOut.
 */
function addGraph(n: number, sA: number, sB: number, sOut: number, activation = 'NONE'): Graph {
  const b = new GraphBuilder();
  const x = b.tensor([1, 1, 1, 2 * n], 'int8', 0.5, 0);
  const pick = (offset: number): number[] => {
    const w: number[] = [];
    for (let o = 0; o < n; o++) for (let i = 0; i < 2 * n; i++) w.push(i === o + offset ? 1 : 0);
    return w;
  };
  const wa = b.tensor([n, 1, 1, 2 * n], 'int8', 2 * sA, 0, pick(0));
  const wb = b.tensor([n, 1, 1, 2 * n], 'int8', 2 * sB, 0, pick(n));
  const ta = b.tensor([1, 1, 1, n], 'int8', sA, 0);
  const tb = b.tensor([1, 1, 1, n], 'int8', sB, 0);
  const y = b.tensor([1, 1, 1, n], 'int8', sOut, 0);
  const conv = { padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' };
  b.op({ kind: 'CONV_2D', inputs: [x, wa, -1], outputs: [ta], ...conv });
  b.op({ kind: 'CONV_2D', inputs: [x, wb, -1], outputs: [tb], ...conv });
  b.op({ kind: 'ADD', inputs: [ta, tb], outputs: [y], activation });
  return b.graph(x, y);
}

describe('ADD', () => {
  test('equal scales: exact sums, saturating at the int8 range', () => {
    expect(vals(run(addGraph(3, 0.5, 0.5, 0.5), i8([1, 100, -100, 2, 50, -50])))).toEqual([3, 127, -128]);
  });
  test('scales 1 and 0.5 into 1: a + b/2 with ties away from zero', () => {
    expect(vals(run(addGraph(4, 1, 0.5, 1), i8([1, -1, 0, 0, 3, -3, 1, -1])))).toEqual([3, -3, 1, -1]);
  });
  test('seven elements: one 4-lane vector and a scalar tail agree', () => {
    expect(vals(run(addGraph(7, 1, 0.5, 1), i8([1, -1, 0, 0, 60, -60, 127, 3, -3, 1, -1, 7, -7, 127])))).toEqual([3, -3, 1, -1, 64, -64, 127]);
  });
  test('fused RELU', () => {
    expect(vals(run(addGraph(2, 0.5, 0.5, 0.5, 'RELU'), i8([3, -3, -4, 1])))).toEqual([0, 0]);
  });
});

describe('PAD, MEAN, RESHAPE', () => {
  test('PAD fills with the zero point', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 1, 2, 1], 'int8', 0.5, -3);
    const p = b.tensor([4, 2], 'int32', null, 0, [0, 0, 1, 0, 0, 1, 0, 0]);
    const y = b.tensor([1, 2, 3, 1], 'int8', 0.5, -3);
    b.op({ kind: 'PAD', inputs: [x, p], outputs: [y] });
    expect(vals(run(b.graph(x, y), i8([5, 6])))).toEqual([-3, -3, -3, 5, 6, -3]);
  });
  test('MEAN over H and W rounds half away from zero', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 2, 2, 2], 'int8', 0.5, 0);
    const axes = b.tensor([2], 'int32', null, 0, [1, 2]);
    const y = b.tensor([1, 1, 1, 2], 'int8', 0.5, 0);
    b.op({ kind: 'MEAN', inputs: [x, axes], outputs: [y], keepDims: true });
    // 11 / 4 = 2.75 -> 3; -11 / 4 -> -3
    expect(vals(run(b.graph(x, y), i8([1, -1, 2, -2, 3, -3, 5, -5])))).toEqual([3, -3]);
  });
  test('MEAN with a different output scale requantizes the sum first', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 1, 2, 1], 'int8', 0.5, 2);
    const axes = b.tensor([2], 'int32', null, 0, [2, 1]);
    const y = b.tensor([1, 1], 'int8', 0.25, -1);
    b.op({ kind: 'MEAN', inputs: [x, axes], outputs: [y], keepDims: false });
    // (7 - 2) + (10 - 2) = 13, times 2 = 26, / 2 = 13, + (-1) = 12
    expect(vals(run(b.graph(x, y), i8([7, 10])))).toEqual([12]);
  });
  test('RESHAPE copies the bytes', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 2, 2, 1], 'int8', 0.5, 0);
    const y = b.tensor([1, 4], 'int8', 0.5, 0);
    b.op({ kind: 'RESHAPE', inputs: [x], outputs: [y] });
    expect(vals(run(b.graph(x, y), i8([4, -3, 2, -1])))).toEqual([4, -3, 2, -1]);
  });
});

describe('SOFTMAX', () => {
  function softmaxGraph(depth: number, inScale: number): Graph {
    const b = new GraphBuilder();
    const x = b.tensor([1, depth], 'int8', inScale, 0);
    const y = b.tensor([1, depth], 'int8', 1 / 256, -128);
    b.op({ kind: 'SOFTMAX', inputs: [x], outputs: [y], beta: 1 });
    return b.graph(x, y);
  }
  test('equal logits share the mass exactly', () => {
    expect(vals(run(softmaxGraph(2, 0.1), i8([5, 5])))).toEqual([0, 0]); // 0.5 * 256 - 128
    expect(vals(run(softmaxGraph(4, 0.1), i8([-7, -7, -7, -7])))).toEqual([-64, -64, -64, -64]); // 0.25
  });
  test('a dominant logit saturates at 127, far logits are -128', () => {
    expect(vals(run(softmaxGraph(3, 1), i8([100, 0, -100])))).toEqual([127, -128, -128]);
  });
  test('logits one unit of ln 2 apart halve', () => {
    // scale ln 2: exp differences of 2 -> 4/7, 2/7, 1/7 of 256 = 146.3, 73.1, 36.6
    expect(vals(run(softmaxGraph(3, Math.LN2), i8([2, 1, 0])))).toEqual([18, -55, -91]);
  });
});

describe('QUANTIZE and DEQUANTIZE', () => {
  test('float32 -> int8 rounds half away from zero and clamps; int8 -> float32', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 6], 'float32', null);
    const q = b.tensor([1, 6], 'int8', 0.5, 1);
    const y = b.tensor([1, 6], 'float32', null);
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [q] });
    b.op({ kind: 'DEQUANTIZE', inputs: [q], outputs: [y] });
    const input = new Uint8Array(Float32Array.from([0, 0.5, 0.25, -0.25, 1.0, 100]).buffer);
    // q = [1, 2, 2, 0, 3, 127] -> (q - 1) * 0.5
    expect(floats(run(b.graph(x, y), input))).toEqual([0, 0.5, 0.5, -0.5, 1, 63]);
  });
  test('QUANTIZE ties, NaN and infinities agree on both backends', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 7], 'float32', null);
    const q = b.tensor([1, 7], 'int8', 0.5, 1);
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [q] });
    const input = new Uint8Array(Float32Array.from([1.25, -1.25, NaN, Infinity, -Infinity, 1e30, 0.7499999]).buffer);
    // 2.5 -> 3, -2.5 -> -3, NaN -> 0, +-inf and 2e30 clamp, 1.4999998 -> 1; plus zero point 1
    expect(vals(run(b.graph(x, q), input))).toEqual([4, -2, 1, 127, -128, 127, 2]);
  });
  test('int8 -> int8 QUANTIZE requantizes', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 4], 'int8', 1, 0);
    const y = b.tensor([1, 4], 'int8', 0.5, 3);
    b.op({ kind: 'QUANTIZE', inputs: [x], outputs: [y] });
    expect(vals(run(b.graph(x, y), i8([0, 1, -5, 100])))).toEqual([3, 5, -7, 127]);
  });
});

describe('bad input', () => {
  const convGraph = (mutate: (b: GraphBuilder) => void): Graph => {
    const b = new GraphBuilder();
    b.tensor([1, 3, 3, 1], 'int8', 0.5, 1);
    b.tensor([1, 2, 2, 1], 'int8', 0.5, 0, FILTER);
    b.tensor([1, 2, 2, 1], 'int8', 0.25, 0);
    mutate(b);
    b.op({ kind: 'CONV_2D', inputs: [0, 1, -1], outputs: [2], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' });
    return b.graph(0, 2);
  };
  test('float32 weights are rejected naming the operator', () => {
    const g = convGraph((b) => {
      (b.tensors as unknown as Array<Record<string, unknown>>)[1] = { ...b.tensors[1], dtype: 'float32', data: new Uint8Array(16) };
    });
    expect(() => createEngine(g)).toThrow(new ModelError('operator 0 (CONV_2D): filter tensor 1 (t1) is float32, expected int8 (float and hybrid models are not supported)'));
  });
  test('an output shape that does not fit the padding', () => {
    const g = convGraph((b) => {
      (b.tensors as unknown as Array<Record<string, unknown>>)[2] = { ...b.tensors[2], shape: [1, 3, 3, 1] };
    });
    expect(() => createEngine(g)).toThrow(new ModelError('operator 0 (CONV_2D): output shape [1,3,3,1] does not match VALID padding of input [1,3,3,1] (expected [1,2,2,*])'));
  });
  test('unknown operator kinds and broadcasting ADD', () => {
    const b = new GraphBuilder();
    const x = b.tensor([1, 4], 'int8', 0.5, 0);
    const y = b.tensor([1, 4], 'int8', 0.5, 0);
    b.op({ kind: 'TANH', inputs: [x], outputs: [y] });
    expect(() => createEngine(b.graph(x, y))).toThrow(new ModelError('operator 0 (TANH): not supported by the reference engine'));
  });
  test('wrong input size, bad masks', () => {
    const e = createEngine(conv('VALID', 1, 2));
    expect(() => e.run(new Uint8Array(8))).toThrow(new ModelError('graph test: input has 8 bytes, expected 9 (int8 [1,3,3,1])'));
    expect(() => e.run(IMG, new Map([[0, new Uint8Array(3)]]))).toThrow(new ModelError('skip mask for operator 0 (CONV_2D) has 3 bytes, expected 4 (one per weight)'));
    expect(() => e.run(IMG, new Map([[5, new Uint8Array(4)]]))).toThrow(new ModelError('skip mask for operator 5: the graph has no such operator'));
  });
});
