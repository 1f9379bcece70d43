/**
 * Flash and RAM of a linked image, as a board would hold it: flash = code +
 * constants + the initial values of .data (copied to RAM at start-up); RAM =
 * .data + .bss + a bound on the stack from gcc's -fstack-usage.
 */
import type { BoardProfile } from '../../emulator/board.js';
import type { ElfImage } from '../../emulator/elf.js';
import { memoryOf } from '../../emulator/memory-map.js';

/** Memory footprint of an image. */
export interface ImageSizes {
  /** Flash bytes: text + rodata + data (initial values). */
  readonly flash: number;
  /** Code and constants only (text + rodata). */
  readonly text: number;
  readonly data: number;
  readonly bss: number;
  /** Stack bound in bytes (deepest call chain per -fstack-usage; see {@link stackBound}). */
  readonly stack: number;
  /** RAM bytes: data + bss + stack. */
  readonly ram: number;
}

const ALLOC = 2;
const WRITE = 1;

/**
 * Stack bound from -fstack-usage lines: the entry function's frame plus the
 * largest frame of any layer function plus the largest frame of any other
 * function (the library kernels the layers call, one level deep). Dynamic or
 * bounded frames count with their static size.
 */
export function stackBound(stackUsage: readonly string[], entry: string, layerPrefix: string): number {
  let entryFrame = 0;
  let layerMax = 0;
  let otherMax = 0;
  for (const text of stackUsage) {
    for (const line of text.split('\n')) {
      const m = /:([A-Za-z_][A-Za-z0-9_]*)\t(\d+)\t/.exec(line);
      if (!m) continue;
      const [, fn, bytes] = m;
      const n = Number(bytes);
      if (fn === entry) entryFrame = Math.max(entryFrame, n);
      else if (fn.startsWith(layerPrefix)) layerMax = Math.max(layerMax, n);
      else otherMax = Math.max(otherMax, n);
    }
  }
  return entryFrame + layerMax + otherMax;
}

/** Sizes of a parsed image, with the given stack bound. */
export function imageSizes(image: ElfImage, stack: number): ImageSizes {
  let text = 0;
  let data = 0;
  let bss = 0;
  for (const s of image.sections) {
    if ((s.flags & ALLOC) === 0 || s.size === 0) continue;
    if (s.type === 'nobits') bss += s.size;
    else if ((s.flags & WRITE) !== 0) data += s.size;
    else text += s.size;
  }
  return { flash: text + data, text, data, bss, stack, ram: data + bss + stack };
}

/** Whether an image of these sizes fits the board's flash and SRAM; a reason when not. */
export function fitsBoard(sizes: ImageSizes, board: BoardProfile): { fits: true } | { fits: false; reason: string } {
  const flash = memoryOf(board).flash.size;
  const sram = memoryOf(board).sram.size;
  if (sizes.flash > flash) return { fits: false, reason: `needs ${sizes.flash} bytes of flash, ${board.id} has ${flash}` };
  if (sizes.ram > sram) return { fits: false, reason: `needs ${sizes.ram} bytes of RAM, ${board.id} has ${sram}` };
  return { fits: true };
}
