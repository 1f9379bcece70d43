/**
 * Compensation on the real LeNet and the full CIFAR-10 test set: the masks a
 * run makes (contribution metric, SMLAD operand pairs) cost top-1, and the
 * least-squares refit of the kept weights and biases over the calibration
 * images (src/model/compensation) wins it back. Exact counts of correct
 * predictions of 10,000 (the same as `node bench/compensation.bench.mjs`).
 */
import { describe, expect, test } from 'vitest';
import { calibrationInputs, significanceForModel } from '../src/explore/significance/index.js';
import { layerMask } from '../src/explore/space/masks.js';
import { compensatedGraph, layerInverses } from '../src/model/compensation/index.js';
import { loadCifar10 } from '../src/model/dataset/cifar10.js';
import { modelInputs } from '../src/model/dataset/preprocess.js';
import { createEngine, type ReferenceEngine } from '../src/model/engine/index.js';
import type { SkipMask } from '../src/model/ir.js';
import { resolveModel } from '../src/model/registry.js';
import { SHARED } from './helpers/engine-fixtures.js';
import { useTemporaryCache } from './helpers/temp-cache.js';

const tmp = useTemporaryCache('sim-dse-compensation-');
const DATA = `${SHARED}/datasets/cifar10`;

describe('compensated LeNet on the full test set', () => {
  const model = resolveModel('lenet', { modelsDir: `${SHARED}/models` });
  const test10k = modelInputs(loadCifar10({ dir: DATA, split: 'test' }), model.graph, model.preprocess);
  const images = Array.from({ length: test10k.count }, (_, i) => test10k.input(i));
  const correct = (engine: ReferenceEngine, masks?: Map<number, SkipMask>): number => {
    const p = engine.classify(images, masks);
    let c = 0;
    for (let i = 0; i < p.length; i++) c += p[i] === test10k.labels[i] ? 1 : 0;
    return c;
  };

  test('conv_2d#1 pairs at 10 % and conv_2d#3 pairs at 30 %: plain and compensated top-1', () => {
    const sig = significanceForModel(model, 'contribution', { dataDir: DATA, cacheDir: `${tmp}/significance` }).significance;
    const mask = (op: number, value: number): SkipMask => layerMask(sig.layers.find((l) => l.opIndex === op)!, 'contribution', { kind: 'fraction', value }, 'pair')!;
    const engine = createEngine(model.graph);
    const inverses = layerInverses(engine, calibrationInputs(model.graph, model.preprocess, 128, DATA), [1, 3]);
    expect(correct(engine)).toBe(7051);
    const conv3 = new Map([[3, mask(3, 0.3)]]);
    expect(correct(engine, conv3)).toBe(6990);
    expect(correct(createEngine(compensatedGraph(model.graph, conv3, inverses)), conv3)).toBe(7058);
    const both = new Map([
      [1, mask(1, 0.1)],
      [3, mask(3, 0.3)],
    ]);
    // together: 327 images lost with the masks alone, none once compensated
    const plain = correct(engine, both);
    const compensated = correct(createEngine(compensatedGraph(model.graph, both, inverses)), both);
    expect([plain, compensated]).toEqual([6724, 7051]);
  });

  test('the compensated graph is a pure function of the masks: the same bytes twice', () => {
    const sig = significanceForModel(model, 'contribution', { dataDir: DATA, cacheDir: `${tmp}/significance` }).significance;
    const m = layerMask(sig.layers.find((l) => l.opIndex === 3)!, 'contribution', { kind: 'fraction', value: 0.2 }, 'sparse')!;
    const inverses = layerInverses(createEngine(model.graph), calibrationInputs(model.graph, model.preprocess, 128, DATA), [3]);
    const a = compensatedGraph(model.graph, new Map([[3, m]]), inverses);
    const b = compensatedGraph(model.graph, new Map([[3, m]]), layerInverses(createEngine(model.graph), calibrationInputs(model.graph, model.preprocess, 128, DATA), [3]));
    const w = model.graph.ops[3].inputs[1];
    expect(Buffer.from(a.tensors[w].data!).equals(Buffer.from(b.tensors[w].data!))).toBe(true);
    // skipped weights are 0, and the refit changed some kept ones
    const before = new Int8Array(model.graph.tensors[w].data!.buffer, model.graph.tensors[w].data!.byteOffset, m.length);
    const after = new Int8Array(a.tensors[w].data!.buffer, a.tensors[w].data!.byteOffset, m.length);
    let changed = 0;
    for (let i = 0; i < m.length; i++) {
      if (m[i]) expect(after[i]).toBe(0);
      else if (after[i] !== before[i]) changed++;
    }
    expect(changed).toBe(12279);
  });
});
