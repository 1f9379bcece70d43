import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { buildLayers, engineTensors, hasBaselineKernel, opInputs, outputBytes, runLayer, type LayerImage } from './helpers/kernels-baseline-harness.js';
import { mobilenetFixture } from './helpers/mobilenet-fixture.js';
import { writeFileSync } from 'node:fs';

describe('scratch', () => {
  const { graph, inputs } = mobilenetFixture();
  const prepared = prepareGraph(graph);
  const ops = prepared.ops.filter(hasBaselineKernel);
  let image: LayerImage;
  beforeAll(async () => {
    image = await buildLayers(ops.map((op) => ({ op, fn: `mb_op${op.opIndex}` })), 'nucleo-f446re');
    writeFileSync('scratch/dw.elf', image.elf);
  });
  afterAll(() => image?.machine.close());
  test('x', () => {
    for (const input of inputs) {
      const tensor = engineTensors(graph, input);
      for (const op of ops) {
        const { out } = runLayer(image, `mb_op${op.opIndex}`, opInputs(op, tensor), outputBytes(prepared, op));
        if (process.env.NOCHECK !== "1") expect(Array.from(out), `operator ${op.opIndex} (${op.kind})`).toEqual(Array.from(tensor(op.output)));
      }
    }
    const tensor = engineTensors(graph, inputs[0]);
    for (const op of ops.filter((o) => o.kind === 'depthwise')) {
      const { call } = runLayer(image, `mb_op${op.opIndex}`, opInputs(op, tensor), outputBytes(prepared, op), true);
      const macs = 'macs' in op ? op.macs : 0;
      console.log(`DW op ${op.opIndex}: ${call.cycles} ${(call.cycles / macs).toFixed(3)} insns ${call.instructions}`, JSON.stringify(call.breakdown));
    }
  });
});
