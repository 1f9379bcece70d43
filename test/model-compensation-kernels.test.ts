/**
 * Compensation end to end on the real LeNet: the engine applying a refit
 * (src/model/compensation, EngineOptions.refit) computes exactly what an
 * engine of the compensated graph computes, on every backend and through a
 * session's prefix reuse; and the kernels built from a refitted layer (the
 * baseline loop and the unpacked code, as a --compensate run's variants and
 * firmware bake it) give the compensated engine's bytes in the emulator.
 */
import { describe, expect, test } from 'vitest';
import { emitBaselineLayer, baselineLibrarySources } from '../src/kernels/baseline/emit.js';
import { emitUnpackedLayer } from '../src/kernels/unpacked/emit.js';
import { compensatedGraph, compensationRefit, computeCompensation, refittedLayer } from '../src/model/compensation/index.js';
import { createEngine, createSession } from '../src/model/engine/index.js';
import { isWeightedOp, prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { cifarInputs, loadModel, nativeLevels } from './helpers/engine-fixtures.js';
import { randomMask } from './helpers/kernels-baseline-harness.js';
import { BIG_IDEAL, buildImage, callLayer } from './helpers/unpacked-fixtures.js';

const graph = loadModel('lenet');
// calibration: 32 test images are enough for a well-posed system here (the run uses data_batch_1)
const { inputs } = cifarInputs('lenet', 96);
const calibration = inputs.slice(64);
const images = inputs.slice(0, 64);
const compensation = computeCompensation(graph, calibration);
const masks = new Map<number, SkipMask>([
  [1, randomMask(864, 0.1, 11)],
  [3, randomMask(18432, 0.3, 12)],
  [7, randomMask(65536, 0.2, 13)],
]);
const compensated = compensatedGraph(graph, masks, compensation.inverses);

describe('the engine with a refit computes the compensated graph', () => {
  const backends = [...(nativeLevels().length > 0 ? (['native'] as const) : []), 'wasm', 'scalar'] as const;
  test.each(backends)('%s: outputs byte for byte, and not those of the plain masks', (backend) => {
    const few = backend === 'scalar' ? images.slice(0, 4) : images;
    const refit = createEngine(graph, { backend, refit: compensationRefit(compensation) }).runBatch(few, masks);
    const direct = createEngine(compensated, { backend }).runBatch(few, masks);
    const plain = createEngine(graph, { backend }).runBatch(few, masks);
    expect(refit.map((o) => Buffer.from(o).toString('hex'))).toEqual(direct.map((o) => Buffer.from(o).toString('hex')));
    expect(refit.some((o, i) => !Buffer.from(o).equals(Buffer.from(plain[i])))).toBe(true);
  });
  test('a session switching between masks reuses prefixes with the refit in force', () => {
    const engine = createEngine(graph, { refit: compensationRefit(compensation) });
    const session = createSession(engine, images);
    const only3 = new Map([[3, masks.get(3)!]]);
    const runs = [masks, new Map(), only3, masks].map((m) => Array.from(session.evaluate(m).predictions));
    const fresh = (m: Map<number, SkipMask>): number[] => Array.from(createEngine(compensatedGraph(graph, m, compensation.inverses)).classify(images, m));
    expect(runs).toEqual([fresh(masks), fresh(new Map()), fresh(only3), fresh(masks)]);
  });
});

describe('kernels of a refitted layer', () => {
  const prepared = prepareGraph(graph);
  const conv3 = prepared.ops.find((p) => p.opIndex === 3) as PreparedWeighted;
  const refitted = refittedLayer(conv3, masks.get(3), compensationRefit(compensation));
  const trace = createEngine(compensated, { backend: 'scalar' }).trace(images[0], masks);
  const input = trace.get(conv3.input)!;
  const expected = trace.get(conv3.output)!;
  test('the refitted layer carries the compensated graph weights and bias', () => {
    const fromGraph = prepareGraph(compensated).ops.find((p) => p.opIndex === 3);
    expect(isWeightedOp(fromGraph!)).toBe(true);
    expect(Buffer.from(refitted.weights).equals(Buffer.from((fromGraph as PreparedWeighted).weights))).toBe(true);
    expect(Array.from(refitted.bias)).toEqual(Array.from((fromGraph as PreparedWeighted).bias));
    expect(Buffer.from(refitted.weights).equals(Buffer.from(conv3.weights))).toBe(false);
  });
  test('baseline loop and unpacked code give the compensated engine bytes', async () => {
    const base = emitBaselineLayer(refitted, 'layer_b', masks.get(3));
    const unpacked = emitUnpackedLayer(refitted, 'layer_u', masks.get(3));
    const machine = await buildImage([...baselineLibrarySources(), base.source, unpacked.source], BIG_IDEAL);
    try {
      for (const [fn, emitted] of [
        ['layer_b', base],
        ['layer_u', unpacked],
      ] as const) {
        const { out } = callLayer(machine, fn, input, expected.length, emitted.scratchBytes);
        expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
      }
    } finally {
      machine.close();
    }
  });
});
