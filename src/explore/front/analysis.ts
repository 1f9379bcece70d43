/**
 * Everything a report states, computed from a run store's contents: the
 * search front (top-1 on the search images), its points' top-1 on the full
 * test set, the same for the seed toolkit's grid when it was run, and the
 * latency reductions at the loss budgets. Pure.
 */
import type { FinalRow, FirmwareRow, PointRow, TimedFirmwareRow } from '../store/rows.js';
import { EXACT_HASH } from '../store/rows.js';
import type { StoreContents, StoredCmsisNn, StoredReference } from '../store/run-store.js';
import type { RunConfig } from '../store/run-config.js';
import { paretoFront } from './pareto.js';
import { analyseMacProxy, macsRemoved, type MacProxyAnalysis } from './mac-proxy.js';
import { fallbackReference, reductionsAt, type Reduction, type ScoredPoint } from './reductions.js';
import { getBoard } from '../../emulator/boards.js';
import { flashCapacity } from '../evaluate/board-flash.js';
import { EXACT_MASKS_HASH } from '../store/masks-hash.js';

/** A front point with its full-test-set result (null until re-evaluated). */
export interface FrontEntry {
  readonly row: PointRow;
  readonly full: FinalRow | null;
}

/** The analysed run. */
export interface RunAnalysis {
  readonly config: RunConfig;
  /** Flash bytes of the run's board. */
  readonly flashCapacity: number;
  readonly reference: StoredReference | null;
  /** Arm's CMSIS-NN on the model and board (null: not measured by the run). */
  readonly cmsisNn: StoredCmsisNn | null;
  /** The seed toolkit's MAC proxy against the emulated cycles over every stored point (null: no proxy facts or references stored). */
  readonly macProxy: MacProxyAnalysis | null;
  /** Fraction of MACs each point removes, by row id (empty without proxy facts). */
  readonly macsRemoved: readonly number[];
  readonly points: readonly PointRow[];
  /** Pareto front of the search points (top-1 on the search images vs cycles), fastest first. */
  readonly front: readonly FrontEntry[];
  /** Pareto front of the seed toolkit's grid, or null when the preset was not run. */
  readonly seedGridFront: readonly FrontEntry[] | null;
  /** Points of the seed toolkit's grid that are stored (null when not run). */
  readonly seedGridPoints: readonly PointRow[] | null;
  /** The exact model on the full test set (null until evaluated). */
  readonly exactFull: FinalRow | null;
  /**
   * Reductions at the loss budgets over every feasible point whose full-test-set
   * top-1 is known (the re-evaluated front, and points sharing their masks),
   * null until the exact model's full top-1 is known.
   */
  readonly reductions: readonly Reduction[] | null;
  readonly seedGridReductions: readonly Reduction[] | null;
  /** Every front point that {@link wantsFinal} has its full-test-set result. */
  readonly complete: boolean;
  /** Whole-firmware timings of the full-test-set front's points, by configuration hash. */
  readonly firmware: ReadonlyMap<string, TimedFirmwareRow>;
}

/**
 * Whether a front point gets a full-test-set evaluation: only those within
 * the run's `maxLoss` percentage points of the exact model's top-1 on the
 * search images (the reports look at losses up to 5 pp; far worse points are
 * not worth 10,000 images each). Without references or a limit, all are.
 */
export function wantsFinal(row: Pick<PointRow, 'correct' | 'images'>, reference: StoredReference | null, maxLoss: number | undefined): boolean {
  if (reference === null || maxLoss === undefined) return true;
  return (reference.exactSearch.top1 - row.correct / row.images) * 100 <= maxLoss + 1e-9;
}

/** Hashes whose full-test-set result a run needs: the exact model, then the fronts' points that {@link wantsFinal}. */
export function finalHashes(
  front: readonly PointRow[],
  seedFront: readonly PointRow[] | null,
  wanted: (row: PointRow) => boolean = () => true,
): string[] {
  return [...new Set([EXACT_HASH, ...[...front, ...(seedFront ?? [])].filter(wanted).map((p) => p.hash)])];
}

/** The search points and the seed-grid points of a store (a point may be both). */
export function splitPhases(store: Pick<StoreContents, 'points' | 'seedGrid'>): { search: PointRow[]; seedGrid: PointRow[] | null } {
  const search = store.points.filter((p) => p.phase === 'search');
  if (store.seedGrid === null) return { search, seedGrid: null };
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  const seedGrid = store.seedGrid.map((h) => byHash.get(h)).filter((p): p is PointRow => p !== undefined);
  return { search, seedGrid };
}

/**
 * Full-test-set results by masks hash: a result holds for every point with
 * the same masks (the exact model's for every point that skips nothing).
 */
