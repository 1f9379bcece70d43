/**
 * Bit-exactness of the baseline kernels on every operator of both shared
 * models: each layer, compiled with the library and run alone in the
 * emulator on the exact int8 input tensor the reference engine computes for
 * real CIFAR-10 test images, must produce the engine's output bytes, with
 * exact weights and with a random 30 % skip mask on every conv/FC layer.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { prepareGraph, type PreparedGraph } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';
import { buildLayers, engineTensors, hasBaselineKernel, opInputs, outputBytes, randomMask, runLayer, type LayerImage } from './helpers/kernels-baseline-harness.js';

const IMAGES = 3;
const hasCompiler = compilerVersion() !== null;
if (!hasCompiler) console.warn('kernels-baseline-models: arm-none-eabi-gcc is not installed; skipped');

for (const model of ['lenet', 'resnet8'] as const) {
  describe.skipIf(!hasCompiler)(`${model}: every operator equals the engine byte for byte`, () => {
    const graph = loadModel(model);
    const prepared: PreparedGraph = prepareGraph(graph);
    const ops = prepared.ops.filter(hasBaselineKernel);
    const masks = new Map<number, SkipMask>();
    for (const op of ops) {
      if (op.kind === 'conv' || op.kind === 'fc' || op.kind === 'depthwise') masks.set(op.opIndex, randomMask(op.weights.length, 0.3, 1000 + op.opIndex));
    }
    const { inputs } = cifarInputs(model, IMAGES);
    let exact: LayerImage;
    let masked: LayerImage;
    beforeAll(async () => {
      exact = await buildLayers(ops.map((op) => ({ op, fn: `layer_${op.opIndex}` })), 'nucleo-f446re');
      masked = await buildLayers(ops.map((op) => ({ op, fn: `layer_${op.opIndex}`, mask: masks.get(op.opIndex) })), 'nucleo-f446re');
    });
    afterAll(() => {
      exact?.machine.close();
      masked?.machine.close();
    });

    test('the models use the kernels this test expects', () => {
      const kinds = [...new Set(ops.map((o) => o.kind))].sort();
      expect(kinds).toEqual(model === 'lenet' ? ['conv', 'fc', 'maxpool'] : ['add', 'avgpool', 'conv', 'fc', 'softmax']);
    });

    for (const [label, getImage, useMasks] of [
      ['exact weights', () => exact, false],
      ['30 % random skip mask on every conv/FC layer', () => masked, true],
    ] as const) {
      test(`${label}: ${IMAGES} test images`, () => {
        const image = getImage();
        for (const input of inputs) {
          const tensor = engineTensors(graph, input, useMasks ? masks : undefined);
          for (const op of ops) {
            const { out } = runLayer(image, `layer_${op.opIndex}`, opInputs(op, tensor), outputBytes(prepared, op));
            const want = tensor(op.output);
            expect({ op: op.opIndex, kind: op.kind, bytes: Buffer.from(out).toString('hex') }).toEqual({
              op: op.opIndex,
              kind: op.kind,
              bytes: Buffer.from(want).toString('hex'),
            });
          }
        }
      });
    }
  });
}
