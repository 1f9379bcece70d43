/**
 * The two plots of a run report: top-1 against cycles and against flash,
 * with every evaluated point, the Pareto front, its points re-evaluated on
 * the full test set, the seed toolkit's grid front (when run) and the two
 * exact references.
 */
import type { RunAnalysis } from '../front/analysis.js';
import { renderScatter, type Series } from './svg-plot.js';

/** Which cost the x axis shows. */
export type PlotAxis = 'cycles' | 'flashBytes';

/** The SVG of top-1 (percent) against `axis`. */
export function accuracyPlot(a: RunAnalysis, axis: PlotAxis): string {
  const x = (p: { cycles: number; flashBytes: number }) => p[axis];
  const pct = (t: number) => t * 100;
  const series: Series[] = [
    { label: `all points (${a.points.length})`, style: 'dots', color: '#7a8ca0', points: a.points.filter((p) => p.phase === 'search').map((p) => ({ x: x(p), y: pct(p.top1) })) },
  ];
  if (a.seedGridPoints !== null) {
    series.push({ label: 'seed grid front', style: 'line', color: '#2ca02c', points: (a.seedGridFront ?? []).map((e) => ({ x: x(e.row), y: pct(e.row.top1) })) });
  }
  series.push({ label: 'Pareto front', style: 'line', color: '#d62728', points: a.front.map((e) => ({ x: x(e.row), y: pct(e.row.top1) })) });
  const full = a.front.filter((e) => e.full !== null);
  if (full.length > 0) series.push({ label: 'front, full test set', style: 'hollow', color: '#9467bd', points: full.map((e) => ({ x: x(e.row), y: pct(e.full!.top1) })) });
  if (a.reference !== null) {
    const y = pct(a.reference.exactSearch.top1);
    series.push({ label: 'exact baseline', style: 'marker', color: '#1f77b4', points: [{ x: x(a.reference.baseline), y }] });
    series.push({ label: 'exact unpacked', style: 'marker', color: '#ff7f0e', points: [{ x: x(a.reference.unpackedExact), y }] });
  }
  const images = a.config.images.search;
  return renderScatter({
    title: `${a.config.model.name} on ${a.config.board}: top-1 vs ${axis === 'cycles' ? 'cycles' : 'flash'}`,
    xLabel: axis === 'cycles' ? 'cycles per inference' : 'flash bytes',
    yLabel: `top-1 % (${images} test images unless marked)`,
    series,
  });
}
