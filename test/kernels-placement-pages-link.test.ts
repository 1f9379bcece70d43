/**
 * The link-script statements of a paged unit (an unpacked layer cut into
 * overlay pages): placed `overlay`, each page is an overlay of its own and
 * the rest of the unit stays in flash; placed anywhere else, the pages go
 * with the unit's code and their load symbols (and the region's, when no
 * overlay defines it) are 0, so the layer's loads copy nothing.
 */
import { describe, expect, test } from 'vitest';
import { placedInputs } from '../src/kernels/placement/link-script.js';
import { parsePlace, type Placement } from '../src/kernels/placement/placement.js';

const fixed = (text: string): Placement => {
  const r = parsePlace(text);
  if (r.kind !== 'fixed') throw new Error('not a fixed placement');
  return r.placement;
};
const pages = new Map([['layer_3', 2]]);

describe('placedInputs with overlay pages', () => {
  test("placed 'overlay': one overlay per page, the unit's other code in flash", () => {
    const p = placedInputs(fixed('3:overlay/sram'), pages);
    expect(p.overlays).toContain('    .ov_layer_3_p0 { *layer_3.o(.ovpage0) . = ALIGN(32); }\n    .ov_layer_3_p1 { *layer_3.o(.ovpage1) . = ALIGN(32); }\n');
    expect(p.overlays).toContain('sim_overlay_hi = sim_overlay_lo + MAX(SIZEOF(.ov_layer_3_p0), SIZEOF(.ov_layer_3_p1));');
    expect(p.flashText).toBe(
      '    EXCLUDE_FILE(*layer_3.o) *(.text .text.* .ovpage*)\n    *layer_3.o(.text .text.*)\n    EXCLUDE_FILE(*layer_3.o) *(.rodata .rodata.*)\n',
    );
    expect([p.usesAlias, p.emptyPages]).toEqual([true, '']);
  });

  test('placed in SRAM: the pages go with the code, their load symbols and the region are 0', () => {
    const p = placedInputs(fixed('3:sram/flash'), pages);
    expect(p.sram).toBe('    *layer_3.o(.text .text.* .ovpage*)\n');
    expect(p.overlays).toBe('');
    expect(p.emptyPages).toBe(
      '  sim_overlay_lo = 0;\n  __load_start_ov_layer_3_p0 = 0;\n  __load_stop_ov_layer_3_p0 = 0;\n  __load_start_ov_layer_3_p1 = 0;\n  __load_stop_ov_layer_3_p1 = 0;\n',
    );
  });

  test('beside another overlay, the region symbol comes from it', () => {
    const p = placedInputs(fixed('3:flash/flash,5:overlay/flash'), pages);
    expect(p.emptyPages).toBe('  __load_start_ov_layer_3_p0 = 0;\n  __load_stop_ov_layer_3_p0 = 0;\n  __load_start_ov_layer_3_p1 = 0;\n  __load_stop_ov_layer_3_p1 = 0;\n');
    expect(p.overlays).toContain('.ov_layer_5 { *layer_5.o(.text .text.*) . = ALIGN(32); }');
  });
});
