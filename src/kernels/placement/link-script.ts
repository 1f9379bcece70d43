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
}

/** Output section of an overlaid unit's code; its load image is `__load_start_ov_<unit>` .. `__load_stop_ov_<unit>` (ld drops the dot). */
export function overlaySection(unit: string): string {
  return `.ov_${unit}`;
}

/** `MAX(a, MAX(b, ...))` of the overlays' sizes. */
function largestOf(sections: readonly string[]): string {
  return sections.map((s) => `SIZEOF(${s})`).reduceRight((acc, x) => `MAX(${x}, ${acc})`);
}

/** The OVERLAY statement of the overlaid units (sorted) and the region's symbols; '' when none. */
function overlayStatements(units: readonly string[]): string {
  if (units.length === 0) return '';
  const sections = units.map(overlaySection);
  const body = units.map((u, k) => `    ${sections[k]} { ${unitObjects(u)}(${TEXT}) . = ALIGN(${OVERLAY_ALIGN}); }\n`).join('');
  return `  . = ALIGN(${OVERLAY_ALIGN});
  OVERLAY : NOCROSSREFS
  {
${body}  } > CODESRAM AT> FLASH
  ${OVERLAY_SYMBOLS.lo} = ADDR(${sections[0]});
  ${OVERLAY_SYMBOLS.hi} = ${OVERLAY_SYMBOLS.lo} + ${largestOf(sections)};
`;
}

const TEXT = '.text .text.*';
const RODATA = '.rodata .rodata.*';

/** The input-section statements of `placement` (statement lines, indented by 4). */
export function placedInputs(placement: Placement): PlacedInputs {
  const home = (u: string): ReturnType<typeof homesOf> => homesOf(placement, u);
  const codeSramFiles = select(placement, (u) => home(u).code === 'sram');
  const codeAliasFiles = select(placement, (u) => home(u).code === 'alias');
  const overlaid = [...placement.keys()].filter((u) => home(u).code === 'overlay').sort();
  const dataSramFiles = select(placement, (u) => home(u).data === 'sram');
  return {
    flashText: allBut([...codeSramFiles, ...codeAliasFiles, ...overlaid.map(unitObjects)], TEXT) + allBut(dataSramFiles, RODATA),
    sram: inputs(codeSramFiles, TEXT) + inputs(dataSramFiles, RODATA),
    alias: inputs(codeAliasFiles, TEXT),
    overlays: overlayStatements(overlaid),
    usesAlias: codeAliasFiles.length + overlaid.length > 0,
  };
}

/**
 * Linker script of an emulator image of `board` with `placement`.
 * @throws SimDseError (kind `placement`) when code is placed in the SRAM window and the board has none.
 */
export function placedLinkScript(board: BoardProfile, placement: Placement): string {
  const { flash, sram, codeSram } = memoryOf(board);
  const placed = placedInputs(placement);
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
${alias}  .data : ALIGN(4)
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
