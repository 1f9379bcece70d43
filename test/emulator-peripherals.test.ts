import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { parseElf } from '../src/emulator/elf.js';
import { Machine } from '../src/emulator/machine.js';
import { STM32_PERIPHERALS } from '../src/emulator/stm32-peripherals.js';
import { compileImage } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';

/** Functions that poke the peripheral model from Machine.call (each run starts from the reset state). */
const SOURCE = String.raw`
#include <stdint.h>
#define REG(a) (*(volatile uint32_t *)(a))
/* plain memory (GPIOA_MODER on F4, not in the register table): byte and halfword writes merge into the word */
uint32_t plain_lanes(void) {
  *(volatile uint8_t *)0x40020001u = 0x11;
  *(volatile uint16_t *)0x40020002u = 0x2233;
  return REG(0x40020000u);
}
uint32_t plain_read(void) { return REG(0x40020000u); }
/* listed registers: RCC_CR reset 0x83 with the ready flags or-ed in; FLASH_SR's BSY always reads 0 */
uint32_t rcc_cr(void) { return REG(0x40023800u); }
uint32_t flash_sr(void) { REG(0x40023C0Cu) = 0x00010002u; return REG(0x40023C0Cu); }
/* RCC_CFGR: SWS [3:2] shows SW [1:0] */
uint32_t cfgr(uint32_t sw) { REG(0x40023808u) = sw; return REG(0x40023808u); }
void hello(void) { REG(0x40004404u) = 'h'; REG(0x40004404u) = 'i'; }
/*
 * DWT_CYCCNT = 1000, then read it back: the store costs 1 (nothing follows it into memory: store
 * buffer), two nops 2, so the read sees 1000 + 3 (ideal board).
 */
__attribute__((naked)) uint32_t cyccnt_write(void) {
  __asm__ volatile(
      "movw r0, #0x1004\n movt r0, #0xe000\n movw r1, #1000\n nop\n"
      "str r1, [r0]\n nop\n nop\n ldr r0, [r0]\n bx lr\n");
}
`;

describe.skipIf(compilerVersion() === null)('peripheral registers in Machine.call', () => {
  let machine: Machine;
  beforeAll(async () => {
    const bytes = await compileImage({ sources: [{ name: 'periph.c', code: SOURCE }], board: getBoard('ideal') });
    machine = new Machine(parseElf(bytes, 'periph.elf'), getBoard('ideal'), 'periph.elf');
  }, 120_000);
  afterAll(() => machine.close());

  const r0 = (symbol: string, args: number[] = []): number => {
    const r = machine.call({ symbol, args });
    if (r.kind !== 'ok') throw new Error(r.message);
    return r.returnValue;
  };

  it('unlisted peripheral addresses are plain memory, zero again at the next run', () => {
    expect(r0('plain_lanes').toString(16)).toBe('22331100');
    expect(r0('plain_read')).toBe(0);
  });

  it('listed registers read (written | readOr) & ~readAndNot', () => {
    const rccCr = STM32_PERIPHERALS.f4.find((r) => r.name === 'RCC_CR');
    expect(rccCr?.readOr).toBe(0x2a020002);
    expect(r0('rcc_cr').toString(16)).toBe((0x83 | 0x2a020002).toString(16));
    expect(r0('flash_sr').toString(16)).toBe('2');
  });

  it('RCC_CFGR.SWS follows SW', () => {
    expect([0, 1, 2, 3].map((sw) => r0('cfgr', [sw]))).toEqual([0x0, 0x5, 0xa, 0xf]);
  });

  it('USART2 data register writes are captured per run', () => {
    r0('hello');
    expect(machine.uartText()).toBe('hi');
    r0('plain_read');
    expect(machine.uartText()).toBe('');
  });

  it('a write to DWT_CYCCNT sets the count from that instruction on', () => {
    expect(r0('cyccnt_write')).toBe(1003);
    expect(r0('cyccnt_write')).toBe(1003);
  });
});
