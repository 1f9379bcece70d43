/**
 * The peripheral registers the emulator models, as data, per board family.
 *
 * Firmware written for a board (clock set-up, DWT cycle counting, printing
 * over the ST-LINK virtual COM port) runs unmodified in the emulator: the
 * "ready" flags it polls read as set, the cycle counter reads the cycle
 * model's count, and bytes written to a UART data register are captured.
 * Every other address of the peripheral regions is plain memory (reads give
 * what was last written, 0 at the start of a run). Addresses and bit
 * positions come from the reference manuals named on each table.
 */
import type { BoardProfile } from './board.js';

/** How a listed register behaves. */
export type PeripheralKind =
  /** A read returns (last written | readOr) & ~readAndNot, with the optional bit copy applied first. */
  | 'register'
  /** As `register`; a write also appends its low byte to the captured UART output. */
  | 'uart-data'
  /** DWT CYCCNT: a read returns the cycle model's count at the reading instruction (plus what a write set). */
  | 'cycle-counter';

/** A copied bit field: on a read, bits [to, to + width) show the written bits [from, from + width). */
export interface BitCopy {
  readonly from: number;
  readonly to: number;
  readonly width: number;
}

/** One modelled register. */
export interface PeripheralRegister {
  /** Reference-manual name, e.g. `RCC_CR`. */
  readonly name: string;
  /** Absolute address (word aligned). */
  readonly address: number;
  readonly kind: PeripheralKind;
  /** Value before the first write (reset value). */
  readonly reset: number;
  /** Bits that always read as 1 (ready / empty flags). */
  readonly readOr: number;
  /** Bits that always read as 0 (busy flags). */
  readonly readAndNot: number;
  /** Status bits that follow control bits (RCC_CFGR: SWS follows SW). */
  readonly copy?: BitCopy;
}

const bit = (n: number): number => (1 << n) >>> 0;
const reg = (name: string, address: number, more: Partial<Omit<PeripheralRegister, 'name' | 'address'>> = {}): PeripheralRegister => ({
  name,
  address,
  kind: 'register',
  reset: 0,
  readOr: 0,
  readAndNot: 0,
  ...more,
});

/** Cortex-M4 debug registers every board has (ARMv7-M ARM, C1.6 DWT and C1.6.5 DEMCR). */
const CORE: readonly PeripheralRegister[] = [
  reg('DWT_CTRL', 0xe000_1000),
  { ...reg('DWT_CYCCNT', 0xe000_1004), kind: 'cycle-counter' },
  reg('DEMCR', 0xe000_edfc),
];

/** A USART with the F4 register layout (RM0390 section 25.6): SR reads TXE and TC set. */
function usartF4(name: string, base: number): PeripheralRegister[] {
  return [
    reg(`${name}_SR`, base + 0x00, { reset: 0xc0, readOr: bit(7) | bit(6) }),
    { ...reg(`${name}_DR`, base + 0x04), kind: 'uart-data' },
    reg(`${name}_BRR`, base + 0x08),
    reg(`${name}_CR1`, base + 0x0c),
  ];
}

/** A (LP)UART with the L4 register layout (RM0432 sections 48.8 and 49.7): ISR reads TXE, TC, TEACK, REACK set. */
function usartL4(name: string, base: number): PeripheralRegister[] {
  return [
    reg(`${name}_CR1`, base + 0x00),
    reg(`${name}_BRR`, base + 0x0c),
    reg(`${name}_ISR`, base + 0x1c, { reset: 0xc0, readOr: bit(22) | bit(21) | bit(7) | bit(6) }),
    reg(`${name}_ICR`, base + 0x20),
    reg(`${name}_RDR`, base + 0x24),
    { ...reg(`${name}_TDR`, base + 0x28), kind: 'uart-data' },
  ];
}

/**
 * STM32F4 (RM0390 for the F446, RM0368 for the F401; same addresses):
 * RCC at 0x40023800, PWR at 0x40007000, FLASH at 0x40023C00, USART2 (the
 * Nucleo-64 virtual COM port) at 0x40004400.
 */
