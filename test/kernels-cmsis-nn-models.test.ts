/**
 * Arm's CMSIS-NN, compiled from ../shared/third-party/CMSIS-NN and called by
 * sim-dse's glue, on both shared models: the emulated network's output equals
 * the reference engine's byte for byte on several CIFAR-10 test images, and
 * one inference on nucleo-f446re takes exactly the anchored cycles (the
 * figures bench/RESULTS.md and the DSE report quote).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { findCmsisNn } from '../src/kernels/cmsis-nn/locate.js';
import { buildCmsisNnNetwork } from '../src/kernels/cmsis-nn/network.js';
import { cmsisNnReference } from '../src/kernels/cmsis-nn/reference.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import type { NetworkImage } from '../src/kernels/network/build.js';
import { NetworkRunner } from '../src/kernels/network/emulate.js';
import { createEngine } from '../src/model/engine/index.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';

const IMAGES = 4;
const ready = compilerVersion() !== null && findCmsisNn() !== null;
if (!ready) console.warn('kernels-cmsis-nn-models: arm-none-eabi-gcc or ../shared/third-party/CMSIS-NN missing; skipped');

/**
 * Cycles of one inference of test image 0 on nucleo-f446re, and the kernels each layer runs. Before the
 * baseline FC in assembly (branch h13f) moved the image's layout (the baseline library is linked in too):
 * 14,386,718 and 41,054,376.
 */
const ANCHORS = {
  lenet: { cycles: 14_496_740, kernels: ['cmsis-nn'] },
  resnet8: { cycles: 40_900_841, kernels: ['cmsis-nn'] },
} as const;

for (const model of ['lenet', 'resnet8'] as const) {
  describe.skipIf(!ready)(`${model} on CMSIS-NN`, () => {
    const graph = loadModel(model);
    const board = getBoard('nucleo-f446re');
    const { inputs } = cifarInputs(model, IMAGES);
    let image: NetworkImage;
    let runner: NetworkRunner;
    beforeAll(async () => {
      image = await buildCmsisNnNetwork(prepareGraph(graph), board);
      runner = new NetworkRunner(image);
    }, 600_000);
    afterAll(() => runner?.close());

    test(`output equals the engine byte for byte on ${IMAGES} test images`, () => {
      const engine = createEngine(graph);
      const { plan } = image.source;
      for (const input of inputs) {
        const trace = engine.trace(input);
        const run = runner.infer(trace.get(plan.inputTensor)!, false);
        expect(Buffer.from(run.output).toString('hex')).toBe(Buffer.from(trace.get(plan.outputTensor)!).toString('hex'));
      }
    });

    test('the reference profile: exact cycles on nucleo-f446re, every layer on CMSIS-NN, matches the engine', async () => {
      const profile = await cmsisNnReference(graph, board, inputs[0]);
      expect(profile.cycles).toBe(ANCHORS[model].cycles);
      expect(profile.layerSum).toBe(profile.layers.reduce((s, l) => s + l.cycles, 0));
      expect([...new Set(profile.layers.map((l) => l.style))]).toEqual(ANCHORS[model].kernels);
      expect(profile.matchesEngine).toBe(true);
      expect(profile.fits).toBe(true);
    });
  });
}
