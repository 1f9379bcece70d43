/**
 * Evaluates batches of configurations into store rows, with no work done
 * twice: a configuration already in the store (same content hash) is taken
 * from it, and one whose masks equal an evaluated configuration's (e.g. two
 * fractions that round to the same weights) copies that row's results.
 * Accuracy runs on the pool while latency is summed on this thread; rows
 * are appended in batch order as soon as every earlier row of the batch is
 * done, so an interrupted run leaves a prefix of the rows an uninterrupted
 * run writes, whatever the thread timing.
 */
import type { Graph, SkipMasks } from '../../model/ir.js';
import { maskLength, skippedCount } from '../../model/skip-config.js';
import type { LatencyProvider, PointLatency } from '../evaluate/latency-types.js';
import type { AccuracyPool } from '../pool/accuracy-pool.js';
import type { Configuration } from '../space/config.js';
import { configurationHash, configurationJson } from '../space/config.js';
import { masksHash } from '../store/masks-hash.js';
import type { FinalRow, Phase, PointRow } from '../store/rows.js';

/** One configuration to evaluate. */
export interface PointRequest {
  readonly genome: readonly number[];
  readonly config: Configuration;
  /** Its masks (computed on demand: only configurations not in the store need them). */
  masks(): SkipMasks;
}

export { masksHash } from '../store/masks-hash.js';

/** Shared state of the evaluations of one run. */
export interface EvaluatorContext {
  readonly graph: Graph;
  readonly pool: AccuracyPool;
  /** The latency provider of each board of the run, in the run's board order. */
  readonly latencies: readonly LatencyProvider[];
  readonly searchImages: number;
  readonly fullImages: number;
  /** Stores a new row of board `board` (index into the run's boards); returns false to stop the run. */
  readonly store: (row: PointRow, board: number) => boolean;
  /** Resolves when the run must stop (Ctrl-C); never resolves otherwise. */
  readonly stopped: Promise<void>;
  readonly isStopped: () => boolean;
}

/** The memo of a run: stored rows by configuration hash and by masks hash. */
export interface Memo {
  readonly byHash: Map<string, PointRow>;
  readonly byMasks: Map<string, PointRow>;
  nextId: number;
}

/** A memo holding `rows`. */
export function createMemo(rows: readonly PointRow[]): Memo {
  return {
    byHash: new Map(rows.map((r) => [r.hash, r])),
    byMasks: new Map(rows.map((r) => [r.masksHash, r])),
    nextId: rows.length,
  };
}

const STOP = Symbol('stop');

/** Awaits `p` unless the run stops first (then returns STOP). */
function orStop<T>(p: Promise<T>, ctx: EvaluatorContext): Promise<T | typeof STOP> {
  return Promise.race<T | typeof STOP>([p, ctx.stopped.then((): typeof STOP => STOP)]);
}

function buildRow(
  id: number,
  phase: Phase,
  req: PointRequest,
  hash: string,
  mh: string,
  masks: SkipMasks,
  correct: number,
  images: number,
  lat: PointLatency,
  graph: Graph,
): PointRow {
  const layers = lat.perLayer.map((l) => {
    return { opIndex: l.opIndex, skipped: skippedCount(masks.get(l.opIndex)), weights: maskLength(graph, l.opIndex), cycles: l.cycles, ...(l.kernels ? { kernels: l.kernels } : {}) };
  });
  return {
    id,
    hash,
    masksHash: mh,
    phase,
    genome: [...req.genome],
    config: JSON.parse(configurationJson(req.config)) as unknown,
    skipped: layers.reduce((s, l) => s + l.skipped, 0),
    weights: layers.reduce((s, l) => s + l.weights, 0),
    correct,
    images,
    top1: correct / images,
    cycles: lat.cycles,
    flashBytes: lat.flashBytes,
    fits: lat.fits,
    layers,
    ...(lat.placement !== undefined ? { placement: lat.placement } : {}),
  };
}

/** A copy of `source`'s results under another configuration. */
function copyRow(id: number, phase: Phase, req: PointRequest, hash: string, source: PointRow): PointRow {
  return { ...source, id, hash, phase, genome: [...req.genome], config: JSON.parse(configurationJson(req.config)) as unknown };
}

/** A batch item: its configuration hash and, when some board lacks its row, its masks. */
interface BatchItem {
  readonly req: PointRequest;
  readonly hash: string;
  readonly masks: SkipMasks | null;
  readonly mh: string;
}

/** The correct count any board already stored for `it` (same configuration or same masks), or null. */
function knownCorrect(memos: readonly Memo[], it: BatchItem): number | null {
  for (const m of memos) {
    const row = m.byHash.get(it.hash) ?? m.byMasks.get(it.mh);
    if (row) return row.correct;
  }
  return null;
}

