/**
 * The board profiles sim-dse knows, as one data table, and the look-up by id.
 *
 * Every number comes from the part's reference manual (RM) or datasheet (DS);
 * each row names its sources. Flash is always at 0x08000000 and SRAM at
 * 0x20000000; every board also maps the peripheral region
 * (0x40000000..0x60000000) and the Cortex-M system region
 * (0xE0000000..0xE0100000) so that stray accesses to them read as device
 * memory instead of faulting.
 */
import type { BoardProfile, MemoryBank, MemoryRegion } from './board.js';
import { SimDseError } from '../util/errors.js';

const KB = 1024;
const MB = 1024 * 1024;

/** Flash base address on every STM32 (RM memory map). */
const FLASH_BASE = 0x0800_0000;
/** SRAM base address on every STM32 (RM memory map). */
const SRAM_BASE = 0x2000_0000;

/** The two regions every board shares: APB/AHB peripherals and the Cortex-M system region. */
const COMMON_REGIONS: readonly MemoryRegion[] = [
  { name: 'peripherals', kind: 'peripheral', base: 0x4000_0000, size: 0x2000_0000, bus: 'system' },
  { name: 'system', kind: 'peripheral', base: 0xe000_0000, size: 0x0010_0000, bus: 'system' },
];

/** Flash region at 0x08000000 of the given size. */
function flash(size: number): MemoryRegion {
  return { name: 'flash', kind: 'flash', base: FLASH_BASE, size, bus: 'code' };
}

/** SRAM region at 0x20000000 (System bus), optionally with its banks. */
function sram(size: number, banks?: readonly MemoryBank[], name = 'sram'): MemoryRegion {
  return { name, kind: 'sram', base: SRAM_BASE, size, bus: 'system', ...(banks ? { banks } : {}) };
}

/** A bank of `size` bytes at `base`. */
function bank(name: string, base: number, size: number): MemoryBank {
  return { name, base, size };
}

