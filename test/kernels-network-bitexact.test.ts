/**
 * The design's central invariant on the real models: the emulated baseline
 * kernels, the exact unpacked kernels and unpacked kernels with random skip
 * masks (10, 30, 60 % of every conv and FC layer's operands) produce int8
 * outputs identical, byte for byte, to the reference engine with the same
 * masks, on the first 50 CIFAR-10 test images.
 */
import { describe, expect, test } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { defaultEmitters } from '../src/kernels/emitters.js';
import { buildNetwork } from '../src/kernels/network/build.js';
import { NetworkRunner } from '../src/kernels/network/emulate.js';
import { createEngine } from '../src/model/engine/index.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';
import { randomMask } from './helpers/kernels-baseline-harness.js';

const IMAGES = 50;

/** Deterministic masks: about a fraction `p` of every maskable layer's operands skipped. */
function randomMasks(prepared: ReturnType<typeof prepareGraph>, p: number, seed: number): Map<number, SkipMask> {
  const masks = new Map<number, SkipMask>();
  for (const op of prepared.ops) {
    if (op.kind === 'conv' || op.kind === 'fc' || op.kind === 'depthwise') masks.set(op.opIndex, randomMask(op.weights.length, p, seed * 7919 + op.opIndex));
  }
  return masks;
}

describe.each(['lenet', 'resnet8'] as const)('%s, emulated on nucleo-l4r5zi', (name) => {
  const graph = loadModel(name);
  const prepared = prepareGraph(graph);
  const engine = createEngine(graph);
  const { inputs } = cifarInputs(name, IMAGES);
  const board = getBoard('nucleo-l4r5zi');
  const variants: { label: string; style: 'baseline' | 'unpacked'; masks?: Map<number, SkipMask> }[] = [
    { label: 'baseline', style: 'baseline' },
    { label: 'unpacked exact', style: 'unpacked' },
    { label: 'unpacked 10 %', style: 'unpacked', masks: randomMasks(prepared, 0.1, 1) },
    { label: 'unpacked 30 %', style: 'unpacked', masks: randomMasks(prepared, 0.3, 2) },
    { label: 'unpacked 60 %', style: 'unpacked', masks: randomMasks(prepared, 0.6, 3) },
  ];
  test.each(variants)('$label: 50 emulated outputs equal the engine byte for byte', async ({ style, masks }) => {
    const image = await buildNetwork(prepared, { style, masks }, board, defaultEmitters());
    const runner = new NetworkRunner(image);
    try {
      let same = 0;
      for (const input of inputs) {
        const trace = engine.trace(input, masks);
        const run = runner.infer(trace.get(image.source.plan.inputTensor)!, false);
        if (Buffer.from(run.output).equals(Buffer.from(trace.get(image.source.plan.outputTensor)!))) same++;
      }
      expect(same).toBe(IMAGES);
    } finally {
      runner.close();
    }
  }, 900_000);
});
