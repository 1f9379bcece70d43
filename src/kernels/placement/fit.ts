/**
 * The pre-link fit check of a placement: from the compiled objects alone,
 * the SRAM the placed code and constants take beside .data, .bss and the
 * stack, and the SRAM2 window the code placed there takes, each against the
 * board's capacity. Calls between the code region and SRAM are beyond a BL's
 * +-16 MB reach, so the linker adds an 8-byte long-branch veneer per callee
 * outside the caller's region; the check counts 8 bytes per undefined
 * symbol of each placed code object (a bound: some are data references).
 */
import type { BoardProfile } from '../../emulator/board.js';
import { parseElf } from '../../emulator/elf.js';
import { STACK_RESERVE } from '../../emulator/machine.js';
import { memoryOf } from '../../emulator/memory-map.js';
import { SimDseError } from '../../util/errors.js';
import type { CompiledObject } from '../compile/compile.js';
import { LIBRARY_UNIT, homesOf, type Placement } from './placement.js';

/** Bytes of a Thumb-2 long-branch veneer (LDR.W pc, [pc, #0] and the target word). */
export const VENEER_BYTES = 8;

/** Section sizes of one object, by kind, each section rounded up to a word. */
export interface ObjectFootprint {
  readonly text: number;
  readonly rodata: number;
  readonly data: number;
  readonly bss: number;
  /** Undefined global symbols (functions it calls elsewhere and data it refers to). */
  readonly undefinedSymbols: number;
  /** Bytes of each overlay page (section `.ovpage<i>`, pages.ts), in page order; empty when not paged. */
  readonly pages: readonly number[];
}

const ALLOC = 2;
const align4 = (n: number): number => (n + 3) & ~3;

/** The footprint of a relocatable object. */
export function objectFootprint(object: CompiledObject): ObjectFootprint {
  const image = parseElf(object.object, object.name.replace(/\.c$/, '.o'));
  let text = 0;
  let rodata = 0;
  let data = 0;
  let bss = 0;
  const pages: number[] = [];
  for (const s of image.sections) {
    if ((s.flags & ALLOC) === 0 || s.size === 0) continue;
    const n = align4(s.size);
    const page = /^\.ovpage(\d+)$/.exec(s.name);
    if (page) pages[Number(page[1])] = (pages[Number(page[1])] ?? 0) + n;
    else if (s.name === '.text' || s.name.startsWith('.text.')) text += n;
    else if (s.name === '.rodata' || s.name.startsWith('.rodata.')) rodata += n;
    else if (s.type === 'nobits') bss += n;
    else data += n;
  }
  let undefinedSymbols = 0;
  for (const sym of image.symbols.values()) if (sym.bind === 'global' && sym.type === 'notype' && sym.value === 0 && sym.size === 0) undefinedSymbols++;
  return { text, rodata, data, bss, undefinedSymbols, pages: Array.from(pages, (n) => n ?? 0) };
}

/** The unit an object belongs to (`layer_N` or the library), or null for the runtime's own units. */
export function unitOfObject(name: string): string | null {
  const stem = name.replace(/\.[co]$/, '');
  if (/^layer_\d+$/.test(stem)) return stem;
  if (/^snn_/.test(stem)) return LIBRARY_UNIT;
  return null;
}

/** What a placement needs from the SRAM and the SRAM window. */
export interface PlacementNeeds {
  /** .data + .bss of every object. */
  readonly dataBss: number;
  /** The stack: its bound, at least what the emulator's call harness keeps free. */
  readonly stack: number;
  /** The input and output buffers of an inference (passed to sim_infer). */
  readonly buffers: number;
  /** Code placed in SRAM, with its veneers. */
  readonly sramCode: number;
  /** Constants placed in SRAM. */
  readonly sramData: number;
  /** Code placed in the SRAM window, with its veneers: what stays there, plus the largest overlay. */
  readonly aliasCode: number;
}

/** Alignment of each overlay's end (the loader copies 32-byte blocks). */
export const OVERLAY_ALIGN = 32;

/** Bytes a unit's code takes where it is placed: its objects' text (pages included) and one veneer per undefined symbol. */
export function placedCodeBytes(footprints: readonly ObjectFootprint[]): number {
  return footprints.reduce((s, f) => s + f.text + sumOf(f.pages) + VENEER_BYTES * f.undefinedSymbols, 0);
}

const sumOf = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
const ceilOverlay = (n: number): number => Math.ceil(n / OVERLAY_ALIGN) * OVERLAY_ALIGN;