const BOARDS: readonly BoardProfile[] = [
  // STM32F446RE: DS10693 (512 KB flash, 128 KB SRAM = SRAM1 112 KB + SRAM2 16 KB, contiguous
  // at 0x20000000, 180 MHz; RM0390 section 2.3: SRAM1 can be remapped to 0x00000000 by
  // SYSCFG_MEMRMP MEM_MODE = 11, where the core fetches it over I-Code/D-Code: not modelled, the
  // images boot from flash and place code only at 0x20000000, System bus); RM0390 section 3.4 (5 wait states at 150-180 MHz, 2.7-3.6 V;
  // 128-bit flash read; ART: 64 I-cache lines of 128 bits, 8 D-cache lines of 128 bits, prefetch).
  {
    id: 'nucleo-f446re',
    mcu: 'STM32F446RE',
    description: 'NUCLEO-F446RE: STM32F446RE, Cortex-M4F at 180 MHz, 512 KB flash, 128 KB SRAM',
    clockHz: 180_000_000,
    flashWaitStates: 5,
    flashLineBytes: 16,
    accelerator: { family: 'f4', icacheLines: 64, dcacheLines: 8, prefetch: true },
    regions: [flash(512 * KB), sram(128 * KB, [bank('sram1', SRAM_BASE, 112 * KB), bank('sram2', SRAM_BASE + 112 * KB, 16 * KB)]), ...COMMON_REGIONS],
  },
  // STM32F401RE: DS10086 (512 KB flash, 96 KB SRAM at 0x20000000, 84 MHz); RM0368 section 3.4
  // (2 wait states at 60-84 MHz, 2.7-3.6 V; 128-bit flash read; ART: 64 x 128-bit I-cache lines,
  // 8 x 128-bit D-cache lines, prefetch).
  {
    id: 'nucleo-f401re',
    mcu: 'STM32F401RE',
    description: 'NUCLEO-F401RE: STM32F401RE, Cortex-M4F at 84 MHz, 512 KB flash, 96 KB SRAM',
    clockHz: 84_000_000,
    flashWaitStates: 2,
    flashLineBytes: 16,
    accelerator: { family: 'f4', icacheLines: 64, dcacheLines: 8, prefetch: true },
    regions: [flash(512 * KB), sram(96 * KB), ...COMMON_REGIONS],
  },
  // STM32L4R5ZI: DS12023 (2 MB flash; 640 KB SRAM = SRAM1 192 KB + SRAM2 64 KB + SRAM3 384 KB,
  // contiguous from 0x20000000; 120 MHz in Range 1 boost mode); RM0432 section 3.3 (5 wait states
  // at 120 MHz; 64-bit flash read in dual-bank mode, the default; ART: instruction cache of
  // 32 lines of 4 x 64 bits = 1 KB, data cache of 8 lines of 4 x 64 bits = 256 B, prefetch).
  // BoardProfile counts cache lines of flashLineBytes (8 B), so the 1 KB I-cache is 128 lines and
  // the 256 B D-cache 32 lines: the capacity is exact, the 32-byte refill granule is not modelled.
  // RM0432 section 2.2.1 and table 3 (memory map): SRAM2 (64 KB at 0x20030000) is also
  // accessible at 0x10000000, in the code region, where the core fetches it over I-Code/D-Code
  // at zero wait states (RM0432 2.2.1: "SRAM2 ... accessible by the I-Code/D-Code bus").
  {
    id: 'nucleo-l4r5zi',
    mcu: 'STM32L4R5ZI',
    description: 'NUCLEO-L4R5ZI: STM32L4R5ZI, Cortex-M4F at 120 MHz, 2 MB flash, 640 KB SRAM',
    clockHz: 120_000_000,
    flashWaitStates: 5,
    flashLineBytes: 8,
    accelerator: { family: 'l4', icacheLines: 128, dcacheLines: 32, prefetch: true },
    regions: [
      flash(2 * MB),
      sram(640 * KB, [bank('sram1', SRAM_BASE, 192 * KB), bank('sram2', SRAM_BASE + 192 * KB, 64 * KB), bank('sram3', SRAM_BASE + 256 * KB, 384 * KB)]),
      { name: 'sram2-code', kind: 'sram', base: 0x1000_0000, size: 64 * KB, bus: 'code', aliasOf: SRAM_BASE + 192 * KB },
      ...COMMON_REGIONS,
    ],
  },
  // STM32L476RG: DS10198 (1 MB flash; SRAM1 96 KB at 0x20000000, SRAM2 32 KB at 0x10000000 and
  // aliased at 0x20018000; 80 MHz); RM0351 section 3.3 (4 wait states at 80 MHz in Range 1;
  // 64-bit flash read; ART: 32 lines of 4 x 64 bits I-cache = 1 KB, 8 lines of 4 x 64 bits
  // D-cache = 256 B, prefetch). Regions cannot alias, so SRAM2 is mapped once, at its alias
  // 0x20018000 right after SRAM1; the I-cache/D-cache are counted in 8-byte lines as on L4R5.
  {
    id: 'nucleo-l476rg',
    mcu: 'STM32L476RG',
    description: 'NUCLEO-L476RG: STM32L476RG, Cortex-M4F at 80 MHz, 1 MB flash, 96 KB SRAM1 + 32 KB SRAM2',
    clockHz: 80_000_000,
    flashWaitStates: 4,
    flashLineBytes: 8,
    accelerator: { family: 'l4', icacheLines: 128, dcacheLines: 32, prefetch: true },
    regions: [
      flash(1 * MB),
      sram(96 * KB, undefined, 'sram1'),
      { name: 'sram2', kind: 'sram', base: SRAM_BASE + 96 * KB, size: 32 * KB, bus: 'system' },
      ...COMMON_REGIONS,
    ],
  },
  // Not a real part: a Cortex-M4 with zero-wait-state memory and no accelerator, the core timing
  // of the ARM Cortex-M4 TRM (DDI 0439) alone. Used to separate core cycles from memory stalls.
  {
    id: 'ideal',
    mcu: 'Cortex-M4',
    // 2 MB of flash (the largest part here, nucleo-l4r5zi's): the exact unpacked models fit on the board that times them
    description: 'Ideal Cortex-M4 at 100 MHz: zero wait states, 2 MB flash, 1 MB SRAM, no flash accelerator',
    clockHz: 100_000_000,
    flashWaitStates: 0,
    flashLineBytes: 16,
    accelerator: { family: 'none', icacheLines: 0, dcacheLines: 0, prefetch: false },
    regions: [flash(2 * MB), sram(1 * MB), ...COMMON_REGIONS],
  },
];

/** Every board profile, in a fixed order (the order `--help` and reports list them). */
export function listBoards(): readonly BoardProfile[] {
  return BOARDS;
}

/**
 * The profile of board `id`.
 * @throws SimDseError (kind `board`) when no board has that id.
 */
export function getBoard(id: string): BoardProfile {
  const board = BOARDS.find((b) => b.id === id);
  if (board === undefined) {
    throw new SimDseError('board', `unknown board '${id}' (known: ${BOARDS.map((b) => b.id).join(', ')})`, { board: id });
  }
  return board;
}
