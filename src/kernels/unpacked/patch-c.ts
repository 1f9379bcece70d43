/**
 * C of the patch copy: one batch item of the int8 NHWC input into the
 * zero-point-padded patch of a {@link PatchLayout} (int8 or widened to int16).
 * Pure string generation.
 */
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { PatchLayout } from './patch-layout.js';

/** C element type of a patch. */
export function patchType(layout: PatchLayout): string {
  return layout.element === 'int16' ? 'int16_t' : 'int8_t';
}

/**
 * A static C function `<prefix>_fill_patch(const int8_t *src, T *dst)` writing the
 * patch of one batch item (`src` points at that item's input). Rows and
 * columns outside the input, and the pad element of an even-padded pixel,
 * get the input zero point.
 */
export function patchFillC(op: PreparedWeighted, layout: PatchLayout, prefix: string): string {
  const g = op.geometry;
  const t = patchType(layout);
  const pe = layout.pixelElements;
  const rowElems = layout.rowPixels * pe;
  const lead = Math.min(g.padLeft, layout.rowPixels);
  const mid = Math.max(0, Math.min(layout.rowPixels, g.padLeft + g.w) - lead);
  const zp = op.inZp;
  const copyRow =
    pe === g.c
      ? `    for (int i = 0; i < ${mid * g.c}; i++) d[${lead * pe} + i] = s[i];`
      : [
          `    for (int q = 0; q < ${mid}; q++) {`,
          `      for (int c = 0; c < ${g.c}; c++) d[${lead * pe} + q * ${pe} + c] = s[q * ${g.c} + c];`,
          `      d[${lead * pe} + q * ${pe} + ${g.c}] = ${zp};`,
          `    }`,
        ].join('\n');
  return `static void ${prefix}_fill_patch(const int8_t *src, ${t} *dst) {
  for (int r = 0; r < ${layout.rows}; r++) {
    const int iy = r - ${g.padTop};
    ${t} *d = dst + r * ${rowElems};
    if (iy < 0 || iy >= ${g.h}) {
      for (int i = 0; i < ${rowElems}; i++) d[i] = ${zp};
      continue;
    }
    const int8_t *s = src + iy * ${g.w * g.c};
    for (int i = 0; i < ${lead * pe}; i++) d[i] = ${zp};
${copyRow}
    for (int i = ${(lead + mid) * pe}; i < ${rowElems}; i++) d[i] = ${zp};
  }
}`;
}