/**
 * Evaluates a batch on every board of the run; returns each board's rows in
 * batch order (`rows[b][i]`: board b, request i), or null when the run
 * stopped before the whole batch was stored. Accuracy does not depend on the
 * board: each new set of masks goes to the pool once, whatever the number of
 * boards (also when only some boards stored it before an interruption), and
 * every board's row carries that result; latency is asked of each board's
 * provider, one point at a time. Rows go to the store item by item, board by
 * board, each as soon as its latency and accuracy are known, so the boards'
 * stores hold the same configurations under the same ids.
 */
export async function evaluateBatch(ctx: EvaluatorContext, memos: readonly Memo[], phase: Phase, batch: readonly PointRequest[]): Promise<PointRow[][] | null> {
  // Pass 1: what is new (neither the configuration nor its masks evaluated before), one job per distinct masks.
  const items: BatchItem[] = batch.map((req) => {
    const hash = configurationHash(req.config);
    if (memos.every((m) => m.byHash.has(hash))) return { req, hash, masks: null, mh: '' };
    const masks = req.masks();
    return { req, hash, masks, mh: masksHash(masks) };
  });
  const jobOf = new Map<string, number>();
  const jobs: SkipMasks[] = [];
  for (const it of items) {
    if (it.masks === null || knownCorrect(memos, it) !== null || jobOf.has(it.mh)) continue;
    jobOf.set(it.mh, jobs.push(it.masks) - 1);
  }
  const accuracy = jobs.length > 0 ? ctx.pool.evaluate('search', jobs) : [];
  // Latency per board, for each distinct masks the board lacks: one point at a time, item by item and
  // board by board (the order rows are stored in), so the first row is stored as soon as its own
  // latency and accuracy are known while the later points' latencies go on.
  const latency = memos.map(() => new Map<string, Promise<PointLatency | typeof STOP>>());
  let previous: Promise<unknown> = Promise.resolve();
  for (const it of items) {
    for (const [b, memo] of memos.entries()) {
      if (it.masks === null || memo.byHash.has(it.hash) || memo.byMasks.has(it.mh) || latency[b].has(it.mh)) continue;
      const masks = it.masks;
      const p = previous.then<PointLatency | typeof STOP>(() => (ctx.isStopped() ? STOP : ctx.latencies[b].point(masks)));
      p.catch(() => undefined); // a failure surfaces where its row awaits it; later points are not started
      latency[b].set(it.mh, p);
      previous = p;
    }
  }
  // Pass 2: rows in batch order, each board in turn.
  const rows: PointRow[][] = memos.map(() => []);
  for (const it of items) {
    let correct: number | null = null;
    for (const [b, memo] of memos.entries()) {
      const stored = memo.byHash.get(it.hash);
      if (stored) {
        rows[b].push(stored);
        continue;
      }
      let row: PointRow;
      const same = memo.byMasks.get(it.mh);
      if (same) row = copyRow(memo.nextId, phase, it.req, it.hash, same);
      else {
        const lat = await orStop(latency[b].get(it.mh)!, ctx);
        if (lat === STOP) return null;
        correct ??= knownCorrect(memos, it);
        if (correct === null) {
          const result = await orStop(accuracy[jobOf.get(it.mh)!], ctx);
          if (result === STOP) return null;
          correct = result;
        }
        row = buildRow(memo.nextId, phase, it.req, it.hash, it.mh, it.masks!, correct, ctx.searchImages, lat, ctx.graph);
      }
      if (ctx.isStopped()) return null;
      memo.nextId++;
      memo.byHash.set(row.hash, row);
      memo.byMasks.set(row.masksHash, row);
      rows[b].push(row);
      if (!ctx.store(row, b)) return null;
    }
  }
  return rows;
}

/** One configuration to re-evaluate on the full test set. */
export interface FinalRequest {
  readonly hash: string;
  /** Hash of its masks: requests with equal masks are evaluated once. */
  readonly masksHash: string;
  masks(): SkipMasks;
}

/**
 * Re-evaluates configurations on the full image set, appending each result
 * in request order through `store`; a request whose masks were evaluated
 * before (`known`, by masks hash) or earlier in the list copies that result.
 * Returns false when the run stopped first.
 */
export async function evaluateFinals(
  ctx: EvaluatorContext,
  requests: readonly FinalRequest[],
  known: ReadonlyMap<string, FinalRow>,
  store: (row: FinalRow) => boolean,
): Promise<boolean> {
  const jobOf = new Map<string, number>();
  const jobs: SkipMasks[] = [];
  for (const r of requests) if (!known.has(r.masksHash) && !jobOf.has(r.masksHash)) jobOf.set(r.masksHash, jobs.push(r.masks()) - 1);
  const results = jobs.length > 0 ? ctx.pool.evaluate('full', jobs) : [];
  const done = new Map(known);
  for (const r of requests) {
    let row = done.get(r.masksHash);
    if (row === undefined) {
      const correct = await orStop(results[jobOf.get(r.masksHash)!], ctx);
      if (correct === STOP) return false;
      row = { hash: r.hash, correct, images: ctx.fullImages, top1: correct / ctx.fullImages };
      done.set(r.masksHash, row);
    }
    if (ctx.isStopped()) return false;
    if (!store({ ...row, hash: r.hash })) return false;
  }
  return true;
}
