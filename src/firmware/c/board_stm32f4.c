/*
 * sim-dse exported firmware: STM32F4 board support (NUCLEO-F446RE), from
 * RM0390. Clock: HSI 16 MHz -> PLL (M 8, N 180, P 2) = 180 MHz with
 * over-drive, 5 flash wait states, ART instruction/data caches and prefetch;
 * AHB 180 MHz, APB1 45 MHz, APB2 90 MHz. Console: USART2 on PA2/PA3 (AF7),
 * the ST-LINK virtual COM port.
 * With SIMDSE_QEMU the same code runs on QEMU's netduinoplus2 (STM32F405):
 * QEMU models no RCC, so the set-up times out and stays on HSI; USART2 is at
 * the same address, and the halt exits QEMU through semihosting.
 */
#include "simdse_board.h"

#define RCC_BASE 0x40023800u
#define RCC_CR (RCC_BASE + 0x00u)
#define RCC_PLLCFGR (RCC_BASE + 0x04u)
#define RCC_CFGR (RCC_BASE + 0x08u)
#define RCC_AHB1ENR (RCC_BASE + 0x30u)
#define RCC_APB1ENR (RCC_BASE + 0x40u)
#define PWR_CR 0x40007000u
#define PWR_CSR 0x40007004u
#define FLASH_ACR 0x40023C00u
#define GPIOA_MODER 0x40020000u
#define GPIOA_AFRL 0x40020020u
#define USART2_SR 0x40004400u
#define USART2_DR 0x40004404u
#define USART2_BRR 0x40004408u
#define USART2_CR1 0x4000440Cu

#define HSI_HZ 16000000u
#define PLL_HZ 180000000u
#define WAIT_STATES 5u

static uint32_t apb1_hz = HSI_HZ;

static simdse_clock clock_setup(void) {
  simdse_clock result = {HSI_HZ, "ok"};
  SIMDSE_REG(RCC_CR) |= 1u; /* HSION */
  if (!simdse_wait(&SIMDSE_REG(RCC_CR), 1u << 1, 1u << 1)) return (simdse_clock){HSI_HZ, "timeout-hsi"};
  SIMDSE_REG(RCC_APB1ENR) |= 1u << 28; /* PWREN */
  (void)SIMDSE_REG(RCC_APB1ENR);
  SIMDSE_REG(PWR_CR) |= 3u << 14; /* VOS = scale 1 */
  /* PLL from HSI: VCO in 16/8 = 2 MHz, VCO out 2*180 = 360 MHz, P /2 = 180 MHz, Q /8, R /2 */
  SIMDSE_REG(RCC_PLLCFGR) = 8u | (180u << 6) | (0u << 16) | (0u << 22) | (8u << 24) | (2u << 28);
  SIMDSE_REG(RCC_CR) |= 1u << 24; /* PLLON */
  SIMDSE_REG(PWR_CR) |= 1u << 16; /* ODEN */
  if (!simdse_wait(&SIMDSE_REG(PWR_CSR), 1u << 16, 1u << 16)) return (simdse_clock){HSI_HZ, "timeout-overdrive"};
  SIMDSE_REG(PWR_CR) |= 1u << 17; /* ODSWEN */
  if (!simdse_wait(&SIMDSE_REG(PWR_CSR), 1u << 17, 1u << 17)) return (simdse_clock){HSI_HZ, "timeout-overdrive-switch"};
  /* Flash: reset the ART caches, then latency, prefetch, instruction and data caches */
  SIMDSE_REG(FLASH_ACR) = 0;          /* caches off (their reset bits are writable only then) */
  SIMDSE_REG(FLASH_ACR) = (3u << 11); /* ICRST, DCRST */
  SIMDSE_REG(FLASH_ACR) = WAIT_STATES | (1u << 8) | (1u << 9) | (1u << 10);
  if (!simdse_wait(&SIMDSE_REG(FLASH_ACR), 0xFu, WAIT_STATES)) return (simdse_clock){HSI_HZ, "timeout-flash-latency"};
  /* AHB /1, APB1 /4, APB2 /2 */
  SIMDSE_REG(RCC_CFGR) = (SIMDSE_REG(RCC_CFGR) & ~0xFCF0u) | (5u << 10) | (4u << 13);
  apb1_hz = HSI_HZ / 4u;
  if (!simdse_wait(&SIMDSE_REG(RCC_CR), 1u << 25, 1u << 25)) return (simdse_clock){HSI_HZ, "timeout-pll"};
  SIMDSE_REG(RCC_CFGR) = (SIMDSE_REG(RCC_CFGR) & ~3u) | 2u; /* SW = PLL */
  if (!simdse_wait(&SIMDSE_REG(RCC_CFGR), 3u << 2, 2u << 2)) return (simdse_clock){HSI_HZ, "timeout-sysclk"};
  apb1_hz = PLL_HZ / 4u;
  result.core_hz = PLL_HZ;
  return result;
}

static void uart_setup(void) {
  SIMDSE_REG(RCC_AHB1ENR) |= 1u << 0;  /* GPIOAEN */
  SIMDSE_REG(RCC_APB1ENR) |= 1u << 17; /* USART2EN */
  (void)SIMDSE_REG(RCC_APB1ENR);
  /* PA2 (TX) and PA3 (RX): alternate function 7 */
  SIMDSE_REG(GPIOA_MODER) = (SIMDSE_REG(GPIOA_MODER) & ~(0xFu << 4)) | (0xAu << 4);
  SIMDSE_REG(GPIOA_AFRL) = (SIMDSE_REG(GPIOA_AFRL) & ~(0xFFu << 8)) | (0x77u << 8);
  SIMDSE_REG(USART2_CR1) = 0;
  /* Oversampling by 16: BRR = f_pclk / baud, rounded */
  SIMDSE_REG(USART2_BRR) = (apb1_hz + SIMDSE_BAUD / 2u) / SIMDSE_BAUD;
  SIMDSE_REG(USART2_CR1) = (1u << 13) | (1u << 3); /* UE, TE */
}

simdse_clock simdse_board_init(void) {
  simdse_clock clock = clock_setup();
  uart_setup();
  return clock;
}

const char *simdse_board_name(void) {
#ifdef SIMDSE_QEMU
  return "qemu-netduinoplus2";
#else
  return SIMDSE_BOARD;
#endif
}

void simdse_putc(char c) {
  simdse_wait(&SIMDSE_REG(USART2_SR), 1u << 7, 1u << 7); /* TXE */
  SIMDSE_REG(USART2_DR) = (uint8_t)c;
}

void simdse_flush(void) {
  simdse_wait(&SIMDSE_REG(USART2_SR), 1u << 6, 1u << 6); /* TC */
}

void simdse_halt(void) {
#ifdef SIMDSE_QEMU
  /* Semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit (0x20026) */
  register uint32_t op __asm("r0") = 0x18u;
  register uint32_t arg __asm("r1") = 0x20026u;
  __asm volatile("bkpt 0xAB" : : "r"(op), "r"(arg) : "memory");
#endif
  for (;;) __asm volatile("wfi");
}