/**
 * Bytes of the overlay region a unit placed `overlay` needs: its largest page when its code is paged
 * (the rest of its code stays in flash), else all its code; a 32-byte multiple.
 */
export function overlayRegionBytes(footprints: readonly ObjectFootprint[]): number {
  const pages = footprints.flatMap((f) => f.pages);
  return ceilOverlay(pages.length > 0 ? Math.max(...pages) : placedCodeBytes(footprints));
}

/** The needs of `placement` for these objects, stack bound and inference buffers. */
export function placementNeeds(objects: readonly CompiledObject[], placement: Placement, stackBytes: number, buffers: number): PlacementNeeds {
  const stack = Math.max(stackBytes, STACK_RESERVE);
  let dataBss = 0;
  let sramCode = 0;
  let sramData = 0;
  let aliasCode = 0;
  const overlays = new Map<string, ObjectFootprint[]>();
  for (const o of objects) {
    const f = objectFootprint(o);
    dataBss += f.data + f.bss;
    const unit = unitOfObject(o.name);
    if (unit === null) continue;
    const h = homesOf(placement, unit);
    if (h.code === 'sram') sramCode += placedCodeBytes([f]);
    if (h.code === 'alias') aliasCode += placedCodeBytes([f]);
    if (h.code === 'overlay') overlays.set(unit, [...(overlays.get(unit) ?? []), f]);
    if (h.data === 'sram') sramData += f.rodata;
  }
  const largest = Math.max(0, ...[...overlays.values()].map(overlayRegionBytes));
  // the overlay region starts 32-byte aligned after the code that stays
  if (largest > 0) aliasCode = Math.ceil(aliasCode / OVERLAY_ALIGN) * OVERLAY_ALIGN + largest;
  return { dataBss, stack, buffers, sramCode, sramData, aliasCode };
}

/** SRAM capacities a placement is checked against. */
export interface PlacementCapacity {
  /** Bytes for .data + .bss + placed code and constants + stack. */
  readonly sram: number;
  /** Bytes of the SRAM window (0 without one). */
  readonly alias: number;
}

/**
 * Capacities of `board`: the whole SRAM, except that when the SRAM window is
 * used its bank is not available to the rest (the two views are one memory).
 */
export function placementCapacity(board: BoardProfile, usesAlias: boolean): PlacementCapacity {
  const { sram, codeSram } = memoryOf(board);
  if (codeSram === null) return { sram: sram.size, alias: 0 };
  return { sram: usesAlias ? sram.size - codeSram.size : sram.size, alias: codeSram.size };
}

/**
 * Refuses a placement that does not fit, before anything is linked.
 * @throws SimDseError (kind `placement`), one line naming the bytes over.
 */
export function checkPlacementFits(board: BoardProfile, needs: PlacementNeeds): void {
  const cap = placementCapacity(board, needs.aliasCode > 0);
  if (needs.aliasCode > 0 && cap.alias === 0) {
    throw new SimDseError('placement', `${board.id} has no SRAM window in the code region: code cannot be placed at 'alias' or 'overlay'`, { board: board.id });
  }
  const sram = needs.dataBss + needs.stack + needs.buffers + needs.sramCode + needs.sramData;
  if (sram > cap.sram) {
    throw new SimDseError(
      'placement',
      `placement does not fit ${board.id}'s SRAM: ${sram - cap.sram} bytes over (needs ${sram}: data+bss ${needs.dataBss}, stack ${needs.stack}, buffers ${needs.buffers}, ` +
        `placed code ${needs.sramCode}, placed constants ${needs.sramData}; has ${cap.sram})`,
      { board: board.id, bytesOver: sram - cap.sram },
    );
  }
  if (needs.aliasCode > cap.alias) {
    throw new SimDseError(
      'placement',
      `placement does not fit ${board.id}'s SRAM window: ${needs.aliasCode - cap.alias} bytes over (placed code ${needs.aliasCode}, has ${cap.alias})`,
      { board: board.id, bytesOver: needs.aliasCode - cap.alias },
    );
  }
}

const MB = 1024 * 1024;

/**
 * The board with room for any placement (64 MB of SRAM, a 16 MB SRAM window
 * when it has one) and otherwise the same timing: the measurement images.
 */
export function withRoomToPlace(board: BoardProfile): BoardProfile {
  return {
    ...board,
    regions: board.regions.map((r) => {
      if (r.kind !== 'sram') return r;
      return { ...r, size: r.bus === 'code' ? 16 * MB : 64 * MB };
    }),
  };
}
