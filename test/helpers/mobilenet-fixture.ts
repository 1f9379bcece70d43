/**
 * A small MobileNet-style int8 graph for the depthwise kernels' tests (a test
 * fixture, not a benchmark model): 16x16x8 input, PAD, depthwise 3x3 stride 1
 * (VALID after the PAD), pointwise 1x1 8 -> 16, depthwise 3x3 stride 2 SAME,
 * pointwise 16 -> 32, depthwise 3x3 stride 1 SAME, MEAN over H and W. Every
 * convolution has RELU6, per-channel weight scales and deterministic
 * pseudo-random weights and biases, written out and read back with the
 * project's own .tflite writer and importer.
 */
import type { Graph } from '../../src/model/ir.js';
import { importTflite } from '../../src/model/tflite/import.js';
import { writeTflite } from '../../src/model/tflite/write.js';
import { GraphBuilder, i8 } from './engine-fixtures.js';
import { randomInts } from './synthetic-graphs.js';

/** Per-channel scales 0.01 .. 0.01 + 0.004 * (n - 1). */
const channelScales = (n: number): number[] => Array.from({ length: n }, (_, i) => 0.01 + 0.004 * i);

/** The fixture graph (after a .tflite round trip) and two input images. */
export function mobilenetFixture(): { graph: Graph; inputs: Uint8Array[] } {
  const b = new GraphBuilder();
  const act = (shape: number[], scale: number, zp: number): number => b.tensor(shape, 'int8', scale, zp);
  const x = act([1, 16, 16, 8], 0.05, -3);
  const paddings = b.tensor([4, 2], 'int32', null, 0, [0, 0, 1, 1, 1, 1, 0, 0]);
  const xp = act([1, 18, 18, 8], 0.05, -3);
  b.op({ kind: 'PAD', inputs: [x, paddings], outputs: [xp] });
  let seed = 100;
  const depthwise = (input: number, h: number, c: number, stride: number, padding: 'SAME' | 'VALID', oh: number): number => {
    const f = b.tensor([1, 3, 3, c], 'int8', channelScales(c), new Array<number>(c).fill(0), randomInts(9 * c, seed++), 3);
    const bias = b.tensor([c], 'int32', null, 0, randomInts(c, seed++, -400, 400));
    const y = act([1, oh, oh, c], 0.04, -128);
    b.op({ kind: 'DEPTHWISE_CONV_2D', inputs: [input, f, bias], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: 'RELU6' });
    return y;
  };
  const pointwise = (input: number, h: number, c: number, oc: number): number => {
    const f = b.tensor([oc, 1, 1, c], 'int8', channelScales(oc), new Array<number>(oc).fill(0), randomInts(oc * c, seed++), 0);
    const bias = b.tensor([oc], 'int32', null, 0, randomInts(oc, seed++, -400, 400));
    const y = act([1, h, h, oc], 0.03, -128);
    b.op({ kind: 'CONV_2D', inputs: [input, f, bias], outputs: [y], padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 'RELU6' });
    return y;
  };
  const d1 = depthwise(xp, 18, 8, 1, 'VALID', 16);
  const p1 = pointwise(d1, 16, 8, 16);
  const d2 = depthwise(p1, 16, 16, 2, 'SAME', 8);
  const p2 = pointwise(d2, 8, 16, 32);
  const d3 = depthwise(p2, 8, 32, 1, 'SAME', 8);
  const axes = b.tensor([2], 'int32', null, 0, [1, 2]);
  const y = act([1, 1, 1, 32], 0.02, -20);
  b.op({ kind: 'MEAN', inputs: [d3, axes], outputs: [y], keepDims: true });
  const graph = importTflite(writeTflite(b.graph(x, y)), 'mobilenet-fixture');
  return { graph, inputs: [1, 2].map((s) => i8(randomInts(16 * 16 * 8, 200 + s))) };
}
