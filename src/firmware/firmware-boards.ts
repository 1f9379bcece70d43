/**
 * The boards sim-dse exports firmware for, as data: which board-support C
 * file drives them, where their console goes, and how to flash them; plus
 * the QEMU machine the functional check runs on.
 */
import type { BoardProfile } from '../emulator/board.js';
import { getBoard } from '../emulator/boards.js';
import { UsageError } from '../util/errors.js';

/** A board firmware can be exported for. */
export interface FirmwareBoard {
  /** The emulator's board profile (clock, wait states, memory). */
  readonly profile: BoardProfile;
  /** Board-support C file in src/firmware/c/. */
  readonly boardSource: 'board_stm32f4.c' | 'board_stm32l4.c';
  /** Where the SIMDSE lines go, in words. */
  readonly console: string;
  /** Clock set-up, in words. */
  readonly clock: string;
  /** OpenOCD target configuration. */
  readonly openocdTarget: string;
  /** pyOCD target name. */
  readonly pyocdTarget: string;
}

/** The QEMU machine of the functional check: netduinoplus2, an STM32F405RG (RM0090). */
export const QEMU_MACHINE = {
  name: 'netduinoplus2',
  mcu: 'STM32F405RG',
  flash: { base: 0x0800_0000, size: 1024 * 1024 },
  sram: { base: 0x2000_0000, size: 128 * 1024 },
  /** Board support compiled into the QEMU image (the F405 is an F4: the F446's file, built with -DSIMDSE_QEMU). */
  boardSource: 'board_stm32f4.c',
  /** USART2 is QEMU's second serial port (USART1 is the first). */
  args: ['-M', 'netduinoplus2', '-display', 'none', '-monitor', 'none', '-serial', 'null', '-serial', 'stdio', '-semihosting-config', 'enable=on,target=native'],
} as const;

const BOARDS: Record<string, Omit<FirmwareBoard, 'profile'>> = {
  'nucleo-f446re': {
    boardSource: 'board_stm32f4.c',
    console: 'USART2 on PA2 (TX) / PA3 (RX), the ST-LINK virtual COM port, 115200 8N1',
    clock: 'HSI 16 MHz -> PLL 180 MHz with over-drive, 5 flash wait states, ART prefetch + instruction and data caches; APB1 45 MHz',
    openocdTarget: 'target/stm32f4x.cfg',
    pyocdTarget: 'stm32f446retx',
  },
  'nucleo-l4r5zi': {
    boardSource: 'board_stm32l4.c',
    console: 'LPUART1 on PG7 (TX) / PG8 (RX), the ST-LINK virtual COM port of this Nucleo-144 board, 115200 8N1',
    clock: 'HSI16 -> PLL 120 MHz in Range 1 boost mode, 5 flash wait states, ART prefetch + instruction and data caches; APB1 120 MHz',
    openocdTarget: 'target/stm32l4x.cfg',
    pyocdTarget: 'stm32l4r5zitx',
  },
};

/** Board ids firmware can be exported for. */
export const FIRMWARE_BOARD_IDS: readonly string[] = Object.keys(BOARDS);

/** The firmware board of a resolved profile, or null when sim-dse exports no firmware for it. */
export function firmwareBoardOf(profile: BoardProfile): FirmwareBoard | null {
  const entry = BOARDS[profile.id];
  return entry ? { ...entry, profile } : null;
}

/**
 * The firmware board `id` (resolved at the edge: the CLI, a manifest read from disk, a worker's entry).
 * @throws UsageError for a board sim-dse cannot export firmware for
 */
export function getFirmwareBoard(id: string): FirmwareBoard {
  const entry = BOARDS[id];
  if (!entry) throw new UsageError(`cannot export firmware for board '${id}' (supported: ${FIRMWARE_BOARD_IDS.join(', ')})`);
  return { ...entry, profile: getBoard(id) };
}
