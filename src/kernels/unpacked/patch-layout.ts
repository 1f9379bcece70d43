/**
 * Where the generated code reads its input: either the layer input itself
 * (int8, when no tap ever falls outside it) or a zero-point-padded copy in
 * scratch (int8 for the `mla` form, int16 for `smlad`). The padded copy
 * holds every row and column any output position reads, with padded taps
 * equal to the input zero point, so the straight-line code has no bounds
 * checks and no per-tap zero-point subtraction. Pure: no I/O.
 */
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { PatchStrides } from './sites.js';
import type { UnpackedStructure } from './structure.js';

/** The input patch of one batch item, as the generated code addresses it. */
export interface PatchLayout extends PatchStrides {
  /** Element type of the patch. */
  readonly element: 'int8' | 'int16';
  /** True when the code reads the layer input directly (no copy, no scratch). */
  readonly direct: boolean;
  /** Patch rows (the input rows when direct). */
  readonly rows: number;
  /** Output positions per pass of the straight-line code (the structure's, at most the output width). */
  readonly positions: 1 | 2 | 3 | 4;
  /** Output columns rounded up to a multiple of `positions` (the extra columns are computed, not stored). */
  readonly paddedWidth: number;
  /** Scratch bytes of the copy (0 when direct), a multiple of 4. */
  readonly scratchBytes: number;
}

/** Largest supported positions-per-pass not above both the structure's and the output width. */
function positionsFor(wanted: 1 | 2 | 3 | 4, width: number): 1 | 2 | 3 | 4 {
  if (wanted <= width) return wanted;
  return width >= 2 ? 2 : 1;
}

/** The patch layout of a layer for a structure. */
export function patchLayout(op: PreparedWeighted, structure: UnpackedStructure): PatchLayout {
  const g = op.geometry;
  const positions = positionsFor(structure.positions, g.ow);
  const paddedWidth = Math.ceil(g.ow / positions) * positions;
  const spanH = (g.oh - 1) * g.strideH + (g.kh - 1) * g.dilationH + 1;
  const spanW = (g.ow - 1) * g.strideW + (g.kw - 1) * g.dilationW + 1;
  const paddedSpanW = (paddedWidth - 1) * g.strideW + (g.kw - 1) * g.dilationW + 1;
  if (structure.mac === 'mla') {
    // Direct: every real tap inside the input, and the last virtual column's reads inside the buffer.
    const lastRead = ((spanH - 1) * g.w + paddedSpanW - 1) * g.c + g.c - 1;
    const direct = g.padTop === 0 && g.padLeft === 0 && spanH <= g.h && spanW <= g.w && lastRead < g.h * g.w * g.c;
    if (direct) return { element: 'int8', direct, rows: g.h, rowPixels: g.w, pixelElements: g.c, positions, paddedWidth, scratchBytes: 0 };
  }
  const element = structure.mac === 'mla' ? 'int8' : 'int16';
  // int16 patches pad the pixel to an even element count, so every position starts word aligned
  // and every SMLAD pair (even offset) is a word-aligned load.
  const pixelElements = element === 'int16' && g.c % 2 === 1 && g.oh * g.ow > 1 ? g.c + 1 : g.c;
  const bytes = spanH * paddedSpanW * pixelElements * (element === 'int16' ? 2 : 1);
  return {
    element,
    direct: false,
    rows: spanH,
    rowPixels: paddedSpanW,
    pixelElements,
    positions,
    paddedWidth,
    scratchBytes: Math.ceil(bytes / 4) * 4,
  };
}
