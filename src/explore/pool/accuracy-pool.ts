/**
 * The accuracy pool: evaluates batches of configurations on `threads`
 * piscina workers (each with its own model, images and sessions), or inline
 * on the calling thread. A batch is ordered by its masks (so neighbours
 * share prefixes), cut into contiguous chunks, and the results come back in
 * the batch's own order whatever the thread timing.
 */
import type { VariantCost } from '../../kernels/variant-cost.js';
import type { SkipMask, SkipMasks } from '../../model/ir.js';
import { createWorkerPool, workerScript } from '../../util/worker-pool.js';
import type { VariantPayload } from '../evaluate/variant-payload.js';
import { createAccuracyBench, toMaskList, type AccuracySpec, type ImageSet, type MaskList } from './accuracy-bench.js';
import { costOfOutcome, type PoolTask, type VariantOutcome } from './pool-task.js';

/** Evaluates configurations; results are correct top-1 counts. */
export interface AccuracyPool {
  /** `threads` (piscina workers), `inline` (the calling thread) or `cluster` (workers reached through a queue). */
  readonly kind: 'threads' | 'inline' | 'cluster';
  readonly threads: number;
  /**
   * Starts evaluating every configuration on the image set; one promise per
   * configuration (its correct count), in the given order. A promise settles
   * when the chunk holding it is done.
   */
  evaluate(set: ImageSet, configs: readonly SkipMasks[]): Promise<number>[];
  /**
   * Compiles and emulates a layer variant on a worker; null once the pool is closed (thread pools only: the
   * others cost variants where they are asked).
   */
  readonly variantCost?: (payload: VariantPayload) => Promise<VariantCost> | null;
  close(): Promise<void>;
}

/** Compiled worker script beside this module (null when running from the TypeScript sources). */
const workerPath = workerScript(import.meta.url, './accuracy-worker.js');

/** True when the worker script exists, i.e. thread pools are possible (running from dist/). */
export function workerScriptAvailable(): boolean {
  return workerPath !== null;
}

function compareMask(a: SkipMask | undefined, b: SkipMask | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Indices of `lists` in an order where configurations with equal leading layers are adjacent. */
export function prefixOrder(lists: readonly MaskList[]): number[] {
  const ops = [...new Set(lists.flatMap((l) => l.map(([op]) => op)))].sort((a, b) => a - b);
  const maps = lists.map((l) => new Map(l));
  return lists
    .map((_, i) => i)
    .sort((x, y) => {
      for (const op of ops) {
        const c = compareMask(maps[x].get(op), maps[y].get(op));
        if (c !== 0) return c;
      }
      return x - y;
    });
}

/** Splits `n` items into at most `parts` contiguous chunks of near-equal size. */
export function chunkBounds(n: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, n));
  const out: [number, number][] = [];
  for (let c = 0; c < k; c++) out.push([Math.floor((c * n) / k), Math.floor(((c + 1) * n) / k)]);
  return out.filter(([a, b]) => b > a);
}

/** Runs one chunk of configurations; their correct counts in order. */
export type ChunkRunner = (set: ImageSet, points: MaskList[]) => Promise<number[]>;

/**
 * The evaluate function of a pool running chunks with `runChunk`. Search
 * batches are cut into `chunksPerBatch` chunks of prefix-sharing
 * configurations; on the full test set each configuration is its own chunk,
 * queued in the given order, so results (and the store's rows) come back one
 * by one as they complete instead of when the slowest chunk does.
 */
export function batchEvaluator(runChunk: ChunkRunner, chunksPerBatch: number | ((configs: number) => number)): AccuracyPool['evaluate'] {
  return (set, configs) => {
    const lists = configs.map(toMaskList);
    const full = set === 'full';
    const order = full ? lists.map((_, i) => i) : prefixOrder(lists);
    const out = new Array<Promise<number>>(configs.length);
    const parts = typeof chunksPerBatch === 'number' ? chunksPerBatch : chunksPerBatch(order.length);
    for (const [a, b] of chunkBounds(order.length, full ? order.length : parts)) {
      const chunk = runChunk(set, order.slice(a, b).map((i) => lists[i]));
      chunk.catch(() => undefined); // callers that stop early may never await some chunks
      for (let j = a; j < b; j++) out[order[j]] = chunk.then((r) => r[j - a]);
    }
    for (const p of out) p.catch(() => undefined);
    return out;
  };
}

/** A pool of `threads` piscina workers running ./accuracy-worker.js (see {@link workerScriptAvailable}). */
export function createThreadPool(spec: AccuracySpec, threads: number): AccuracyPool {
  if (workerPath === null) throw new Error('createThreadPool: no compiled accuracy-worker.js beside this module (run from dist/)');
  const workers = createWorkerPool<PoolTask, number[] | VariantOutcome>(workerPath, { workerData: spec, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  let closed = false;
  return {
    kind: 'threads',
    threads,
    evaluate: batchEvaluator((set, points) => workers.run({ kind: 'accuracy', set, points }) as Promise<number[]>, threads * 2),
    variantCost: (payload) => (closed ? null : workers.run({ kind: 'variant', payload }).then((o) => costOfOutcome(o as VariantOutcome))),
    close: () => {
      closed = true;
      return workers.close();
    },
  };
}

/** Evaluates on the calling thread (tests, and runs from the TypeScript sources). */
export function createInlinePool(spec: AccuracySpec): AccuracyPool {
  const bench = createAccuracyBench(spec);
  return {
    kind: 'inline',
    threads: 1,
    evaluate: batchEvaluator(async (set, points) => bench.run({ set, points }), 1),
    close: async () => undefined,
  };
}
