/**
 * The report's view of the per-layer sensitivity pass (search/sensitivity.ts):
 * for every layer of the space alone at each level, the top-1 lost on the
 * search images and the cycles saved against the exact configuration, as a
 * table and a plot. Pure.
 */
import type { PointRow } from '../store/rows.js';
import { renderScatter, type Series } from './svg-plot.js';

/** One layer alone at one level of the pass. */
export interface LevelPoint {
  /** Level index in the layer's levels (1..). */
  readonly index: number;
  readonly level: number;
  /** Top-1 change against the exact configuration, percentage points of the search images (negative: lost). */
  readonly change: number;
  /** Cycles saved against the exact configuration, percent (negative: slower). */
  readonly saved: number;
  /** Whether the point fits the board's flash. */
  readonly fits: boolean;
}

/** What the pass measured, per layer of the space. */
export interface RunSensitivity {
  readonly kind: string;
  readonly exact: PointRow;
  readonly layers: readonly { readonly opIndex: number; readonly levels: readonly number[]; readonly points: readonly (LevelPoint | null)[] }[];
}

interface SpaceLayers {
  readonly kind?: string;
  readonly layers?: readonly { readonly opIndex: number; readonly levels: readonly number[] }[];
}

/**
 * The pass's points among a store's search points (null when the store lacks
 * the exact configuration or the space is not a list of layers with levels);
 * a level the store does not hold (yet) is null.
 */
export function runSensitivity(space: unknown, points: readonly PointRow[]): RunSensitivity | null {
  const s = space as SpaceLayers;
  if (!Array.isArray(s?.layers) || s.layers.length === 0) return null;
  const byGenome = new Map<string, PointRow>();
  for (const p of points) if (p.phase === 'search' && !byGenome.has(p.genome.join(','))) byGenome.set(p.genome.join(','), p);
  const dims = s.layers.length;
  const exact = byGenome.get(Array(dims).fill(0).join(','));
  if (exact === undefined) return null;
  const layers = s.layers.map((l, d) => ({
    opIndex: l.opIndex,
    levels: l.levels,
    points: l.levels.slice(1).map((level: number, i: number): LevelPoint | null => {
      const p = byGenome.get(Array.from({ length: dims }, (_, e) => (e === d ? i + 1 : 0)).join(','));
      if (p === undefined) return null;
      return { index: i + 1, level, change: ((p.correct - exact.correct) / exact.images) * 100, saved: (1 - p.cycles / exact.cycles) * 100, fits: p.fits };
    }),
  }));
  return { kind: s.kind ?? 'level', exact, layers };
}

const levelText = (kind: string, v: number): string => (kind === 'fraction' ? `${+(v * 100).toFixed(2)} %` : String(v));

/** Markdown lines of the table: a row per level, a column per layer, each cell "top-1 change in pp / cycles saved". */
export function sensitivityTable(r: RunSensitivity): string[] {
  const { layers, exact } = r;
  const most = Math.max(...layers.map((l) => l.levels.length));
  const shared = layers.every((l) => l.levels.join() === layers[0].levels.join());
  const cell = (p: LevelPoint | null | undefined): string =>
    !p ? '' : `${p.change > 0 ? '+' : ''}${p.change.toFixed(1)} / ${p.saved.toFixed(1)} %${p.fits || !exact.fits ? '' : ' (does not fit)'}`;
  const out = [
    `Each layer alone at each level (the others exact), the search's first evaluations: change of top-1 on the ${exact.images} search images in percentage points / cycles saved against the exact configuration (${exact.cycles.toLocaleString('en-US')} cycles). NSGA-II's first generation combines, per loss budget, the levels each layer tolerates alone.`,
    '',
    `| level | ${layers.map((l) => `op${l.opIndex}`).join(' | ')} |`,
    `|---|${layers.map(() => '---').join('|')}|`,
  ];
  for (let k = 1; k < most; k++) {
    const level = shared ? levelText(r.kind, layers[0].levels[k]) : `#${k}`;
    out.push(`| ${level} | ${layers.map((l) => cell(l.points[k - 1])).join(' | ')} |`);
  }
  return out;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** SVG of the pass: per layer, its path through its levels in cycles saved against top-1 change (the exact model at 0, 0). */
export function sensitivityPlot(r: RunSensitivity, title: string): string {
  const series: Series[] = r.layers.map((l, d) => ({
    label: `op${l.opIndex}`,
    style: 'line',
    color: COLORS[d % COLORS.length],
    points: [{ x: 0, y: 0 }, ...l.points.filter((p): p is LevelPoint => p !== null).map((p) => ({ x: p.saved, y: p.change }))],
  }));
  return renderScatter({ title, xLabel: 'cycles saved against the exact configuration (%)', yLabel: 'top-1 change, search images (pp)', series });
}
