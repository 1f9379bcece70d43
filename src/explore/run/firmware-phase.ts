/**
 * The whole-firmware phase of a run: every re-evaluated point that fits the
 * board, timed as the firmware `sim-dse export` would write for it (when the
 * latency provider can build one), stored in the order of the
 * full-test-set rows with up to `threads` timings in flight. Rows already
 * stored are skipped, so an interrupted phase resumes.
 */
import { type PointRow, rowKernels, rowPlacement } from '../store/rows.js';
import { appendFirmware, readStore, type StoreContents } from '../store/run-store.js';
import { rowMasks } from './final-phase.js';
import type { RunBoard, RunContext, RunPhase } from './phase.js';

/** The re-evaluated points that fit the board and have no firmware row yet, in the order of the final rows. */
function untimed(store: StoreContents): PointRow[] {
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  const timed = new Set(store.firmware.map((f) => f.hash));
  return store.finals.map((f) => byHash.get(f.hash)).filter((r): r is PointRow => r !== undefined && r.fits && !timed.has(r.hash));
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
  const todo = boards.map((b) => untimed(readStore(b.dir)));
  const total = todo.reduce((s, r) => s + r.length, 0);
  let before = 0;
  ctx.progress?.update({ phase: 'firmware', done: 0, total, evaluated: 0 });
  for (const [b, board] of boards.entries()) {
    const done = (n: number) => ctx.progress?.update({ phase: 'firmware', done: before + n, total, evaluated: before + n });
    if (!(await timeBoardFirmware(ctx, board, todo[b], done))) return false;
    before += todo[b].length;
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
