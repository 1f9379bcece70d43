/**
 * The three significance metrics on hand-made layers whose values are worked
 * out by hand in the comments (operands x = input - zero point, padding 0).
 */
import { describe, expect, test } from 'vitest';
import { computeSignificance, parseMetric } from '../src/explore/significance/index.js';
import { UsageError } from '../src/util/errors.js';
import { GraphBuilder, i8 } from './helpers/engine-fixtures.js';

const f32 = (v: number[]): number[] => v.map((x) => Math.fround(x));
const values = (s: ReturnType<typeof computeSignificance>, layer = 0): number[] => Array.from(s.layers[layer].values);

/** Conv 2x2, 1 -> 2 channels, VALID on a 2x3 input with zero point 1: two output positions. */
function convGraph() {
  const b = new GraphBuilder();
  const x = b.tensor([1, 2, 3, 1], 'int8', 1, 1);
  const f = b.tensor([2, 2, 2, 1], 'int8', 1, 0, [1, 2, 0, -1, 3, -1, 2, 1]);
  const y = b.tensor([1, 1, 2, 2], 'int8', 1, 0);
  b.op({ kind: 'CONV_2D', inputs: [x, f, -1], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' });
  return b.graph(x, y);
}
// raw rows [2, 0, 4] [1, 3, -1]; x = raw - 1: [1, -1, 3] [0, 2, -2]
// position 0 column (ky, kx): [1, -1, 0, 2]; position 1: [-1, 3, 2, -2]
const CONV_IMAGE = i8([2, 0, 4, 1, 3, -1]);

describe('significance of a CONV_2D layer', () => {
  test('contribution: |w| * sum|x| over positions, normalised per channel', () => {
    // column sums of |x|: [2, 4, 2, 4]; ch0 |w| [1,2,0,1] -> [2,8,0,4]/14; ch1 |w| [3,1,2,1] -> [6,4,4,4]/18
    const s = computeSignificance(convGraph(), 'contribution', [CONV_IMAGE]);
    expect(s.layers[0]).toMatchObject({ opIndex: 0, kind: 'conv', channels: 2, reduction: 4 });
    expect(values(s)).toEqual(f32([2 / 14, 8 / 14, 0, 4 / 14, 6 / 18, 4 / 18, 4 / 18, 4 / 18]));
    expect(s.calibration).toBe(1);
  });

  test('seed: running partial sums in pair order, averaged over positions', () => {
    // ch0 pos0 products [1,-2,0,-2] -> |S| [1,1,1,3]/6; pos1 [-1,6,0,2] -> |S| [1,5,5,7]/18
    // ch1 pos0 [3,1,0,2] -> [3,4,4,6]/17; pos1 [-3,-3,4,-2] -> [3,6,2,4]/15
    const s = computeSignificance(convGraph(), 'seed', [CONV_IMAGE]);
    const ch0 = [1 / 9, 2 / 9, 2 / 9, 4 / 9];
    const ch1 = [(3 / 17 + 3 / 15) / 2, (4 / 17 + 6 / 15) / 2, (4 / 17 + 2 / 15) / 2, (6 / 17 + 4 / 15) / 2];
    expect(values(s)).toEqual(f32([...ch0, ...ch1]));
  });

  test('magnitude: |w| / sum |w| per channel, no data needed', () => {
    const s = computeSignificance(convGraph(), 'magnitude', []);
    expect(values(s)).toEqual(f32([0.25, 0.5, 0, 0.25, 3 / 7, 1 / 7, 2 / 7, 1 / 7]));
    expect(s.calibration).toBe(0);
  });

  test('padding taps are operand 0, not the zero point', () => {
    // 1x3 kernel SAME on a single pixel: column [pad, x, pad] with x = 7 - 5 = 2
    const b = new GraphBuilder();
    const x = b.tensor([1, 1, 1, 1], 'int8', 1, 5);
    const f = b.tensor([1, 1, 3, 1], 'int8', 1, 0, [4, 3, -2]);
    const y = b.tensor([1, 1, 1, 1], 'int8', 1, 0);
    b.op({ kind: 'CONV_2D', inputs: [x, f, -1], outputs: [y], padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'NONE' });
    const g = b.graph(x, y);
    expect(values(computeSignificance(g, 'contribution', [i8([7])]))).toEqual([0, 1, 0]);
    // products [0, 6, 0] -> |S| [0, 6, 6] / 12
    expect(values(computeSignificance(g, 'seed', [i8([7])]))).toEqual([0, 0.5, 0.5]);
  });
});

describe('significance of a DEPTHWISE_CONV_2D layer (multiplier 2, storage r * OC + o)', () => {
  // input 1x2 pixels, 2 channels: x(r0) = [1, -2], x(r1) = [3, 4]; weights r0 [1,-1,2,0], r1 [2,1,-1,3]
  const b = new GraphBuilder();
  const x = b.tensor([1, 1, 2, 2], 'int8', 1, 0);
  const f = b.tensor([1, 1, 2, 4], 'int8', 1, 0, [1, -1, 2, 0, 2, 1, -1, 3]);
  const y = b.tensor([1, 1, 1, 4], 'int8', 1, 0);
  b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [x, f, -1], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, depthMultiplier: 2, activation: 'NONE' });
  const g = b.graph(x, y);
  const img = i8([1, -2, 3, 4]);

  test('contribution reads input channel floor(o / 2)', () => {
    // o0: |1*1|, |2*3| -> 1/7, 6/7; o1: 1, 3 -> 1/4, 3/4; o2: |2*-2|, |-1*4| -> 1/2, 1/2; o3: 0, 12 -> 0, 1
    const s = computeSignificance(g, 'contribution', [img]);
    expect(s.layers[0]).toMatchObject({ kind: 'depthwise', channels: 4, reduction: 2 });
    expect(values(s)).toEqual(f32([1 / 7, 1 / 4, 1 / 2, 0, 6 / 7, 3 / 4, 1 / 2, 1]));
  });

  test('seed', () => {
    // o0: S 1, 7 -> 1/8, 7/8; o1: -1, 2 -> 1/3, 2/3; o2: -4, -8 -> 1/3, 2/3; o3: 0, 12 -> 0, 1
    expect(values(computeSignificance(g, 'seed', [img]))).toEqual(f32([1 / 8, 1 / 3, 1 / 3, 0, 7 / 8, 2 / 3, 2 / 3, 1]));
  });
});

