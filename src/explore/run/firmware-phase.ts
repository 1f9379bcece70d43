/**
 * The whole-firmware phase of a run: the points a user would export, timed
 * as the firmware `sim-dse export` would write for them (when the latency
 * provider can build one). Those are the re-evaluated points on the front of
 * full-test-set top-1 against cycles (every point a report names at a loss
 * budget is one of them); a point whose firmware turns out too large leaves
 * that front, so the phase times the points it uncovers in turn. Stored in
 * the order of the full-test-set rows with up to `threads` timings in
 * flight; rows already stored are skipped, so an interrupted phase resumes.
 */
import { splitPhases } from '../front/analysis.js';
import { paretoFront } from '../front/pareto.js';
import { type PointRow, rowKernels, rowPlacement } from '../store/rows.js';
import { appendFirmware, readStore, type StoreContents } from '../store/run-store.js';
import { rowMasks } from './final-phase.js';
import type { RunBoard, RunContext, RunPhase } from './phase.js';

/**
 * The re-evaluated points that fit the board and lie on the front of their
 * full-test-set top-1 against cycles, among those whose firmware is not known
 * to be too large: the search's front and the seed grid's (each phase's
 * reductions are named from its own points), in the order of the final rows.
 * Pure.
 */
export function firmwareCandidates(store: Pick<StoreContents, 'points' | 'finals' | 'firmware' | 'seedGrid'>): PointRow[] {
  const tooLarge = new Set(store.firmware.flatMap((f) => (f.kind === 'too-large' ? [f.hash] : [])));
  const correct = new Map(store.finals.map((f) => [f.hash, f.correct]));
  const frontOf = (rows: readonly PointRow[]): PointRow[] =>
    paretoFront(
      rows.flatMap((row) => {
        const full = correct.get(row.hash);
        return full === undefined || tooLarge.has(row.hash) ? [] : [{ row, id: row.id, correct: full, cycles: row.cycles, flashBytes: row.flashBytes, fits: row.fits }];
      }),
    ).map((c) => c.row);
  const { search, seedGrid } = splitPhases(store);
  const chosen = new Set([...frontOf(search), ...frontOf(seedGrid ?? [])].map((r) => r.hash));
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  return store.finals.flatMap((f) => (chosen.has(f.hash) ? [byHash.get(f.hash)!] : []));
}

/** The {@link firmwareCandidates} with no firmware row yet. */
function untimed(store: StoreContents): PointRow[] {
  const timed = new Set(store.firmware.map((f) => f.hash));
  return firmwareCandidates(store).filter((r) => !timed.has(r.hash));
}

/** Times one board's untimed points, up to `threads` in flight; false when the run stopped. */
async function timeBoardFirmware(ctx: RunContext, board: RunBoard, rows: readonly PointRow[], progress: (done: number) => void): Promise<boolean> {
  const firmware = board.latency.firmware!.bind(board.latency);
  const start = (row: PointRow) => {
    const p = firmware(rowMasks(row, ctx.significance), rowKernels(row), rowPlacement(row));
    p.catch(() => undefined); // a stopped phase leaves timings in flight unread
    return p;
  };
  const inFlight = rows.slice(0, Math.max(1, ctx.plan.workers)).map(start);
  for (let i = 0; i < rows.length; i++) {
    const outcome = await inFlight[i];
    if (inFlight.length < rows.length) inFlight.push(start(rows[inFlight.length]));
    const hash = rows[i].hash;
    appendFirmware(board.dir, outcome.kind === 'timed' ? { hash, kind: 'timed', ...outcome.timing } : { hash, kind: 'too-large', board: board.board.id, reason: outcome.reason });
    progress(i + 1);
    if (!ctx.counted()) return false;
  }
  return true;
}

async function timeFirmware(ctx: RunContext): Promise<boolean> {
  const boards = ctx.boards.filter((b) => b.latency.firmware !== undefined);
  const first = boards.map((b) => untimed(readStore(b.dir)));
  let total = first.reduce((s, r) => s + r.length, 0);
  let before = 0;
  ctx.progress?.update({ phase: 'firmware', done: 0, total, evaluated: 0 });
  for (const [b, board] of boards.entries()) {
    // a too-large firmware uncovers points behind it on the front: time those in turn
    for (let todo = first[b]; todo.length > 0; todo = untimed(readStore(board.dir))) {
      total = Math.max(total, before + todo.length);
      const done = (n: number) => ctx.progress?.update({ phase: 'firmware', done: before + n, total, evaluated: before + n });
      if (!(await timeBoardFirmware(ctx, board, todo, done))) return false;
      before += todo.length;
    }
  }
  return true;
}

/** The whole-firmware timing of the re-evaluated points, per board (when the board's latency provider builds firmware). */
export const firmwarePhase: RunPhase = {
  name: 'firmware',
  afterStop: false,
  pending: (store, ctx) => ctx.boards.some((b) => b.dir === store.dir && b.latency.firmware !== undefined) && untimed(store).length > 0,
  run: timeFirmware,
};
