import { describe, expect, test } from 'vitest';
import { createEngine, createSession } from '../src/model/engine/index.js';
import type { SkipMask } from '../src/model/ir.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';

/** A mask skipping every `every`-th weight of operator `op` of a graph. */
function maskFor(graph: ReturnType<typeof loadModel>, op: number, every: number): SkipMask {
  const t = graph.tensors[graph.ops[op].inputs[1]];
  const m = new Uint8Array(t.data!.byteLength);
  for (let i = 0; i < m.length; i += every) m[i] = 1;
  return m;
}

describe('prefix-reuse session', () => {
  const g = loadModel('resnet8');
  const { inputs } = cifarInputs('resnet8', 8);
  const engine = createEngine(g);
  const fresh = (masks?: Map<number, SkipMask>): number[][] => inputs.map((x) => Array.from(createEngine(g).run(x, masks)));
  const outs = (r: { outputs: Uint8Array[] | null }): number[][] => r.outputs!.map((o) => Array.from(o));

  test('ResNet-8: resumes at the first changed layer and computes only the rest', () => {
    // ops: 0-2 CONV, 3 ADD, 4-6 CONV, 7 ADD, 8-10 CONV, 11 ADD, 12 AVERAGE_POOL, 13 RESHAPE, 14 FC, 15 SOFTMAX
    expect(g.ops.map((o) => o.kind)[14]).toBe('FULLY_CONNECTED');
    const s = createSession(engine, inputs, { keepOutputs: true });
    const r0 = s.evaluate();
    expect(r0.resumedAt).toBe(0);
    expect(r0.correct).toBeNull();
    expect(r0.macsComputed).toBe(8 * 12501632);
    expect(outs(r0)).toEqual(fresh());
    expect(Array.from(r0.predictions)).toEqual(Array.from(engine.classify(inputs)));

    const again = s.evaluate(new Map());
    expect(again.resumedAt).toBe(16);
    expect(again.macsComputed).toBe(0);
    expect(outs(again)).toEqual(fresh());

    const fcOnly = new Map([[14, maskFor(g, 14, 3)]]);
    const r1 = s.evaluate(fcOnly);
    expect(r1.resumedAt).toBe(14);
    expect(r1.macsComputed).toBe(8 * 640);
    expect(outs(r1)).toEqual(fresh(fcOnly));

    const mid = new Map([[14, maskFor(g, 14, 3)], [8, maskFor(g, 8, 2)]]);
    const r2 = s.evaluate(mid);
    expect(r2.resumedAt).toBe(8);
    expect(outs(r2)).toEqual(fresh(mid));

    // The same mask content in new objects, plus an all-zero mask: fully cached.
    const same = new Map([[14, maskFor(g, 14, 3)], [8, maskFor(g, 8, 2)], [0, new Uint8Array(432)]]);
    const r3 = s.evaluate(same);
    expect(r3.resumedAt).toBe(16);
    expect(outs(r3)).toEqual(fresh(mid));

    const first = new Map([[0, maskFor(g, 0, 5)]]);
    const r4 = s.evaluate(first);
    expect(r4.resumedAt).toBe(0);
    expect(outs(r4)).toEqual(fresh(first));

    // Back to exact masks up to layer 8: the checkpoints of the first evaluation still serve.
    const r5 = s.evaluate(new Map([[9, maskFor(g, 9, 4)]]));
    expect(r5.resumedAt).toBe(9);
    expect(outs(r5)).toEqual(fresh(new Map([[9, maskFor(g, 9, 4)]])));
  });

  test('memory bound: no reuse with a zero budget, budget respected otherwise', () => {
    const none = createSession(engine, inputs, { maxCacheBytes: 0 });
    none.evaluate();
    expect(none.evaluate().resumedAt).toBe(0);
    expect(none.cacheBytes()).toBe(0);
    // Live bytes before op 1 are 32x32x16 = 16,384 per image; 8 images = 131,072.
    const small = createSession(engine, inputs, { maxCacheBytes: 140_000 });
    small.evaluate();
    expect(small.cacheBytes()).toBeLessThanOrEqual(140_000);
    expect(small.cacheBytes()).toBeGreaterThan(0);
    const r = small.evaluate(new Map([[14, maskFor(g, 14, 2)]]));
    expect(Array.from(r.predictions)).toEqual(Array.from(engine.classify(inputs, new Map([[14, maskFor(g, 14, 2)]]))));
  });

  test('a budget that drops checkpoints every evaluation: their buffers are reused for new ones, results exact', () => {
    // 8 images: the checkpoint before op 1 holds 131,072 bytes (32x32x16), the one before op 2 twice that (the
    // block's input stays live for the ADD); a 270,000-byte budget keeps a few, so each evaluation drops some.
    const s = createSession(engine, inputs, { keepOutputs: true, maxCacheBytes: 270_000 });
    const configs: (Map<number, SkipMask> | undefined)[] = [
      undefined,
      new Map([[2, maskFor(g, 2, 3)]]),
      new Map([[1, maskFor(g, 1, 2)]]),
      new Map([[2, maskFor(g, 2, 3)]]),
      new Map([[1, maskFor(g, 1, 2)], [2, maskFor(g, 2, 5)]]),
      new Map([[1, maskFor(g, 1, 2)], [9, maskFor(g, 9, 4)]]),
      undefined,
    ];
    const resumed = configs.map((m) => {
      const r = s.evaluate(m);
      expect(outs(r)).toEqual(fresh(m));
      expect(s.cacheBytes()).toBeLessThanOrEqual(270_000);
      return r.resumedAt;
    });
    // the exact checkpoint before op 1, used by every evaluation, is never dropped; the fourth repeats the
    // second, whose end checkpoint is still held; the last one's exact end checkpoint was dropped long before
    expect(resumed).toEqual([0, 1, 1, 16, 1, 1, 1]);
  });

  test('LeNet: the first conv resumes after QUANTIZE; predictions without outputs', () => {
    const lenet = loadModel('lenet');
    const li = cifarInputs('lenet', 6).inputs;
    const e = createEngine(lenet);
    const s = createSession(e, li, { labels: cifarInputs('lenet', 6).labels });
    expect(s.images).toBe(6);
    const exact = s.evaluate();
    expect(Array.from(exact.predictions)).toEqual([5, 7, 8, 0, 2, 0]); // labels 5, 6, 8, 8, 2, 2
    expect(exact.correct).toBe(3);
    const m = new Map([[1, maskFor(lenet, 1, 2)]]);
    const r = s.evaluate(m);
    expect(r.resumedAt).toBe(1);
    expect(r.outputs).toBeNull();
    expect(Array.from(r.predictions)).toEqual(Array.from(e.classify(li, m)));
  });
});
