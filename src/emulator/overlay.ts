/**
 * Code overlays: code that an image copies at run time into one region of
 * zero-wait code memory (the L4R5 SRAM2 window), one unit after another,
 * so that each runs from there in turn though together they exceed it. The
 * image names the region and its loader with three symbols; the emulator
 * reads them to cost the blocks there per overlay (the same address holds
 * different code over a run) and to keep the overlays' bytes out of the
 * start-up copy (they are loaded when needed, not at reset).
 */
import type { ElfImage } from './elf.js';

/** The symbols an image with overlays defines. */
export const OVERLAY_SYMBOLS = {
  /** First byte of the region overlays run from (linker-defined). */
  lo: 'sim_overlay_lo',
  /** One past the last byte of the largest overlay (linker-defined). */
  hi: 'sim_overlay_hi',
  /** The loader's first instruction after the copy (and its barriers): the overlay named by {@link OVERLAY_ID_REGISTER} is loaded. */
  loaded: 'sim_overlay_loaded',
} as const;

/** Core register that names the overlay just loaded at {@link OVERLAY_SYMBOLS.loaded}: r2, the end of its load image (unique per overlay). */
export const OVERLAY_ID_REGISTER = 2;

/** The overlay region of an image and its loader's mark. */
export interface OverlayRange {
  readonly lo: number;
  readonly hi: number;
  /** Address of the loader's instruction after the copy. */
  readonly loaded: number;
}

/** The overlay region of `image`, or null when it has no overlays (or an empty region). */
export function overlayRangeOf(image: ElfImage): OverlayRange | null {
  const lo = image.symbols.get(OVERLAY_SYMBOLS.lo);
  const hi = image.symbols.get(OVERLAY_SYMBOLS.hi);
  const loaded = image.symbols.get(OVERLAY_SYMBOLS.loaded);
  if (!lo || !hi || !loaded || hi.value <= lo.value) return null;
  return { lo: lo.value, hi: hi.value, loaded: loaded.value & ~1 };
}

/** Whether `address` lies in the overlay region. */
export function inOverlay(range: OverlayRange | null, address: number): boolean {
  return range !== null && address >= range.lo && address < range.hi;
}