const STM32F4: readonly PeripheralRegister[] = [
  ...CORE,
  // RCC_CR: HSIRDY 1, HSERDY 17, PLLRDY 25, PLLI2SRDY 27, PLLSAIRDY 29 read as set
  reg('RCC_CR', 0x4002_3800, { reset: 0x0000_0083, readOr: bit(1) | bit(17) | bit(25) | bit(27) | bit(29) }),
  reg('RCC_PLLCFGR', 0x4002_3804, { reset: 0x2400_3010 }),
  // RCC_CFGR: SWS [3:2] follows SW [1:0]
  reg('RCC_CFGR', 0x4002_3808, { copy: { from: 0, to: 2, width: 2 } }),
  reg('RCC_AHB1ENR', 0x4002_3830),
  reg('RCC_APB1ENR', 0x4002_3840),
  reg('RCC_APB2ENR', 0x4002_3844),
  // RCC_BDCR LSERDY 1 and RCC_CSR LSIRDY 1
  reg('RCC_BDCR', 0x4002_3870, { readOr: bit(1) }),
  reg('RCC_CSR', 0x4002_3874, { reset: 0x0e00_0000, readOr: bit(1) }),
  reg('PWR_CR', 0x4000_7000, { reset: 0x0000_c000 }),
  // PWR_CSR: VOSRDY 14, ODRDY 16, ODSWRDY 17 read as set
  reg('PWR_CSR', 0x4000_7004, { readOr: bit(14) | bit(16) | bit(17) }),
  reg('FLASH_ACR', 0x4002_3c00),
  // FLASH_SR: BSY 16 reads as clear
  reg('FLASH_SR', 0x4002_3c0c, { readAndNot: bit(16) }),
  ...usartF4('USART2', 0x4000_4400),
];

/**
 * STM32L4 (RM0432 for the L4R5, RM0351 for the L476; same addresses): RCC at
 * 0x40021000, PWR at 0x40007000, FLASH at 0x40022000, USART2 (Nucleo-64
 * virtual COM port) at 0x40004400, LPUART1 (Nucleo-144 virtual COM port) at 0x40008000.
 */
const STM32L4: readonly PeripheralRegister[] = [
  ...CORE,
  // RCC_CR: MSIRDY 1, HSIRDY 10, HSERDY 17, PLLRDY 25, PLLSAI1RDY 27, PLLSAI2RDY 29 read as set
  reg('RCC_CR', 0x4002_1000, { reset: 0x0000_0063, readOr: bit(1) | bit(10) | bit(17) | bit(25) | bit(27) | bit(29) }),
  reg('RCC_CFGR', 0x4002_1008, { copy: { from: 0, to: 2, width: 2 } }),
  reg('RCC_PLLCFGR', 0x4002_100c, { reset: 0x0000_1000 }),
  reg('RCC_AHB1ENR', 0x4002_1048),
  reg('RCC_AHB2ENR', 0x4002_104c),
  reg('RCC_APB1ENR1', 0x4002_1058),
  reg('RCC_APB1ENR2', 0x4002_105c),
  reg('RCC_APB2ENR', 0x4002_1060),
  reg('RCC_CCIPR', 0x4002_1088),
  // RCC_BDCR LSERDY 1, RCC_CSR LSIRDY 1
  reg('RCC_BDCR', 0x4002_1090, { readOr: bit(1) }),
  reg('RCC_CSR', 0x4002_1094, { reset: 0x0c00_0600, readOr: bit(1) }),
  reg('PWR_CR1', 0x4000_7000, { reset: 0x0000_0200 }),
  // PWR_SR2: VOSF 10 and REGLPF 9 read as clear (voltage scaling done, main regulator)
  reg('PWR_SR2', 0x4000_7014, { readAndNot: bit(10) | bit(9) }),
  reg('PWR_CR5', 0x4000_7080, { reset: 0x0000_0100 }),
  reg('FLASH_ACR', 0x4002_2000, { reset: 0x0000_0600 }),
  // FLASH_SR: BSY 16 reads as clear
  reg('FLASH_SR', 0x4002_2010, { readAndNot: bit(16) }),
  ...usartL4('USART2', 0x4000_4400),
  ...usartL4('LPUART1', 0x4000_8000),
];

/** The register tables, keyed by board family (BoardProfile.accelerator.family). */
export const STM32_PERIPHERALS: Readonly<Record<'f4' | 'l4', readonly PeripheralRegister[]>> = { f4: STM32F4, l4: STM32L4 };

/**
 * The modelled registers of a board, by its family (`f4`, `l4`); the `ideal`
 * profile (family `none`) uses the STM32F4 table, so F4 firmware runs on it.
 */
export function peripheralRegisters(board: BoardProfile): readonly PeripheralRegister[] {
  return STM32_PERIPHERALS[board.accelerator.family === 'l4' ? 'l4' : 'f4'];
}
