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
import type { RunContext, RunPhase } from './phase.js';

/** The re-evaluated points that fit the board and have no firmware row yet, in the order of the final rows. */
function untimed(store: StoreContents): PointRow[] {
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  const timed = new Set(store.firmware.map((f) => f.hash));
  return store.finals.map((f) => byHash.get(f.hash)).filter((r): r is PointRow => r !== undefined && r.fits && !timed.has(r.hash));
}

async function timeFirmware(ctx: RunContext): Promise<boolean> {
  const { plan, latency, progress } = ctx;
  const firmware = latency.firmware!.bind(latency);
  const rows = untimed(readStore(plan.dir));
  const start = (row: PointRow) => {
    const p = firmware(rowMasks(row, ctx.significance), rowKernels(row), rowPlacement(row));
    p.catch(() => undefined); // a stopped phase leaves timings in flight unread
    return p;
  };
  progress?.update({ phase: 'firmware', done: 0, total: rows.length, evaluated: 0 });
  const inFlight = rows.slice(0, Math.max(1, plan.workers)).map(start);
  for (let i = 0; i < rows.length; i++) {
    const outcome = await inFlight[i];
    if (inFlight.length < rows.length) inFlight.push(start(rows[inFlight.length]));
    const hash = rows[i].hash;
    appendFirmware(plan.dir, outcome.kind === 'timed' ? { hash, kind: 'timed', ...outcome.timing } : { hash, kind: 'too-large', board: plan.board.id, reason: outcome.reason });
    progress?.update({ phase: 'firmware', done: i + 1, total: rows.length, evaluated: i + 1 });
    if (!ctx.counted()) return false;
  }
  return true;
}

/** The whole-firmware timing of the re-evaluated points (when the latency provider builds firmware). */
export const firmwarePhase: RunPhase = {
  name: 'firmware',
  afterStop: false,
  pending: (store, ctx) => ctx.latency.firmware !== undefined && untimed(store).length > 0,
  run: timeFirmware,
};
