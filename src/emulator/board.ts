/**
 * Board profiles: the memory map and memory-system parameters of a Nucleo
 * board, as data. The cycle model reads only these numbers; nothing in the
 * emulator special-cases a board by name.
 */

/**
 * The Cortex-M4 bus that serves an address (Cortex-M4 TRM r0p1, DDI 0439,
 * section 2.3.1, "Bus interfaces"): instruction fetches and data accesses to
 * the code region 0x0000_0000-0x1FFF_FFFF go over I-Code and D-Code (a
 * Harvard pair: fetch and data in the same cycle); everything at
 * 0x2000_0000 and up over the one System bus (S-bus), shared by fetches and
 * data, data first.
 */
export type Bus = 'code' | 'system';

/** A bank of a memory region (a separately clocked SRAM block), for documentation and placement. */
export interface MemoryBank {
  readonly name: string;
  readonly base: number;
  readonly size: number;
}

/** A contiguous memory region of the board. */
export interface MemoryRegion {
  readonly name: string;
  readonly kind: 'flash' | 'sram' | 'ccm' | 'peripheral';
  readonly base: number;
  readonly size: number;
  /** The bus serving fetches and data accesses in this region (by address, TRM 2.3.1). */
  readonly bus: Bus;
  /** The banks the region is made of (absent: one bank). */
  readonly banks?: readonly MemoryBank[];
  /**
   * For an alias window: the address at which the same bytes appear in
   * another region (e.g. STM32L4R5 SRAM2 at 0x1000_0000 is SRAM2 at
   * 0x2003_0000). The emulator maps the window as its own memory; the
   * placement linker script keeps the two views from holding different data.
   */
  readonly aliasOf?: number;
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
