/**
 * The emulator linker script of a placed image: sections are selected by
 * object file name, so placement needs nothing from the kernels but their
 * unit names. Code and constants placed in SRAM go into `.data` (loaded from
 * flash and copied to SRAM by start-up code like any initialised data; the
 * emulator's loader writes them at their run address directly); code placed
 * in the SRAM2 window goes into `.code_sram`, run at 0x1000_0000, loaded
 * from flash; each overlaid unit's code into its own section of an OVERLAY
 * right after it (one run address, consecutive load addresses in flash),
 * which the network's loader copies before the layer runs. Everything else is
 * laid out as in the unplaced script.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { memoryOf } from '../../emulator/memory-map.js';
import { OVERLAY_SYMBOLS } from '../../emulator/overlay.js';
import { SimDseError } from '../../util/errors.js';
import { OVERLAY_ALIGN } from './fit.js';
import { LIBRARY_UNIT, homesOf, type Placement } from './placement.js';
import { PAGE_SECTIONS, pageLoadSymbols, pageOverlaySection, pageSection } from './pages.js';

/** Input-file patterns of a unit's object(s) in a link (objects are linked as `<stem>.o`). */
export function unitObjects(unit: string): string {
  return unit === LIBRARY_UNIT ? '*snn_*.o' : `*${unit}.o`;
}

/** The file patterns of the units whose code (or data) is at `home`. */
function select(placement: Placement, pick: (u: string) => boolean): string[] {
  return [...placement.keys()].filter(pick).sort().map(unitObjects);
}

const hex = (x: number): string => `0x${x.toString(16)}`;

/** Sections of the listed files: `f1(.text .text.*) f2(...)`, one line each. */
function inputs(files: readonly string[], sections: string): string {
  return files.map((f) => `    ${f}(${sections})\n`).join('');
}

/** A statement taking `sections` from every file except `excluded`. */
function allBut(excluded: readonly string[], sections: string): string {
  return excluded.length ? `    EXCLUDE_FILE(${excluded.join(' ')}) *(${sections})\n` : `    *(${sections})\n`;
}

/** The input-section statements of a placement, for any linker script that lays out the same sections. */
export interface PlacedInputs {
  /** In the flash `.text` output section: code and constants of every unit left in flash. */
  readonly flashText: string;
  /** In `.data` (SRAM, loaded from flash): the code and constants placed in SRAM. */
  readonly sram: string;
  /** In `.code_sram` (the SRAM window, loaded from flash): the code placed there. */
  readonly alias: string;
  /** Statements after `.code_sram` (an OVERLAY of the overlaid units and the region's symbols), or ''. */
  readonly overlays: string;
  /** Whether any code is placed in the window (to stay or as an overlay). */
  readonly usesAlias: boolean;
  /** Symbol assignments for pages that are not overlays (their loads copy nothing), or ''. */
  readonly emptyPages: string;
}

/** Output section of an overlaid unit's code; its load image is `__load_start_ov_<unit>` .. `__load_stop_ov_<unit>` (ld drops the dot). */
export function overlaySection(unit: string): string {
  return `.ov_${unit}`;
}

/** `MAX(a, MAX(b, ...))` of the overlays' sizes. */
function largestOf(sections: readonly string[]): string {
  return sections.map((s) => `SIZEOF(${s})`).reduceRight((acc, x) => `MAX(${x}, ${acc})`);
}

/** One overlay of an OVERLAY statement: its output section and the input sections it takes. */
interface OverlayPart {
  readonly section: string;
  readonly inputs: string;
}

/** The overlays of `unit`: its whole code, or each of its `pages` (pages.ts). */
function overlayParts(unit: string, pages: number): OverlayPart[] {
  if (pages === 0) return [{ section: overlaySection(unit), inputs: `${unitObjects(unit)}(${TEXT})` }];
  return Array.from({ length: pages }, (_, i) => ({ section: pageOverlaySection(unit, i), inputs: `${unitObjects(unit)}(${pageSection(i)})` }));
}

/** The OVERLAY statement of the overlaid units (sorted) and the region's symbols; '' when none. */
function overlayStatements(units: readonly string[], pages: ReadonlyMap<string, number>): string {
  if (units.length === 0) return '';
  const parts = units.flatMap((u) => overlayParts(u, pages.get(u) ?? 0));
  const sections = parts.map((p) => p.section);
  const body = parts.map((p) => `    ${p.section} { ${p.inputs} . = ALIGN(${OVERLAY_ALIGN}); }\n`).join('');
  return `  . = ALIGN(${OVERLAY_ALIGN});
  OVERLAY : NOCROSSREFS
  {
${body}  } > CODESRAM AT> FLASH
  ${OVERLAY_SYMBOLS.lo} = ADDR(${sections[0]});
  ${OVERLAY_SYMBOLS.hi} = ${OVERLAY_SYMBOLS.lo} + ${largestOf(sections)};
`;
}

