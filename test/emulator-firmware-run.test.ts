import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { parseElf, type ElfImage } from '../src/emulator/elf.js';
import { Machine } from '../src/emulator/machine.js';
import { compileImage } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';

/**
 * A tiny bare-metal firmware, compiled at test time, run from reset by
 * Machine.runFirmware: it brings up the clock tree polling the RCC/PWR ready
 * flags, times a known instruction sequence with DWT CYCCNT, checks a plain
 * peripheral register reads back, prints over the board's virtual COM port
 * UART and stops with `bkpt` (or `wfi`).
 *
 * The measured sequence (`measure`), 16-byte aligned so its flash lines are known:
 *   line 0: nop.w (1), ldr.w t0,[CYCCNT] (2), add.w (1), add.w (1)    = 5 cycles
 *   line 1: 4 x add.w                                                 = 4 cycles
 *   line 2: 2 x add.w, then ldr.w t1,[CYCCNT] ...
 * t1 - t0 = the cycles of the instructions from the first read up to the second: 2 + 8 x 1 = 10
 * on `ideal`. On nucleo-f446re (5 wait states, 16-byte lines) lines 1 and 2 come from the
 * prefetch buffer, ready 6 cycles after the previous line started: line 1 waits 6 - 5 = 1,
 * line 2 waits 6 - 4 = 2, so t1 - t0 = 13.
 */
const FIRMWARE = String.raw`
#include <stdint.h>
#define REG(a) (*(volatile uint32_t *)(a))
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)
#ifdef L4
#define RCC_CR REG(0x40021000u)
#define RCC_CFGR REG(0x40021008u)
#define PWR_SR2 REG(0x40007014u)
#define UART_READY() (REG(0x4000801Cu) & (1u << 7))
#define UART_PUT(c) (REG(0x40008028u) = (c))
#define GPIO_MODER REG(0x48000000u)
#else
#define RCC_CR REG(0x40023800u)
#define RCC_CFGR REG(0x40023808u)
#define PWR_CSR REG(0x40007004u)
#define UART_READY() (REG(0x40004400u) & (1u << 7))
#define UART_PUT(c) (REG(0x40004404u) = (c))
#define GPIO_MODER REG(0x40020000u)
#endif

extern uint32_t _estack;
void reset_handler(void);
__attribute__((section(".vectors"), used)) void (*const vectors[2])(void) = {(void (*)(void))&_estack, reset_handler};

__attribute__((noinline)) uint32_t measure(void) {
  uint32_t t0, t1;
  __asm__ volatile(
      ".p2align 4\n"
      "nop.w\n"
      "ldr.w %0, [%2]\n"
      "add.w r3, r3, #1\n add.w r3, r3, #1\n"
      "add.w r3, r3, #1\n add.w r3, r3, #1\n add.w r3, r3, #1\n add.w r3, r3, #1\n"
      "add.w r3, r3, #1\n add.w r3, r3, #1\n"
      "ldr.w %1, [%2]\n"
      : "=&r"(t0), "=&r"(t1)
      : "r"(&DWT_CYCCNT)
      : "r3");
  return t1 - t0;
}

static void put_str(const char *s) {
  while (*s) {
    while (!UART_READY()) {
    }
    UART_PUT((uint8_t)*s++);
  }
}

static void put_uint(uint32_t v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  put_str(&buf[i]);
}

void reset_handler(void) {
  RCC_CR |= 1u << 16; /* HSE on */
  while (!(RCC_CR & (1u << 17))) {
  }
  RCC_CR |= 1u << 24; /* PLL on */
  while (!(RCC_CR & (1u << 25))) {
  }
#ifdef L4
  while (PWR_SR2 & (1u << 10)) {
  }
#else
  while (!(PWR_CSR & (1u << 14))) {
  }
#endif
  RCC_CFGR = (RCC_CFGR & ~3u) | 3u; /* SW = PLL */
  while ((RCC_CFGR & 0xCu) != 0xCu) {
  }
  DEMCR |= 1u << 24;
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;
  GPIO_MODER = 0xA8000000u;
  put_str("clock up\ncycles=");
#ifdef FAULT
  (void)REG(0x30000000u); /* no board maps it */
#endif
  put_uint(measure());
  put_str("\nmoder=");
  put_uint(GPIO_MODER);
  put_str("\n");
#ifdef END_WFI
  __asm__ volatile("wfi");
#else
  __asm__ volatile("bkpt #0");
#endif
  for (;;) {
  }
}
`;

const LINK_SCRIPT = `
MEMORY
{
  FLASH (rx)  : ORIGIN = 0x08000000, LENGTH = 512K
  SRAM  (rwx) : ORIGIN = 0x20000000, LENGTH = 96K
}
_estack = ORIGIN(SRAM) + LENGTH(SRAM);
SECTIONS
{
  .text : { KEEP(*(.vectors)) *(.text .text.*) *(.rodata .rodata.*) } > FLASH
  .bss (NOLOAD) : { *(.bss .bss.*) *(COMMON) } > SRAM
  /DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) }
}
`;

