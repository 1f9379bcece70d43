/**
 * A small scatter-plot writer: series of (x, y) points as dots, a connected
 * step line or big markers, with "nice" axis ticks and a legend, as a
 * standalone SVG document. Pure and deterministic (fixed number formatting).
 */

/** How a series is drawn. */
export type SeriesStyle = 'dots' | 'line' | 'marker' | 'hollow';

/** One series of a plot. */
export interface Series {
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly style: SeriesStyle;
  /** CSS colour. */
  readonly color: string;
}

/** A whole plot. */
export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Compact number: 1.25M, 640k, 0.5, 12. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  const trim = (s: string) => s.replace(/\.?0+$/, '');
  if (a >= 1e6) return `${trim((v / 1e6).toFixed(2))}M`;
  if (a >= 1e4) return `${trim((v / 1e3).toFixed(1))}k`;
  return trim(v.toFixed(3)) || '0';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const f = (v: number): string => v.toFixed(1);

/** Renders the plot as an SVG document. */
export function renderScatter(spec: PlotSpec): string {
  const W = spec.width ?? 720;
  const H = spec.height ?? 440;
  const m = { left: 70, right: 190, top: 36, bottom: 50 };
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const pad = (lo: number, hi: number): [number, number] => (hi > lo ? [lo - (hi - lo) * 0.04, hi + (hi - lo) * 0.04] : [lo - 1, hi + 1]);
  const [x0, x1] = all.length ? pad(Math.min(...xs), Math.max(...xs)) : [0, 1];
  const [y0, y1] = all.length ? pad(Math.min(...ys), Math.max(...ys)) : [0, 1];
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(spec.title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
  ];
  for (const t of niceTicks(x0, x1)) {
    out.push(`<line x1="${f(sx(t))}" y1="${m.top}" x2="${f(sx(t))}" y2="${m.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${f(sx(t))}" y="${m.top + ph + 16}" text-anchor="middle">${shortNumber(t)}</text>`);
  }
  for (const t of niceTicks(y0, y1)) {
    out.push(`<line x1="${m.left}" y1="${f(sy(t))}" x2="${m.left + pw}" y2="${f(sy(t))}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 6}" y="${f(sy(t) + 4)}" text-anchor="end">${shortNumber(t)}</text>`);
  }
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  spec.series.forEach((s, k) => {
    const pts = s.points;
    if (s.style === 'line' && pts.length > 0) {
      const sorted = [...pts].sort((a, b) => a.x - b.x);
      const path = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
      out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
      for (const p of sorted) out.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3" fill="${s.color}"/>`);
    } else {
      for (const p of pts) {
        const [cx, cy] = [f(sx(p.x)), f(sy(p.y))];
        if (s.style === 'dots') out.push(`<circle cx="${cx}" cy="${cy}" r="1.8" fill="${s.color}" fill-opacity="0.45"/>`);
        else if (s.style === 'hollow') out.push(`<circle cx="${cx}" cy="${cy}" r="4.5" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
        else out.push(`<rect x="${f(sx(p.x) - 5)}" y="${f(sy(p.y) - 5)}" width="10" height="10" fill="${s.color}" stroke="black"/>`);
      }
    }
    const ly = m.top + 10 + k * 18;
    const lx = m.left + pw + 14;
    out.push(`<circle cx="${lx}" cy="${ly - 4}" r="4" fill="${s.style === 'hollow' ? 'none' : s.color}" stroke="${s.color}"/>`);
    out.push(`<text x="${lx + 10}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
