/**
 * The summary `sim-dse run` prints (as text, or as JSON with `--json`).
 */
import { meanCycles } from '../store/rows.js';
import type { RunOutcome } from './execute.js';
import type { ScoredPoint } from '../front/reductions.js';

/** One loss budget's answer, flattened. */
export interface ReductionSummary {
  readonly maxLoss: number;
  /** Row id of the chosen point, or the exact reference chosen when no point qualifies. */
  readonly point: ScoredPoint['id'];
  readonly top1: number;
  readonly cycles: number;
  readonly flashBytes: number;
  /** Null when the exact unpacked network was not built (it cannot fit). */
  readonly vsUnpacked: number | null;
  readonly vsBaseline: number;
  /** Against the exact model with the per-layer style and placement choice (null when not stored). */
  readonly vsExactChosen: number | null;
  /** The point's whole-firmware cycles (mean over the timed test images, rounded), null when not timed so. */
  readonly firmwareCycles: number | null;
}

/** The summary object of a run. */
export interface RunSummary {
  readonly status: 'complete' | 'stopped';
  /** Why it stopped early (null when complete). */
  readonly stoppedBy: 'signal' | 'limit' | null;
  readonly dir: string;
  readonly model: string;
  readonly board: string;
  readonly latency: string | null;
  readonly strategy: string;
  /** Rows in the store. */
  readonly points: number;
  /** Rows this invocation added (points and full-test-set results). */
  readonly evaluated: number;
  readonly seconds: number;
  readonly pointsPerSecond: number;
  readonly pool: string;
  readonly frontSize: number;
  /** Stored points of the search (the front's phase) that fit the board (flash and SRAM). */
  readonly fitting: number;
  readonly exactTop1Full: number | null;
  readonly reductions: readonly ReductionSummary[] | null;
  readonly seedGridReductions: readonly ReductionSummary[] | null;
  /** Points timed as a whole firmware (the exported image, emulated). */
  readonly firmwareTimed: number;
  /** A run of several boards: each board's front and reductions (the fields above are the first board's). */
  readonly boards?: readonly { readonly board: string; readonly frontSize: number; readonly reductions: readonly ReductionSummary[] | null }[];
}

/** Mean whole-firmware cycles of stored point `id`, or null (not timed so, or an exact reference). */
function firmwareCycles(a: RunOutcome['analysis'], id: ReductionSummary['point']): number | null {
  const fw = typeof id === 'number' && a.points[id] !== undefined ? a.firmware.get(a.points[id].hash) : undefined;
  return fw === undefined ? null : Math.round(meanCycles(fw.inference));
}

/** Builds the summary of an outcome. */
export function summarise(o: RunOutcome): RunSummary {
  const a = o.analysis;
  const flat = (rs: typeof a.reductions, of: typeof a = a): ReductionSummary[] | null =>
    rs === null
      ? null
      : rs.map((r) => ({
          maxLoss: r.maxLoss,
          point: r.point.id,
          top1: r.point.top1,
          cycles: r.point.cycles,
          flashBytes: r.point.flashBytes,
          vsUnpacked: r.vsUnpacked,
          vsBaseline: r.vsBaseline,
          vsExactChosen: r.vsExactChosen,
          firmwareCycles: firmwareCycles(of, r.point.id),
        }));
  return {
    status: o.kind,
    stoppedBy: o.kind === 'stopped' ? o.reason : null,
    dir: o.dir,
    model: a.config.model.name,
    board: a.config.board,
    latency: a.reference?.latency ?? null,
    strategy: a.config.search.strategy,
    points: a.points.length,
    evaluated: o.evaluated,
    seconds: o.seconds,
    pointsPerSecond: o.seconds > 0 ? o.evaluated / o.seconds : 0,
    pool: o.pool,
    frontSize: a.front.length,
    fitting: a.points.filter((p) => p.phase === 'search' && p.fits).length,
    exactTop1Full: a.exactFull?.top1 ?? null,
    reductions: flat(a.reductions),
    seedGridReductions: flat(a.seedGridReductions),
    firmwareTimed: a.firmware.size,
    ...(o.boards.length > 1 && { boards: o.boards.map((b) => ({ board: b.board, frontSize: b.analysis.front.length, reductions: flat(b.analysis.reductions, b.analysis) })) }),
  };
}

const pct = (v: number, d = 1): string => `${(v * 100).toFixed(d)} %`;

/** Text form of a summary. */
export function formatSummary(s: RunSummary): string {
  const lines = [
    `run       ${s.dir} (${s.status}${s.stoppedBy ? `: ${s.stoppedBy === 'signal' ? 'interrupted; rerun the same command to resume' : 'stopped by --stop-after'}` : ''})`,
    `model     ${s.model} on ${s.boards?.map((b) => b.board).join(', ') ?? s.board}; latency: ${s.latency ?? 'n/a'}`,
    `points    ${s.points} in the store (${s.strategy}); ${s.evaluated} new in ${s.seconds.toFixed(1)} s (${s.pointsPerSecond.toFixed(2)}/s, ${s.pool})`,
    `front     ${s.frontSize} points; exact top-1 on the full test set ${s.exactTop1Full === null ? 'n/a' : pct(s.exactTop1Full, 2)}`,
  ];
  if (s.points > 0 && s.fitting === 0) {
    // with every searched point infeasible the front is empty (the reductions fall back to references or seed-grid points): say why
    const proxy = s.latency?.startsWith('analytic') === true ? ' (the analytic proxy counts every layer unpacked; --latency emulated chooses kernels per layer)' : '';
    lines.push(`note      no point of the search fits ${s.board}${proxy}: the front is empty`);
  }
  const reductionLines = (rs: readonly ReductionSummary[] | null, prefix: string) => {
    for (const r of rs ?? []) {
      lines.push(
        `${prefix}loss <= ${r.maxLoss} %: ${typeof r.point === 'number' ? `point ${r.point}` : r.point}, top-1 ${pct(r.top1, 2)}, ${r.cycles} cycles (${r.vsUnpacked === null ? '' : `${pct(r.vsUnpacked)} vs exact unpacked, `}${pct(r.vsBaseline)} vs baseline), flash ${r.flashBytes} B` +
          (r.firmwareCycles === null ? '' : `; as firmware ${r.firmwareCycles} cycles`),
      );
    }
  };
  if (s.boards === undefined) reductionLines(s.reductions, '');
  else for (const b of s.boards) reductionLines(b.reductions, `${b.board}: `);
  if (s.firmwareTimed > 0) lines.push(`firmware  ${s.firmwareTimed} points of the full-test-set front timed as whole firmware (export and validate predict with these)`);
  lines.push(`report    ${s.dir}/report.md`);
  return `${lines.join('\n')}\n`;
}