const hasCompiler = compilerVersion() !== null;

async function build(flags: string[]): Promise<ElfImage> {
  const bytes = await compileImage({ sources: [{ name: 'fw.c', code: FIRMWARE }], board: getBoard('nucleo-f446re'), linkScript: LINK_SCRIPT, extraCflags: flags });
  return parseElf(bytes, 'fw.elf');
}

describe.skipIf(!hasCompiler)('firmware run from reset (peripherals, DWT CYCCNT, UART)', () => {
  let f4: ElfImage;
  let l4: ElfImage;
  let f4wfi: ElfImage;
  let f4fault: ElfImage;
  const machines: Machine[] = [];
  const open = (image: ElfImage, board: string): Machine => {
    const m = new Machine(image, getBoard(board), 'fw.elf');
    machines.push(m);
    return m;
  };

  beforeAll(async () => {
    [f4, l4, f4wfi, f4fault] = await Promise.all([build([]), build(['-DL4']), build(['-DEND_WFI']), build(['-DFAULT'])]);
  }, 120_000);
  afterAll(() => {
    for (const m of machines) m.close();
  });

  it('prints over USART2 and stops at bkpt on ideal, with CYCCNT exact per instruction (10 cycles)', () => {
    const r = open(f4, 'ideal').runFirmware();
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.uart).toBe('clock up\ncycles=10\nmoder=2818572288\n');
    expect(r.stop).toBe('bkpt');
    // the run stops on the firmware's `bkpt #0` (encoding 0xBE00)
    const seg = f4.segments.find((x) => r.pc >= x.vaddr && r.pc + 2 <= x.vaddr + x.data.length)!;
    const at = r.pc - seg.vaddr;
    expect(seg.data[at] | (seg.data[at + 1] << 8)).toBe(0xbe00);
  });

  it('on nucleo-f446re the same sequence takes 13 cycles (two prefetch stalls inside it)', () => {
    const m = open(f4, 'nucleo-f446re');
    const r = m.runFirmware();
    expect(r.kind === 'ok' && r.uart).toBe('clock up\ncycles=13\nmoder=2818572288\n');
    // a second run is identical (peripherals, RAM and counters reset; the traced blocks stay traced)
    const again = m.runFirmware();
    expect(again).toEqual(r);
  });

  it('CYCCNT reads are exact in Machine.call too (a kernel timing itself)', () => {
    const ideal = open(f4, 'ideal').call({ symbol: 'measure' });
    const f446 = open(f4, 'nucleo-f446re').call({ symbol: 'measure' });
    expect([ideal.kind === 'ok' && ideal.returnValue, f446.kind === 'ok' && f446.returnValue]).toEqual([10, 13]);
  });

  it('runs STM32L4 firmware on nucleo-l4r5zi: L4 RCC/PWR flags, output on LPUART1', () => {
    // 8-byte flash lines: nop.w + ldr.w (3 cycles), then four lines of 2 add.w (2 cycles), then the
    // second read's line. Each line after the first waits 6 - (cycles of the line before):
    // 3 + 4 + 4 + 4 + 4 = 19 stalls, so t1 - t0 = 10 + 19 = 29
    const r = open(l4, 'nucleo-l4r5zi').runFirmware();
    expect(r.kind === 'ok' && r.uart).toBe('clock up\ncycles=29\nmoder=2818572288\n');
  });

  it('wfi ends the run (no interrupt is ever pending)', () => {
    const r = open(f4wfi, 'ideal').runFirmware();
    expect(r.kind === 'ok' && [r.stop, r.uart]).toEqual(['wfi', 'clock up\ncycles=10\nmoder=2818572288\n']);
  });

  it('a bad memory access gives a memory fault at the loading instruction, with the text printed so far', () => {
    const r = open(f4fault, 'nucleo-f446re').runFirmware();
    expect(r.kind).toBe('fault');
    if (r.kind !== 'fault') return;
    expect([r.reason, r.address, r.uart]).toEqual(['memory', 0x30000000, 'clock up\ncycles=']);
    const fn = f4fault.symbols.get('reset_handler');
    expect(fn && r.pc >= fn.value && r.pc < fn.value + fn.size).toBe(true);
    expect(r.message).toMatch(/^fw\.elf: firmware: invalid memory access to 0x30000000 .* at pc 0x080/);
  });

  it('an instruction limit gives a fault with the text printed so far', () => {
    const m = open(f4, 'ideal');
    const full = m.runFirmware();
    expect(full.kind).toBe('ok');
    const r = m.runFirmware({ maxInstructions: Math.floor(full.instructions / 2) });
    expect(r.kind).toBe('fault');
    if (r.kind !== 'fault' || full.kind !== 'ok') return;
    expect(r.reason).toBe('instruction-limit');
    expect(r.uart.length).toBeGreaterThan(0);
    expect(r.uart.length).toBeLessThan(full.uart.length);
    expect(full.uart.startsWith(r.uart)).toBe(true);
  });
});
