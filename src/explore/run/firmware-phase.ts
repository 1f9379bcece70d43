/**
 * The whole-firmware phase of a run: every re-evaluated point that fits the
 * board, timed as the firmware `sim-dse export` would write for it (when the
 * latency provider can build one), stored in the order of the
 * full-test-set rows with up to `threads` timings in flight. Rows already
 * stored are skipped, so an interrupted phase resumes.
 */
import type { SkipMasks } from '../../model/ir.js';
import type { LatencyProvider } from '../evaluate/latency-types.js';
import { type PointRow, rowKernels } from '../store/rows.js';
import { appendFirmware, readStore } from '../store/run-store.js';
import type { Progress } from './progress.js';

/** What the phase needs from the run. */
export interface FirmwarePhaseContext {
  /** The run directory. */
  readonly dir: string;
  /** Board id the points were evaluated for. */
  readonly board: string;
  readonly threads: number;
  readonly latency: LatencyProvider;
  /** The skip masks of a stored point. */
  readonly masksOf: (row: PointRow) => SkipMasks;
  /** Counts a stored row; false when the run must stop. */
  readonly counted: () => boolean;
  readonly progress?: Progress;
}

/** Runs (or resumes) the phase; false when the run was stopped in it. */
export async function firmwarePhase(c: FirmwarePhaseContext): Promise<boolean> {
  const firmware = c.latency.firmware?.bind(c.latency);
  if (firmware === undefined) return true;
  const store = readStore(c.dir);
  const byHash = new Map(store.points.map((p) => [p.hash, p]));
  const timed = new Set(store.firmware.map((f) => f.hash));
  const rows = store.finals.map((f) => byHash.get(f.hash)).filter((r): r is PointRow => r !== undefined && r.fits && !timed.has(r.hash));
  const start = (row: PointRow) => {
    const p = firmware(c.masksOf(row), rowKernels(row));
    p.catch(() => undefined); // a stopped phase leaves timings in flight unread
    return p;
  };
  if (rows.length > 0) c.progress?.update({ phase: 'firmware', done: 0, total: rows.length, evaluated: 0 });
  const inFlight = rows.slice(0, Math.max(1, c.threads)).map(start);
  for (let i = 0; i < rows.length; i++) {
    const outcome = await inFlight[i];
    if (inFlight.length < rows.length) inFlight.push(start(rows[inFlight.length]));
    const hash = rows[i].hash;
    appendFirmware(c.dir, outcome.kind === 'timed' ? { hash, kind: 'timed', ...outcome.timing } : { hash, kind: 'too-large', board: c.board, reason: outcome.reason });
    c.progress?.update({ phase: 'firmware', done: i + 1, total: rows.length, evaluated: i + 1 });
    if (!c.counted()) return false;
  }
  return true;
}