const TEXT = '.text .text.*';
/** Code of a unit wherever it is not an overlay: its pages, if any, go with the rest. */
const ALL_CODE = `${TEXT} ${PAGE_SECTIONS}`;
const RODATA = '.rodata .rodata.*';

/**
 * The input-section statements of `placement` (statement lines, indented by 4). `pages` names the
 * units whose code is cut into overlay pages (pages.ts) with their counts: placed `overlay`, each page
 * is an overlay and the rest of the unit's code stays in flash; placed anywhere else, the pages go
 * with the rest and their load symbols are empty.
 */
export function placedInputs(placement: Placement, pages: ReadonlyMap<string, number> = new Map()): PlacedInputs {
  const home = (u: string): ReturnType<typeof homesOf> => homesOf(placement, u);
  const codeSramFiles = select(placement, (u) => home(u).code === 'sram');
  const codeAliasFiles = select(placement, (u) => home(u).code === 'alias');
  const overlaid = [...placement.keys()].filter((u) => home(u).code === 'overlay').sort();
  const pagedOverlays = overlaid.filter((u) => pages.has(u));
  const dataSramFiles = select(placement, (u) => home(u).data === 'sram');
  const unpaged = [...pages.keys()].filter((u) => home(u).code !== 'overlay').sort();
  return {
    flashText:
      allBut([...codeSramFiles, ...codeAliasFiles, ...overlaid.map(unitObjects)], ALL_CODE) + inputs(pagedOverlays.map(unitObjects), TEXT) + allBut(dataSramFiles, RODATA),
    sram: inputs(codeSramFiles, ALL_CODE) + inputs(dataSramFiles, RODATA),
    alias: inputs(codeAliasFiles, ALL_CODE),
    overlays: overlayStatements(overlaid, pages),
    usesAlias: codeAliasFiles.length + overlaid.length > 0,
    emptyPages: emptyPageSymbols(unpaged, pages, overlaid.length === 0),
  };
}

/** `name = 0;` lines for the load images of `units`' pages (and the region, when `withRegion`), indented by 2. */
export function emptyPageSymbols(units: readonly string[], pages: ReadonlyMap<string, number>, withRegion: boolean): string {
  if (units.length === 0) return '';
  const names = units.flatMap((u) => Array.from({ length: pages.get(u) ?? 0 }, (_, i) => pageLoadSymbols(u, i)).flatMap((s) => [s.start, s.stop]));
  return [...(withRegion ? [OVERLAY_SYMBOLS.lo] : []), ...names].map((n) => `  ${n} = 0;\n`).join('');
}

/**
 * Linker script of an emulator image of `board` with `placement`.
 * @throws SimDseError (kind `placement`) when code is placed in the SRAM window and the board has none.
 */
export function placedLinkScript(board: BoardProfile, placement: Placement, pages: ReadonlyMap<string, number> = new Map()): string {
  const { flash, sram, codeSram } = memoryOf(board);
  const placed = placedInputs(placement, pages);
  if (placed.usesAlias && codeSram === null) {
    throw new SimDseError('placement', `${board.id} has no SRAM window in the code region: code cannot be placed at 'alias' or 'overlay'`, { board: board.id });
  }
  const alias =
    codeSram === null
      ? ''
      : `  .code_sram : ALIGN(4)
  {
${placed.alias}    . = ALIGN(4);
  } > CODESRAM AT> FLASH
${placed.overlays}`;
  return `/* sim-dse emulator image for ${board.id}, placed */
MEMORY
{
  FLASH (rx)  : ORIGIN = ${hex(flash.base)}, LENGTH = ${hex(flash.size)}
  SRAM  (rwx) : ORIGIN = ${hex(sram.base)}, LENGTH = ${hex(sram.size)}
${codeSram ? `  CODESRAM (rwx) : ORIGIN = ${hex(codeSram.base)}, LENGTH = ${hex(codeSram.size)}\n` : ''}}
SECTIONS
{
  .text : ALIGN(4)
  {
${placed.flashText}    . = ALIGN(4);
  } > FLASH
${alias}${placed.emptyPages}  .data : ALIGN(4)
  {
${placed.sram}    *(.data .data.*)
    . = ALIGN(4);
  } > SRAM AT> FLASH
  .bss (NOLOAD) : ALIGN(4)
  {
    *(.bss .bss.*)
    *(COMMON)
    . = ALIGN(4);
  } > SRAM
  /DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) }
}
`;
}
