/**
 * evaluateBatch (src/explore/run/point-evaluator.ts) stores each row as soon
 * as its own latency and accuracy are known: a slow point later in the batch
 * does not hold back the rows before it (a ResNet on a cold cache compiles for
 * minutes per batch), rows still go to the store in batch order, board by
 * board, and a failing point surfaces as the batch's error.
 */
import { describe, expect, test } from 'vitest';
import type { Graph, SkipMasks } from '../src/model/ir.js';
import type { LatencyProvider, PointLatency } from '../src/explore/evaluate/latency-types.js';
import type { AccuracyPool } from '../src/explore/pool/accuracy-pool.js';
import { createMemo, evaluateBatch, type EvaluatorContext, type PointRequest } from '../src/explore/run/point-evaluator.js';
import type { PointRow } from '../src/explore/store/rows.js';
import { deferred } from '../src/util/deferred.js';

const latencyOf = (cycles: number): PointLatency => ({ cycles, flashBytes: 1000, perLayer: [], fits: true });

/** Request k skips weight k of layer 0 (k = 0: exact). */
const request = (k: number): PointRequest => ({
  genome: [k],
  config: { metric: 'contribution', settings: [{ kind: 'fraction', opIndex: 0, value: k / 10 }] },
  masks: (): SkipMasks => new Map(k === 0 ? [] : [[0, Uint8Array.from({ length: 4 }, (_, i) => (i === k - 1 ? 1 : 0))]]),
});

/** A context over fake boards whose point latencies the test settles, in call order. */
function fakeContext(boards: number): { ctx: EvaluatorContext; calls: { board: number; settle: ReturnType<typeof deferred<PointLatency>> }[]; stored: string[] } {
  const calls: { board: number; settle: ReturnType<typeof deferred<PointLatency>> }[] = [];
  const stored: string[] = [];
  const latencies = Array.from({ length: boards }, (_, board): LatencyProvider => ({
    description: `fake ${board}`,
    reference: () => Promise.reject(new Error('not used')),
    point: () => {
      const settle = deferred<PointLatency>();
      calls.push({ board, settle });
      return settle.promise;
    },
  }));
  const pool: AccuracyPool = {
    kind: 'inline',
    threads: 1,
    evaluate: (_set, configs) => configs.map((_, i) => Promise.resolve(90 - i)),
    close: () => Promise.resolve(),
  };
  const ctx: EvaluatorContext = {
    graph: { name: 'fake', tensors: [], operators: [], inputs: [], outputs: [] } as unknown as Graph,
    pool,
    latencies,
    searchImages: 100,
    fullImages: 100,
    store: (row: PointRow, board: number) => {
      stored.push(`${board}:${row.id}:${row.cycles}`);
      return true;
    },
    stopped: new Promise<void>(() => undefined),
    isStopped: () => false,
  };
  return { ctx, calls, stored };
}

const settled = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('evaluateBatch', () => {
  test('the first row is stored while a later point is still being timed; rows in batch order, board by board', async () => {
    const { ctx, calls, stored } = fakeContext(2);
    const done = evaluateBatch(ctx, [createMemo([]), createMemo([])], 'search', [request(0), request(1), request(2)]);
    await settled();
    // one point at a time: item 0 on board 0 first
    expect(calls.map((c) => c.board)).toEqual([0]);
    calls[0].settle.resolve(latencyOf(500));
    await settled();
    calls[1].settle.resolve(latencyOf(700));
    await settled();
    // item 0 is stored on both boards while item 1 is being timed on board 0
    expect(stored).toEqual(['0:0:500', '1:0:700']);
    expect(calls.map((c) => c.board)).toEqual([0, 1, 0]);
    for (let k = 2; k < 6; k++) {
      calls[k].settle.resolve(latencyOf(100 * k));
      await settled();
    }
    const rows = await done;
    expect(stored).toEqual(['0:0:500', '1:0:700', '0:1:200', '1:1:300', '0:2:400', '1:2:500']);
    expect(rows?.map((b) => b.map((r) => r.correct))).toEqual([
      [90, 89, 88],
      [90, 89, 88],
    ]);
  });

  test('a point that fails ends the batch with its error after the rows before it; the points after it are never started', async () => {
    const { ctx, calls, stored } = fakeContext(1);
    const done = evaluateBatch(ctx, [createMemo([])], 'search', [request(0), request(1), request(2)]);
    await settled();
    calls[0].settle.resolve(latencyOf(500));
    await settled();
    calls[1].settle.reject(new Error('fault in layer_3'));
    await expect(done).rejects.toThrow('fault in layer_3');
    expect(stored).toEqual(['0:0:500']);
    expect(calls).toHaveLength(2);
  });
});
