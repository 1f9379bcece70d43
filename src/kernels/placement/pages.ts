/**
 * Overlay pages: a layer whose code is larger than the SRAM window can still
 * run from it at zero wait states when its code is cut into pages, each a
 * loop over the output positions for some of its channels, that the layer
 * itself loads into the overlay region one after another (an unpacked layer
 * placed `overlay`, unpacked/asm-emit.ts). Page `i` of a unit is the input
 * section {@link pageSection}(i) of its object; the link script makes it an
 * overlay of its own (placed `overlay`) or links it with the unit's other
 * code (any other home: the loads then copy nothing). The names here are the
 * contract between the emitter and the link scripts.
 */
import { OVERLAY_SYMBOLS } from '../../emulator/overlay.js';

/** Input section of page `i` of a paged unit's code. */
export function pageSection(i: number): string {
  return `.ovpage${i}`;
}

/** Pattern of every page section of an object (for the links that keep pages with the unit's code). */
export const PAGE_SECTIONS = '.ovpage*';

/** Output section of page `i` of `unit` as an overlay; ld names its load image `__load_start_ov_<unit>_p<i>` (the dot dropped). */
export function pageOverlaySection(unit: string, i: number): string {
  return `.ov_${unit}_p${i}`;
}

/** The load-image symbols of page `i` of `unit`. */
export function pageLoadSymbols(unit: string, i: number): { readonly start: string; readonly stop: string } {
  const stem = pageOverlaySection(unit, i).slice(1);
  return { start: `__load_start_${stem}`, stop: `__load_stop_${stem}` };
}

/** C prototype of the overlay loader every image with overlays defines (network/assemble.ts, OVERLAY_LOADER). */
export const LOADER_PROTOTYPE = 'void sim_overlay_load(uint32_t *dst, const uint32_t *src, const uint32_t *end);';

/** C declarations a paged unit needs: the loader, the region and its pages' load images. */
export function pageDeclarationsC(unit: string, pages: number): string[] {
  const lines = [LOADER_PROTOTYPE, `extern uint32_t ${OVERLAY_SYMBOLS.lo}[];`];
  for (let i = 0; i < pages; i++) {
    const s = pageLoadSymbols(unit, i);
    lines.push(`extern const uint32_t ${s.start}[], ${s.stop}[];`);
  }
  return lines;
}

/** C statement loading page `i` of `unit` into the overlay region. */
export function pageLoadC(unit: string, i: number): string {
  const s = pageLoadSymbols(unit, i);
  return `sim_overlay_load(${OVERLAY_SYMBOLS.lo}, ${s.start}, ${s.stop});`;
}

/**
 * Target bytes of one page (its straight-line code and its loop with the stores); a group larger
 * than this gets a page of its own. 16 KiB leaves most of the 64 KiB L4R5 window to code that stays.
 */
export const PAGE_BYTES = 16 * 1024;

/**
 * Greedy split of items (in order, their byte sizes) into pages of at most `limit` bytes each
 * (an item larger than `limit` alone). Returns the item indices of each page. Pure.
 */
export function splitPages(sizes: readonly number[], limit: number): number[][] {
  const pages: number[][] = [];
  let used = Infinity;
  sizes.forEach((n, k) => {
    if (used + n > limit) {
      pages.push([]);
      used = 0;
    }
    pages[pages.length - 1].push(k);
    used += n;
  });
  return pages;
}
