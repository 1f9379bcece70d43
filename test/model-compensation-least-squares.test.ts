/**
 * The compensation of skipped weights (src/model/compensation) on hand-made
 * layers whose least-squares answer is known exactly: the SPD algebra, the
 * Gram matrix of fully connected and padded convolution rows, and the
 * updates (a skipped weight moves onto an identical input, a constant input
 * moves into the bias, a zero weight stays zero).
 */
import { describe, expect, test } from 'vitest';
import { cholesky, choleskySolve, compensateLayer, gramInverse, reductionGram, spdInverse } from '../src/model/compensation/index.js';
import type { Geometry, PreparedWeighted } from '../src/model/engine/prepare.js';

const ZP = -128;

/** A prepared layer with only what the compensation reads. */
function layer(kind: 'fc' | 'conv', geometry: Partial<Geometry>, weights: number[], bias: number[]): PreparedWeighted {
  const g: Geometry = { n: 1, h: 1, w: 1, c: 1, oh: 1, ow: 1, oc: 1, kh: 1, kw: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, ...geometry };
  return {
    kind,
    opIndex: 7,
    input: 0,
    output: 1,
    geometry: g,
    weights: Int8Array.from(weights),
    bias: Int32Array.from(bias),
    inZp: ZP,
    requant: { multiplier: new Int32Array(g.oc), shift: new Int32Array(g.oc), outZp: 0, actMin: -128, actMax: 127 },
    depthMultiplier: 1,
    macs: 0,
  };
}

/** int8 activation bytes holding `values` above the zero point. */
const act = (values: number[]): Uint8Array => new Uint8Array(Int8Array.from(values.map((v) => v + ZP)).buffer);

describe('SPD algebra', () => {
  // tridiagonal [2 -1 0; -1 2 -1; 0 -1 2], whose inverse is [3 2 1; 2 4 2; 1 2 3] / 4
  const a = Float64Array.from([2, -1, 0, -1, 2, -1, 0, -1, 2]);
  test('the inverse of a tridiagonal matrix, to rounding', () => {
    const inv = spdInverse(a, 3);
    const want = [3, 2, 1, 2, 4, 2, 1, 2, 3].map((x) => x / 4);
    inv.forEach((x, i) => expect(x).toBeCloseTo(want[i], 12));
  });
  test('a solve gives back the right-hand side', () => {
    const x = choleskySolve(cholesky(a, 3), 3, Float64Array.from([1, 0, 1]));
    [1, 1, 1].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 12));
  });
  test('a matrix that is not positive definite is refused', () => {
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe('Gram matrix of the reduction rows', () => {
  test('fully connected: each input vector minus the zero point, then the constant 1', () => {
    const fc = layer('fc', { c: 2, oc: 1 }, [1, 1], [0]);
    const g = reductionGram(fc, [act([1, 2]), act([3, 0])]);
    expect(g.size).toBe(3);
    expect(g.rows).toBe(2);
    // [1 2 1] [1 2 1]^T + [3 0 1] [3 0 1]^T
    expect(Array.from(g.values)).toEqual([10, 2, 4, 2, 4, 2, 4, 2, 2]);
  });
  test('a 3x3 SAME convolution on a 2x2 image: padding taps add nothing', () => {
    const conv = layer('conv', { h: 2, w: 2, c: 1, oh: 2, ow: 2, kh: 3, kw: 3, padTop: 1, padLeft: 1 }, Array(9).fill(1), [0]);
    const g = reductionGram(conv, [act([1, 2, 3, 4])]);
    expect(g.size).toBe(10);
    expect(g.rows).toBe(4);
    const at = (i: number, j: number): number => g.values[i * 10 + j];
    // the centre tap (index 4) sees every pixel once: 1 + 4 + 9 + 16
    expect(at(4, 4)).toBe(30);
    // the top-left tap (0) sees pixel (0,0) only from output (1,1): 1; with the centre tap then at pixel 4
    expect(at(0, 0)).toBe(1);
    expect(at(0, 4)).toBe(4);
    // bias: the row count, and each tap's sum
    expect(at(9, 9)).toBe(4);
    expect(at(4, 9)).toBe(10);
  });
  test('a depthwise layer is refused', () => {
    const dw = { ...layer('conv', {}, [1], [0]), kind: 'depthwise' as const };
    expect(() => reductionGram(dw, [act([1])])).toThrow(/DEPTHWISE_CONV_2D/);
  });
});

describe('compensated weights and bias', () => {
  // three inputs: x0 = x1 in 1..4, x2 = 5 always; one output channel
  const rows = [1, 2, 3, 4].map((x) => act([x, x, 5]));
  const tiny = 1e-9;
  test('a skipped weight moves onto an identical input, a constant input into the bias', () => {
    const fc = layer('fc', { c: 3, oc: 1 }, [10, 20, 30], [100]);
    const inv = gramInverse(reductionGram(fc, rows), tiny);
    const c = compensateLayer(fc, Uint8Array.from([1, 0, 1]), inv);
    // x0 * 10 + 5 * 30 is recovered exactly by w1 += 10 and bias += 150
    expect(Array.from(c.weights)).toEqual([0, 30, 0]);
    expect(Array.from(c.bias)).toEqual([250]);
  });
  test('a zero weight stays zero: the bias takes the skipped input at its mean', () => {
    const fc = layer('fc', { c: 3, oc: 1 }, [10, 0, 30], [100]);
    const inv = gramInverse(reductionGram(fc, rows), tiny);
    const c = compensateLayer(fc, Uint8Array.from([1, 0, 0]), inv);
    // x0 = x1, but w1 is 0 and stays so; w2's input is the constant 5, collinear with the bias: the mean 2.5 x 10
    // splits between them by least norm (w2 is damped, the bias is not), so the bias takes it all
    expect(c.weights[1]).toBe(0);
    expect(c.weights[2]).toBe(30);
    expect(Array.from(c.bias)).toEqual([125]);
  });
  test('channels with nothing skipped are unchanged; results are clamped to [-127, 127]', () => {
    const fc = layer('fc', { c: 3, oc: 2 }, [120, 100, 1, 7, 8, 9], [0, 5]);
    const inv = gramInverse(reductionGram(fc, rows), tiny);
    const c = compensateLayer(fc, Uint8Array.from([1, 0, 0, 0, 0, 0]), inv);
    expect(Array.from(c.weights)).toEqual([0, 127, 1, 7, 8, 9]);
    expect(Array.from(c.bias)).toEqual([0, 5]);
  });
  test('a mask of the wrong size is refused', () => {
    const fc = layer('fc', { c: 3, oc: 1 }, [10, 20, 30], [100]);
    const inv = gramInverse(reductionGram(fc, rows), tiny);
    expect(() => compensateLayer(fc, Uint8Array.from([1, 0]), inv)).toThrow(/does not fit/);
  });
});
