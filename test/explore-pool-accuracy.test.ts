import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCifar10 } from '../src/model/dataset/cifar10.js';
import { modelInputs } from '../src/model/dataset/preprocess.js';
import { createEngine } from '../src/model/engine/index.js';
import type { SkipMask } from '../src/model/ir.js';
import { resolveModel } from '../src/model/registry.js';
import { chunkBounds, createInlinePool, prefixOrder } from '../src/explore/pool/accuracy-pool.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

describe('batch ordering', () => {
  it('puts configurations with equal leading masks next to each other', () => {
    const m = (...b: number[]): SkipMask => Uint8Array.from(b);
    const lists = [
      [[1, m(1, 0)], [3, m(0, 1)]],
      [[3, m(1, 1)]],
      [[1, m(1, 0)]],
      [[1, m(0, 1)], [3, m(1, 1)]],
      [],
    ] as [number, SkipMask][][];
    // op 1 first (absent < 01 < 10), then op 3; ties keep batch order
    expect(prefixOrder(lists)).toEqual([4, 1, 3, 2, 0]);
  });
  it('cuts a batch into contiguous near-equal chunks', () => {
    expect(chunkBounds(10, 4)).toEqual([[0, 2], [2, 5], [5, 7], [7, 10]]);
    expect(chunkBounds(2, 4)).toEqual([[0, 1], [1, 2]]);
    expect(chunkBounds(0, 4)).toEqual([]);
  });
});

describe.skipIf(!have)('accuracy pool on LeNet', () => {
  it('gives the engine top-1 count of each configuration, in the order given', async () => {
    const model = resolveModel('lenet');
    const pool = createInlinePool({ modelBytes: model.bytes, modelName: model.name, preprocess: model.preprocess, searchImages: 60, fullImages: 120 });
    const engine = createEngine(model.graph);
    const data = modelInputs(loadCifar10({ split: 'test' }), model.graph, model.preprocess, 120);
    const count = (masks: Map<number, SkipMask>, n: number): number => {
      let c = 0;
      for (let i = 0; i < n; i++) if (engine.argmax(engine.run(data.input(i), masks)) === data.labels[i]) c++;
      return c;
    };
    const every = (op: number, n: number, k: number) => new Map([[op, Uint8Array.from({ length: n }, (_, i) => (i % k === 0 ? 1 : 0))]]);
    const configs = [every(3, 18432, 2), new Map(), every(1, 864, 3), every(3, 18432, 5)];
    const got = await Promise.all(pool.evaluate('search', configs));
    expect(got).toEqual(configs.map((c) => count(c, 60)));
    expect(got[1]).toBe(47); // exact LeNet: 47 of the first 60 test images
    const full = await Promise.all(pool.evaluate('full', [configs[0], configs[1]]));
    expect(full).toEqual([count(configs[0], 120), count(configs[1], 120)]);
    await pool.close();
  });
});
