/**
 * The comparison report of a multi-board run (`<run>/report.md` and
 * `<run>/fronts-vs-baseline.svg`): each board's own report is in its
 * sub-store; this one puts the boards side by side. The same configurations
 * were evaluated on every board with the same accuracy, so the fronts
 * differ only by where each board's cycles put the points. Pure rendering
 * from the boards' analyses; same analyses, same bytes.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { RunAnalysis } from '../front/analysis.js';
import type { Reduction } from '../front/reductions.js';
import { renderScatter, type Series } from './svg-plot.js';
import { isBuilt } from '../evaluate/latency-types.js';

/** File names of the comparison report. */
export const BOARDS_REPORT_FILES = { report: 'report.md', plot: 'fronts-vs-baseline.svg' } as const;

/** Colours of the boards' fronts, in board order. */
const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];

const pct = (v: number, digits = 1): string => `${(v * 100).toFixed(digits)} %`;
const int = (v: number): string => String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** One board of the comparison: its id and its store's analysis. */
export interface BoardAnalysis {
  readonly board: string;
  readonly analysis: RunAnalysis;
}

/** The SVG of every board's front: top-1 (search images) against cycles as a percentage of that board's exact baseline. */
export function boardsFrontPlot(boards: readonly BoardAnalysis[]): string {
  const series: Series[] = boards.flatMap(({ board, analysis: a }, k) => {
    if (a.reference === null) return [];
    const base = a.reference.baseline.cycles;
    const color = COLORS[k % COLORS.length];
    return [{ label: `${board} front`, style: 'line' as const, color, points: a.front.map((e) => ({ x: (e.row.cycles / base) * 100, y: e.row.top1 * 100 })) }];
  });
  const first = boards[0].analysis;
  return renderScatter({
    title: `${first.config.model.name}: Pareto front per board`,
    xLabel: "cycles, % of the board's exact baseline",
    yLabel: `top-1 % (${first.config.images.search} test images)`,
    series,
  });
}

/** The point a reduction chose, as the board reports name it. */
const pointName = (r: Reduction): string => (typeof r.point.id === 'number' ? `#${r.point.id}` : r.point.id);

/** report.md of a multi-board run. */
export function renderBoardsReport(runId: string, boards: readonly BoardAnalysis[]): string {
  const first = boards[0].analysis;
  const budgets = (boards.find((b) => b.analysis.reductions !== null)?.analysis.reductions ?? []).map((r) => r.maxLoss);
  const unfinished = boards.some((b) => !b.analysis.complete);
  const lines = [
    `# ${first.config.model.name} on ${boards.map((b) => b.board).join(', ')}: run ${runId}`,
    '',
    ...(unfinished ? ['**This run is not finished**: rerun the same `sim-dse run` command to resume it.', ''] : []),
    `One search over ${first.points.filter((p) => p.phase === 'search').length} configurations, evaluated once for top-1 ` +
      `(it does not depend on the board) and timed on every board. NSGA-II minimised the sum over the boards of each board's cycles ` +
      "relative to its exact baseline; each board's Pareto front is computed from its own cycles. " +
      `Each board's full report: ${boards.map((b) => `[${b.board}](${b.board}/report.md)`).join(', ')}.`,
    '',
    '## Exact references and fronts',
    '',
    '| board | exact baseline cycles | exact unpacked cycles | points that fit | front points |',
    '|---|---|---|---|---|',
    ...boards.map(({ board, analysis: a }) =>
      a.reference === null
        ? `| ${board} | - | - | ${a.points.filter((p) => p.fits).length} | ${a.front.length} |`
        : `| ${board} | ${int(a.reference.baseline.cycles)} | ${isBuilt(a.reference.unpackedExact) ? int(a.reference.unpackedExact.cycles) : 'not built (cannot fit)'} | ${a.points.filter((p) => p.fits).length} | ${a.front.length} |`,
    ),
    '',
    '## Fastest point per top-1 loss budget (full test set)',
    '',
  ];
  if (budgets.length === 0) lines.push('No full-test-set results yet.', '');
  else {
    lines.push(
      `| board | ${budgets.map((b) => `<= ${b} % loss: point, cycles, vs baseline`).join(' | ')} |`,
      `|---|${budgets.map(() => '---|').join('')}`,
      ...boards.map(({ board, analysis: a }) => {
        const cells = budgets.map((b) => {
          const r = a.reductions?.find((x) => x.maxLoss === b);
          return r === undefined ? '-' : `${pointName(r)}, ${int(r.point.cycles)}, ${pct(-r.vsBaseline)}`;
        });
        return `| ${board} | ${cells.join(' | ')} |`;
      }),
      '',
    );
  }
  lines.push('## Fronts', '', `![fronts](${BOARDS_REPORT_FILES.plot})`, '');
  return lines.join('\n');
}

/** Writes the comparison report files of multi-board run directory `dir`. */
export function writeBoardsReport(dir: string, runId: string, boards: readonly BoardAnalysis[]): void {
  writeFileAtomic(join(dir, BOARDS_REPORT_FILES.plot), boardsFrontPlot(boards));
  writeFileAtomic(join(dir, BOARDS_REPORT_FILES.report), renderBoardsReport(runId, boards));
}
