/**
 * The two plots of a run report: top-1 against cycles and against flash,
 * with every evaluated point, the Pareto front, its points re-evaluated on
 * the full test set, the seed toolkit's grid front (when run) and the two
 * exact references.
 */
import type { RunAnalysis } from '../front/analysis.js';
import { renderScatter, type Series } from './svg-plot.js';
import { isBuilt } from '../evaluate/latency-types.js';

/** Which cost the x axis shows. */
export type PlotAxis = 'cycles' | 'flashBytes';

/** Points more than this far below the exact top-1 (in [0, 1]) are left out of the plots. */
export const PLOT_MAX_LOSS = 0.2;

/** The SVG of top-1 (percent) against `axis`. */
export function accuracyPlot(a: RunAnalysis, axis: PlotAxis): string {
  const x = (p: { cycles: number; flashBytes: number }) => p[axis];
  const pct = (t: number) => t * 100;
  const floor = a.reference === null ? -Infinity : a.reference.exactSearch.top1 - PLOT_MAX_LOSS;
  const shown = <T>(rows: readonly T[], top1: (r: T) => number): T[] => rows.filter((r) => top1(r) >= floor);
  const search = a.points.filter((p) => p.phase === 'search');
  const dots = shown(search, (p) => p.top1);
  const series: Series[] = [
    { label: `points (${dots.length} of ${search.length})`, style: 'dots', color: '#7a8ca0', points: dots.map((p) => ({ x: x(p), y: pct(p.top1) })) },
  ];
  if (a.seedGridPoints !== null) {
    const sg = shown(a.seedGridFront ?? [], (e) => e.row.top1);
    series.push({ label: 'seed grid front', style: 'line', color: '#2ca02c', points: sg.map((e) => ({ x: x(e.row), y: pct(e.row.top1) })) });
  }
  const front = shown(a.front, (e) => e.row.top1);
  series.push({ label: 'Pareto front', style: 'line', color: '#d62728', points: front.map((e) => ({ x: x(e.row), y: pct(e.row.top1) })) });
  const full = shown(a.front.filter((e) => e.full !== null), (e) => e.full!.top1);
  if (full.length > 0) series.push({ label: 'front, full test set', style: 'hollow', color: '#9467bd', points: full.map((e) => ({ x: x(e.row), y: pct(e.full!.top1) })) });
  if (a.reference !== null) {
    const y = pct(a.reference.exactSearch.top1);
    series.push({ label: 'exact baseline', style: 'marker', color: '#1f77b4', points: [{ x: x(a.reference.baseline), y }] });
    const u = a.reference.unpackedExact;
    if (isBuilt(u)) series.push({ label: 'exact unpacked', style: 'marker', color: '#ff7f0e', points: [{ x: x(u), y }] });
  }
  const images = a.config.images.search;
  return renderScatter({
    title: `${a.config.model.name} on ${a.config.board}: top-1 vs ${axis === 'cycles' ? 'cycles' : 'flash'}`,
    xLabel: axis === 'cycles' ? 'cycles per inference' : 'flash bytes',
    yLabel: `top-1 % (${images} test images unless marked; ${Math.round(PLOT_MAX_LOSS * 100)} pp below exact at most)`,
    series,
  });
}
