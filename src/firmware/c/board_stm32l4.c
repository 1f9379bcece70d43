/*
 * sim-dse exported firmware: STM32L4+ board support (NUCLEO-L4R5ZI), from
 * RM0432. Clock: HSI16 -> PLL (M 2, N 30, R 2) = 120 MHz in Range 1 boost
 * mode, 5 flash wait states, ART instruction/data caches and prefetch;
 * AHB, APB1 and APB2 at 120 MHz. Console: LPUART1 on PG7/PG8 (AF8), which
 * is the ST-LINK virtual COM port of this Nucleo-144 board (port G is
 * powered from VDDIO2, enabled here).
 */
#include "simdse_board.h"

#define RCC_BASE 0x40021000u
#define RCC_CR (RCC_BASE + 0x00u)
#define RCC_CFGR (RCC_BASE + 0x08u)
#define RCC_PLLCFGR (RCC_BASE + 0x0Cu)
#define RCC_AHB2ENR (RCC_BASE + 0x4Cu)
#define RCC_APB1ENR1 (RCC_BASE + 0x58u)
#define RCC_APB1ENR2 (RCC_BASE + 0x5Cu)
#define PWR_CR1 0x40007000u
#define PWR_CR2 0x40007004u
#define PWR_SR2 0x40007014u
#define PWR_CR5 0x40007080u
#define FLASH_ACR 0x40022000u
#define GPIOG_MODER 0x48001800u
#define GPIOG_AFRL 0x48001820u
#define GPIOG_AFRH 0x48001824u
#define LPUART1_CR1 0x40008000u
#define LPUART1_BRR 0x4000800Cu
#define LPUART1_ISR 0x4000801Cu
#define LPUART1_TDR 0x40008028u

#define MSI_HZ 4000000u
#define PLL_HZ 120000000u
#define WAIT_STATES 5u

static uint32_t pclk1_hz = MSI_HZ;

static simdse_clock clock_setup(void) {
  SIMDSE_REG(RCC_APB1ENR1) |= 1u << 28; /* PWREN */
  (void)SIMDSE_REG(RCC_APB1ENR1);
  SIMDSE_REG(PWR_CR1) = (SIMDSE_REG(PWR_CR1) & ~(3u << 9)) | (1u << 9); /* VOS = range 1 */
  if (!simdse_wait(&SIMDSE_REG(PWR_SR2), 1u << 10, 0)) return (simdse_clock){MSI_HZ, "timeout-vos"};
  /* Range 1 boost: AHB /2 before the switch, R1MODE = 0, wait states, PLL, switch, then AHB /1 */
  SIMDSE_REG(RCC_CFGR) = (SIMDSE_REG(RCC_CFGR) & ~0x3FF0u) | (8u << 4); /* HPRE /2, PPRE1 /1, PPRE2 /1 */
  SIMDSE_REG(PWR_CR5) &= ~(1u << 8);
  if (!simdse_wait(&SIMDSE_REG(PWR_SR2), 1u << 10, 0)) return (simdse_clock){MSI_HZ, "timeout-boost"};
  SIMDSE_REG(FLASH_ACR) = 0;          /* caches off (their reset bits are writable only then) */
  SIMDSE_REG(FLASH_ACR) = (3u << 11); /* ICRST, DCRST */
  SIMDSE_REG(FLASH_ACR) = WAIT_STATES | (1u << 8) | (1u << 9) | (1u << 10);
  if (!simdse_wait(&SIMDSE_REG(FLASH_ACR), 0xFu, WAIT_STATES)) return (simdse_clock){MSI_HZ / 2u, "timeout-flash-latency"};
  SIMDSE_REG(RCC_CR) |= 1u << 8; /* HSION */
  if (!simdse_wait(&SIMDSE_REG(RCC_CR), 1u << 10, 1u << 10)) return (simdse_clock){MSI_HZ / 2u, "timeout-hsi"};
  /* PLL from HSI16: VCO in 16/2 = 8 MHz, VCO out 8*30 = 240 MHz, R /2 = 120 MHz */
  SIMDSE_REG(RCC_PLLCFGR) = 2u | (1u << 4) | (30u << 8) | (1u << 24) | (0u << 25);
  SIMDSE_REG(RCC_CR) |= 1u << 24; /* PLLON */
  if (!simdse_wait(&SIMDSE_REG(RCC_CR), 1u << 25, 1u << 25)) return (simdse_clock){MSI_HZ / 2u, "timeout-pll"};
  SIMDSE_REG(RCC_CFGR) |= 3u; /* SW = PLL */
  if (!simdse_wait(&SIMDSE_REG(RCC_CFGR), 3u << 2, 3u << 2)) return (simdse_clock){MSI_HZ / 2u, "timeout-sysclk"};
  for (volatile uint32_t i = 0; i < 64u; i++) {
  } /* at least 1 us at 60 MHz before AHB /1 */
  SIMDSE_REG(RCC_CFGR) &= ~(0xFu << 4);
  pclk1_hz = PLL_HZ;
  return (simdse_clock){PLL_HZ, "ok"};
}

static void uart_setup(void) {
  SIMDSE_REG(RCC_AHB2ENR) |= 1u << 6;  /* GPIOGEN */
  SIMDSE_REG(PWR_CR2) |= 1u << 9;      /* IOSV: VDDIO2 valid, port G usable */
  SIMDSE_REG(RCC_APB1ENR2) |= 1u << 0; /* LPUART1EN (kernel clock PCLK1, the reset selection) */
  (void)SIMDSE_REG(RCC_APB1ENR2);
  /* PG7 (TX) and PG8 (RX): alternate function 8 */
  SIMDSE_REG(GPIOG_MODER) = (SIMDSE_REG(GPIOG_MODER) & ~(0xFu << 14)) | (0xAu << 14);
  SIMDSE_REG(GPIOG_AFRL) = (SIMDSE_REG(GPIOG_AFRL) & ~(0xFu << 28)) | (8u << 28);
  SIMDSE_REG(GPIOG_AFRH) = (SIMDSE_REG(GPIOG_AFRH) & ~0xFu) | 8u;
  SIMDSE_REG(LPUART1_CR1) = 0;
  /* LPUART: BRR = 256 * f_pclk / baud, rounded */
  SIMDSE_REG(LPUART1_BRR) = (uint32_t)((256ull * pclk1_hz + SIMDSE_BAUD / 2u) / SIMDSE_BAUD);
  SIMDSE_REG(LPUART1_CR1) = (1u << 3) | (1u << 0); /* TE, UE */
}

simdse_clock simdse_board_init(void) {
  simdse_clock clock = clock_setup();
  if (clock.core_hz != PLL_HZ) pclk1_hz = clock.core_hz;
  uart_setup();
  return clock;
}

const char *simdse_board_name(void) {
  return SIMDSE_BOARD;
}

void simdse_putc(char c) {
  simdse_wait(&SIMDSE_REG(LPUART1_ISR), 1u << 7, 1u << 7); /* TXE */
  SIMDSE_REG(LPUART1_TDR) = (uint8_t)c;
}

void simdse_flush(void) {
  simdse_wait(&SIMDSE_REG(LPUART1_ISR), 1u << 6, 1u << 6); /* TC */
}

void simdse_halt(void) {
  for (;;) __asm volatile("wfi");
}