describe('significance of a FULLY_CONNECTED layer over several images', () => {
  // weights [O=2, I=3]: o0 [1, 1, 1], o1 [0, -2, 1]; input zero point -1
  const b = new GraphBuilder();
  const x = b.tensor([1, 3], 'int8', 1, -1);
  const f = b.tensor([2, 3], 'int8', 1, 0, [1, 1, 1, 0, -2, 1]);
  const y = b.tensor([1, 2], 'int8', 1, 0);
  b.op({ kind: 'FULLY_CONNECTED', inputs: [x, f, -1], outputs: [y], activation: 'NONE', keepNumDims: false });
  const g = b.graph(x, y);
  // x per image: [1, 3, -2], [0, 0, 0], [2, 0, 1]
  const imgs = [i8([0, 2, -3]), i8([-1, -1, -1]), i8([1, -1, 0])];

  test('contribution is a ratio of sums over all images', () => {
    // sum |x| = [3, 3, 3]: o0 [1,1,1]/3, o1 [0, 6, 3]/9
    expect(values(computeSignificance(g, 'contribution', imgs))).toEqual(f32([1 / 3, 1 / 3, 1 / 3, 0, 2 / 3, 1 / 3]));
  });

  test('seed averages per-image ratios and leaves out images whose partial sums are all 0', () => {
    // o0: [1,4,2]/7 and [2,2,3]/7 -> [3,6,5]/14; o1: [0,6,8]/14 and [0,0,1]/1 -> [0, 3/14, 11/14]
    expect(values(computeSignificance(g, 'seed', imgs))).toEqual(f32([3 / 14, 6 / 14, 5 / 14, 0, 3 / 14, 11 / 14]));
  });

  test('a data metric without images is a usage error', () => {
    expect(() => computeSignificance(g, 'seed', [])).toThrow(UsageError);
  });
});

describe('parseMetric', () => {
  test('known names pass, others are usage errors naming the known ones', () => {
    expect(parseMetric('seed')).toBe('seed');
    expect(() => parseMetric('hessian')).toThrow('unknown significance metric "hessian"; known: contribution, seed, magnitude, obs');
  });
});
