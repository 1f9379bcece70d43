/**
 * Runs an exported firmware in sim-dse's emulator, from reset, on its
 * board's profile: the clock set-up's ready flags read as set, DWT CYCCNT
 * reads the cycle model's count, and the UART text is captured, so the
 * output is the lines the board would print (with predicted cycles).
 */
import { readFileSync } from 'node:fs';
import type { BoardProfile } from '../emulator/board.js';
import { type ElfImage, parseElf } from '../emulator/elf.js';
import type { FirmwareResult } from '../emulator/firmware-types.js';
import { Machine } from '../emulator/machine.js';
import { FileError } from '../util/errors.js';

/** Instructions an emulated firmware may run (a ResNet-8 inference is a few million; ten images and the warm-up fit). */
export const FIRMWARE_MAX_INSTRUCTIONS = 2e9;

/** Emulates the firmware ELF at `path` on `board`. */
export function emulateFirmware(path: string, board: BoardProfile, maxInstructions = FIRMWARE_MAX_INSTRUCTIONS): FirmwareResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new FileError(`cannot read firmware ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return emulateFirmwareImage(parseElf(bytes, path), board, maxInstructions);
}

/** Emulates a parsed firmware image on `board`, from reset. */
export function emulateFirmwareImage(image: ElfImage, board: BoardProfile, maxInstructions = FIRMWARE_MAX_INSTRUCTIONS): FirmwareResult {
  const machine = new Machine(image, board, image.fileName);
  try {
    return machine.runFirmware({ maxInstructions });
  } finally {
    machine.close();
  }
}
