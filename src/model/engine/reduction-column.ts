/**
 * The reduction column of a weighted layer at each output position: the
 * operands x = (input - inZp) it multiplies by one output channel's weights,
 * padding taps 0, in weight storage order (conv: (ky * KW + kx) * C + c; FC:
 * the input vector). Shared by the significance metrics and the compensation's
 * Gram matrix, which both sum over these columns.
 */
import type { PreparedWeighted } from './prepare.js';

/** Column length of one output position: KH * KW * C (C for FC). */
export function columnLength(p: PreparedWeighted): number {
  const g = p.geometry;
  return p.kind === 'fc' ? g.c : g.kh * g.kw * g.c;
}

/** Calls `visit` once per output position (and batch row) after filling `col` with that position's operands. */
export function forEachPosition(p: PreparedWeighted, input: Int8Array, col: Int32Array, visit: () => void): void {
  const g = p.geometry;
  const zp = p.inZp;
  if (p.kind === 'fc') {
    for (let n = 0; n < g.n; n++) {
      const base = n * g.c;
      for (let c = 0; c < g.c; c++) col[c] = input[base + c] - zp;
      visit();
    }
    return;
  }
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        let j = 0;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) {
              col.fill(0, j, j + g.c);
              j += g.c;
              continue;
            }
            const base = ((n * g.h + iy) * g.w + ix) * g.c;
            for (let c = 0; c < g.c; c++) col[j++] = input[base + c] - zp;
          }
        }
        visit();
      }
    }
  }
}
