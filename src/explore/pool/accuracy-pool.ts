/**
 * The accuracy pool: evaluates batches of configurations on `threads`
 * piscina workers (each with its own model, images and sessions), or inline
 * on the calling thread. A batch is ordered by its masks (so neighbours
 * share prefixes) and cut into contiguous chunks; on worker threads each
 * configuration goes to the worker that holds its prefix (./lanes.ts). The
 * results come back in the batch's own order whatever the thread timing.
 */
import { totalmem } from 'node:os';
import type { VariantCost } from '../../kernels/variant-cost.js';
import type { SkipMask, SkipMasks } from '../../model/ir.js';
import { deferred } from '../../util/deferred.js';
import { createWorkerPool, workerScript } from '../../util/worker-pool.js';
import type { VariantPayload } from '../evaluate/variant-payload.js';
import { checkpointBudget, createAccuracyBench, toMaskList, type AccuracySpec, type CheckpointBudget, type ImagePart, type ImageSet, type MaskList } from './accuracy-bench.js';
import { assignLanes } from './lanes.js';
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
  /** Checkpoint bytes of each worker's sessions (thread pools). */
  readonly checkpoints?: CheckpointBudget;
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

/** Runs one chunk of configurations on lane `lane` (one worker), on one part of the image set when given. */
export type LaneRunner = (lane: number, set: ImageSet, points: MaskList[], part?: ImagePart) => Promise<number[]>;

/** Configurations per chunk of a lane's share of a search batch (a lane that runs out takes the others' last chunks). */
const CHUNK_CONFIGS = 2;

/**
 * The evaluate function of a pool of `lanes` workers addressed one by one (./lanes.ts): a search batch
 * goes to the lanes by prefix, each lane's share in prefix order and in chunks of {@link CHUNK_CONFIGS};
 * a lane runs its chunks one at a time and, when it has none left, takes the last chunk of the lane with
 * the most left (its costs are uneven: a configuration whose prefix its worker holds costs a fraction);
 * on the full test set every configuration is cut into one part of the images per lane (their correct
 * counts added), queued in the given order, so every worker keeps one part's session and a few
 * configurations still keep every worker busy.
 */
export function laneEvaluator(runOn: LaneRunner, lanes: number): AccuracyPool['evaluate'] {
  const homes = new Map<string, number>();
  return (set, configs) => {
    const lists = configs.map(toMaskList);
    let out: Promise<number>[];
    if (set === 'full') {
      out = lists.map((list) => {
        const counts = Array.from({ length: lanes }, (_, index) => runOn(index, set, [list], lanes > 1 ? { index, of: lanes } : undefined).then((r) => r[0]));
        return Promise.all(counts).then((c) => c.reduce((s, x) => s + x, 0));
      });
    } else {
      const settle = lists.map(() => deferred<number>());
      out = settle.map((x) => x.promise);
      const queues = assignLanes(lists, prefixOrder(lists), lanes, homes).map((share) =>
        chunkBounds(share.length, Math.ceil(share.length / CHUNK_CONFIGS)).map(([a, b]) => share.slice(a, b)),
      );
      const next = (lane: number): number[] | undefined => {
        if (queues[lane].length > 0) return queues[lane].shift();
        let most = -1;
        for (let k = 0; k < lanes; k++) if (queues[k].length > 0 && (most < 0 || queues[k].length > queues[most].length)) most = k;
        return most < 0 ? undefined : queues[most].pop();
      };
      const drain = async (lane: number): Promise<void> => {
        for (let chunk = next(lane); chunk !== undefined; chunk = next(lane)) {
          try {
            const r = await runOn(lane, set, chunk.map((i) => lists[i]));
            chunk.forEach((i, j) => settle[i].resolve(r[j]));
          } catch (err) {
            for (const q of [chunk, ...queues.flat()]) for (const i of q) settle[i].reject(err);
            queues.forEach((q) => (q.length = 0));
          }
        }
      };
      for (let lane = 0; lane < lanes; lane++) void drain(lane);
    }
    for (const p of out) p.catch(() => undefined);
    return out;
  };
}

/**
 * A pool of `threads` piscina workers running ./accuracy-worker.js (see {@link workerScriptAvailable}),
 * each its own lane (a piscina of one thread) so that configurations sharing a prefix meet the checkpoints
 * of their prefix ({@link laneEvaluator}); a layer variant goes to the lane with the fewest tasks in flight.
 */
export function createThreadPool(spec: AccuracySpec, threads: number): AccuracyPool {
  if (workerPath === null) throw new Error('createThreadPool: no compiled accuracy-worker.js beside this module (run from dist/)');
  const workerData: AccuracySpec = { ...spec, checkpoints: spec.checkpoints ?? checkpointBudget(totalmem(), threads) };
  const lanes = Array.from({ length: threads }, () =>
    createWorkerPool<PoolTask, number[] | VariantOutcome>(workerPath, { workerData, minThreads: 1, maxThreads: 1, idleTimeout: 60_000 }),
  );
  const inFlight = new Array<number>(threads).fill(0);
  const runOn = (lane: number, task: PoolTask): Promise<number[] | VariantOutcome> => {
    inFlight[lane]++;
    return lanes[lane].run(task).finally(() => inFlight[lane]--);
  };
  let closed = false;
  return {
    kind: 'threads',
    threads,
    checkpoints: workerData.checkpoints,
    evaluate: laneEvaluator((lane, set, points, part) => runOn(lane, { kind: 'accuracy', set, points, ...(part && { part }) }) as Promise<number[]>, threads),
    variantCost: (payload) => {
      if (closed) return null;
      const lane = inFlight.indexOf(Math.min(...inFlight));
      return runOn(lane, { kind: 'variant', payload }).then((o) => costOfOutcome(o as VariantOutcome));
    },
    close: async () => {
      closed = true;
      await Promise.all(lanes.map((l) => l.close()));
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
