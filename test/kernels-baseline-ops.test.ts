/**
 * Edge cases of the baseline kernels on small synthetic graphs, each
 * compared byte for byte with the reference engine on several inputs:
 * stride-2 SAME padding, channel counts that leave the 2x2 core odd rows and
 * an odd last position, the byte-gather im2col (in_c not a multiple of 4),
 * dilation, RELU6, the 3x3 16-channel plane path (strides 1 and 2, several
 * bands), depthwise with multiplier 2 and with the plane in several
 * bands, FC with a reduction tail and
 * two batches, pools with clipped windows, ADD, PAD, MEAN, int8 requantize
 * with rounding ties, and softmax with equal inputs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { prepareGraph, type PreparedGraph } from '../src/model/engine/prepare.js';
import { buildLayers, engineTensors, hasBaselineKernel, opInputs, outputBytes, runLayer, type LayerImage } from './helpers/kernels-baseline-harness.js';
import { conv16PlaneCases, depthwiseBandCases, syntheticCases } from './helpers/synthetic-graphs.js';

/** The shared edge cases, the depthwise layers whose plane takes several bands, and the 3x3 16-channel plane path's layers. */
const cases = () => [...syntheticCases(), ...depthwiseBandCases(), ...conv16PlaneCases()];

const hasCompiler = compilerVersion() !== null;
if (!hasCompiler) console.warn('kernels-baseline-ops: arm-none-eabi-gcc is not installed; skipped');

describe.skipIf(!hasCompiler)('synthetic edge cases equal the engine byte for byte', () => {
  const all = cases().map((c, i) => {
    const prepared: PreparedGraph = prepareGraph(c.graph);
    return { ...c, prepared, ops: prepared.ops.filter(hasBaselineKernel).map((op) => ({ op, fn: `case${i}_op${op.opIndex}` })) };
  });
  let image: LayerImage;
  beforeAll(async () => {
    image = await buildLayers(all.flatMap((c) => c.ops), 'nucleo-f446re');
  });
  afterAll(() => image?.machine.close());

  for (const c of all) {
    test(c.name, () => {
      for (const input of c.inputs) {
        const tensor = engineTensors(c.graph, input);
        for (const { op, fn } of c.ops) {
          const { out } = runLayer(image, fn, opInputs(op, tensor), outputBytes(c.prepared, op));
          expect(Array.from(new Int8Array(out.buffer, out.byteOffset, out.length))).toEqual(Array.from(new Int8Array(tensor(op.output).buffer)));
        }
      }
    });
  }

  test('softmax of equal inputs gives equal outputs (1/10 each: 26 - 128)', () => {
    const c = all.find((x) => x.name.startsWith('SOFTMAX'))!;
    const { op, fn } = c.ops[0];
    const tensor = engineTensors(c.graph, c.inputs[0]);
    const { out } = runLayer(image, fn, opInputs(op, tensor), outputBytes(c.prepared, op));
    expect(Array.from(new Int8Array(out.buffer, out.byteOffset, 10))).toEqual(new Array<number>(10).fill(-102));
  });

  /** Outputs of the requantize case by `ratio` for inputs -6, -3, -2, -1, 1, 2, 3, 6. */
  function ties(ratio: number): number[] {
    const c = all.find((x) => x.name.startsWith(`int8 QUANTIZE by ${ratio}:`))!;
    const { op, fn } = c.ops[0];
    const tensor = engineTensors(c.graph, c.inputs[0]);
    const { out } = runLayer(image, fn, opInputs(op, tensor), outputBytes(c.prepared, op));
    const v = new Int8Array(out.buffer, out.byteOffset, out.length);
    return [-6, -3, -2, -1, 1, 2, 3, 6].map((x) => v[x + 32]);
  }

  test('ties: by 0.5 (multiplier 2^30, shift 0) the doubling high multiply rounds half up', () => {
    // -1.5 -> -1, -0.5 -> 0, 0.5 -> 1, 1.5 -> 2
    expect(ties(0.5)).toEqual([-3, -1, -1, 0, 1, 1, 2, 3]);
  });

  test('ties: by 0.25 (shift -1) the rounding right shift rounds half away from zero', () => {
    // -1.5 -> -2, -0.75 -> -1, -0.5 -> -1, -0.25 -> 0, 0.5 -> 1, 0.75 -> 1, 1.5 -> 2; and the double
    // rounding of TFLite's integer path: 1 * 0.25 is 1 after the high multiply (0.5 rounded up), then 0.5 -> 1.
    expect(ties(0.25)).toEqual([-2, -1, -1, 0, 1, 1, 1, 2]);
  });
});
