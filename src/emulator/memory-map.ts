/**
 * The memory map of a board as the rest of sim-dse needs it: the flash that
 * holds code and constants, the SRAM that holds data and the stack, and the
 * SRAM window the core fetches over I-Code (when the part has one). One
 * look-up, one failure mode, for every caller.
 */
import type { BoardProfile, Bus, MemoryRegion } from './board.js';
import { SimDseError } from '../util/errors.js';

/** A board's memories by role. */
export interface BoardMemory {
  /** The first flash region: code, constants, initial values. */
  readonly flash: MemoryRegion;
  /** The main SRAM (System bus): .data, .bss, the stack, SRAM-placed code and data. */
  readonly sram: MemoryRegion;
  /** An SRAM window in the code region (fetched over I-Code at zero wait states), or null. */
  readonly codeSram: MemoryRegion | null;
}

/**
 * The memories of `board` by role.
 * @throws SimDseError (kind `board`) when the board lacks a flash or a System-bus SRAM region.
 */
export function memoryOf(board: BoardProfile): BoardMemory {
  const flash = board.regions.find((r) => r.kind === 'flash');
  const sram = board.regions.find((r) => r.kind === 'sram' && r.bus === 'system');
  if (!flash || !sram) throw new SimDseError('board', `board '${board.id}' needs a flash and an sram region`, { board: board.id });
  const codeSram = board.regions.find((r) => r.kind === 'sram' && r.bus === 'code') ?? null;
  return { flash, sram, codeSram };
}

/** The bus serving `address` (Cortex-M4 TRM 2.3.1): the code region below 0x2000_0000, the System bus above. */
export function busOf(address: number): Bus {
  return address >>> 0 < 0x2000_0000 ? 'code' : 'system';
}