export function fullResultsByMasks(store: Pick<StoreContents, 'points' | 'finals'>): Map<string, FinalRow> {
  const masksOf = new Map(store.points.map((p) => [p.hash, p.masksHash]));
  const out = new Map<string, FinalRow>();
  for (const f of store.finals) {
    const mh = f.hash === EXACT_HASH ? EXACT_MASKS_HASH : masksOf.get(f.hash);
    if (mh !== undefined && !out.has(mh)) out.set(mh, f);
  }
  return out;
}

/**
 * Feasible points of `rows` with a known full-test-set top-1: those that fit
 * by their layer variants and whose whole firmware, when the run built it,
 * did not turn out too large (a point is never recommended whose firmware
 * does not build).
 */
function scored(rows: readonly PointRow[], full: ReadonlyMap<string, FinalRow>, firmware: readonly FirmwareRow[]): ScoredPoint[] {
  const tooLarge = new Set(firmware.flatMap((f) => (f.kind === 'too-large' ? [f.hash] : [])));
  return rows.flatMap((r) => {
    const f = full.get(r.masksHash);
    return f === undefined || !r.fits || tooLarge.has(r.hash) ? [] : [{ id: r.id, top1: f.top1, cycles: r.cycles, flashBytes: r.flashBytes }];
  });
}

/**
 * The reductions at `budgets` over `rows` (their points with a known
 * full-test-set top-1), as the report states them; null until the
 * references and the exact model's full-test-set top-1 are known.
 */
function reductionsOf(
  store: Pick<StoreContents, 'reference' | 'firmware'>,
  flashLimit: number,
  rows: readonly PointRow[],
  full: ReadonlyMap<string, FinalRow>,
  exactFull: FinalRow | null,
  budgets?: readonly number[],
): Reduction[] | null {
  const ref = store.reference;
  if (ref === null || exactFull === null) return null;
  const fallback = fallbackReference(ref, exactFull.top1, flashLimit);
  return reductionsAt(scored(rows, full, store.firmware), exactFull.top1, ref, fallback, budgets);
}

/** The exact model's full-test-set result (its own row, or a point's with no weight skipped), or null. */
function exactFullResult(store: Pick<StoreContents, 'finals'>, full: ReadonlyMap<string, FinalRow>): FinalRow | null {
  return store.finals.find((f) => f.hash === EXACT_HASH) ?? full.get(EXACT_MASKS_HASH) ?? null;
}

/**
 * The search's answer at one top-1 loss budget (percentage points on the
 * full test set): the point the report would name, or null while the run
 * is not far enough (no references or no full-test-set result yet).
 */
export function reductionAtLoss(store: StoreContents, loss: number): Reduction | null {
  const full = fullResultsByMasks(store);
  const exactFull = exactFullResult(store, full);
  return reductionsOf(store, storeFlashCapacity(store), splitPhases(store).search, full, exactFull, [loss])?.[0] ?? null;
}

/** Flash bytes of the store's board: its id, read from the store, resolved here once per analysis. */
function storeFlashCapacity(store: Pick<StoreContents, 'config'>): number {
  return flashCapacity(getBoard(store.config.board));
}

/** Analyses a store's contents. */
export function analyseRun(store: StoreContents): RunAnalysis {
  const flashLimit = storeFlashCapacity(store);
  const full = fullResultsByMasks(store);
  const { search, seedGrid } = splitPhases(store);
  const entries = (rows: readonly PointRow[]): FrontEntry[] => paretoFront(rows).map((row) => ({ row, full: full.get(row.masksHash) ?? null }));
  const front = entries(search);
  const seedGridFront = seedGrid === null ? null : entries(seedGrid);
  const exactFull = exactFullResult(store, full);
  const ref = store.reference;
  const reduce = (rows: readonly PointRow[] | null): Reduction[] | null => (rows === null ? null : reductionsOf(store, flashLimit, rows, full, exactFull));
  const maxLoss = store.config.search.maxLoss as number | undefined;
  const complete = exactFull !== null && [...front, ...(seedGridFront ?? [])].every((e) => e.full !== null || !wantsFinal(e.row, ref, maxLoss));
  return {
    config: store.config,
    flashCapacity: flashLimit,
    reference: ref,
    cmsisNn: store.cmsisNn ?? null,
    macProxy: store.macProxy && ref ? analyseMacProxy(store.points, store.macProxy, ref.exactSearch.correct) : null,
    macsRemoved: store.macProxy ? store.points.map((r) => macsRemoved(r, store.macProxy!)) : [],
    points: store.points,
    front,
    seedGridFront,
    seedGridPoints: seedGrid,
    exactFull,
    reductions: reduce(search),
    seedGridReductions: reduce(seedGrid),
    complete,
    firmware: new Map(store.firmware.flatMap((f) => (f.kind === 'timed' ? [[f.hash, f] as const] : []))),
  };
}
