/**
 * Linker scripts for images that run in the emulator: code and constants in
 * flash, .data loaded directly at its SRAM address (the emulator's loader
 * writes every PT_LOAD segment where it belongs; there is no startup code).
 */
import type { BoardProfile } from '../../emulator/board.js';
import { memoryOf } from '../../emulator/memory-map.js';

/** Linker script of an emulator image for `board`. */
export function emulatorLinkScript(board: BoardProfile): string {
  const { flash, sram } = memoryOf(board);
  const hex = (x: number): string => `0x${x.toString(16)}`;
  return `/* sim-dse emulator image for ${board.id} */
MEMORY
{
  FLASH (rx)  : ORIGIN = ${hex(flash.base)}, LENGTH = ${hex(flash.size)}
  SRAM  (rwx) : ORIGIN = ${hex(sram.base)}, LENGTH = ${hex(sram.size)}
}
SECTIONS
{
  .text : ALIGN(4)
  {
    *(.text .text.*)
    *(.rodata .rodata.*)
    . = ALIGN(4);
  } > FLASH
  .data : ALIGN(4)
  {
    *(.data .data.*)
    . = ALIGN(4);
  } > SRAM
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
