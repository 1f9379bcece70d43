/**
 * Board profiles: the memory map and memory-system parameters of a Nucleo
 * board, as data. The cycle model reads only these numbers; nothing in the
 * emulator special-cases a board by name.
 */

/** A contiguous memory region of the board. */
export interface MemoryRegion {
  readonly name: string;
  readonly kind: 'flash' | 'sram' | 'ccm' | 'peripheral';
  readonly base: number;
  readonly size: number;
}

/** Flash accelerator (ST "ART") parameters. */
export interface FlashAccelerator {
  /** Which family's ART: they differ in cache geometry. */
  readonly family: 'f4' | 'l4' | 'none';
  /** Instruction cache lines (each `lineBytes` wide). */
  readonly icacheLines: number;
  /** Data cache lines (each `lineBytes` wide), for constant loads from flash. */
  readonly dcacheLines: number;
  /** Prefetch of the next sequential line. */
  readonly prefetch: boolean;
}

/** A board profile. */
export interface BoardProfile {
  /** Identifier used on the command line, e.g. `nucleo-f446re`. */
  readonly id: string;
  /** Microcontroller part number. */
  readonly mcu: string;
  readonly description: string;
  /** Core clock in Hz. */
  readonly clockHz: number;
  /** Flash wait states (a flash read takes waitStates + 1 cycles). */
  readonly flashWaitStates: number;
  /** Width of one flash read (line), in bytes: 16 on F4, 8 on L4. */
  readonly flashLineBytes: number;
  readonly accelerator: FlashAccelerator;
  /** Every region; the first flash region holds code, the first sram region the stack. */
  readonly regions: readonly MemoryRegion[];
}
