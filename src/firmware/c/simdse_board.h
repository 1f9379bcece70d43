/*
 * sim-dse exported firmware: the board-support interface main.c uses.
 * One implementation per MCU family (board_stm32f4.c, board_stm32l4.c);
 * SIMDSE_QEMU selects the QEMU netduinoplus2 (STM32F405) variant of the F4 one.
 */
#ifndef SIMDSE_BOARD_H
#define SIMDSE_BOARD_H

#include <stdint.h>
#include "simdse_config.h"

/* Polls of a ready flag before the set-up gives up and continues (QEMU models no RCC). */
#define SIMDSE_READY_POLLS 200000u

/* Console baud rate (the ST-LINK virtual COM port). */
#define SIMDSE_BAUD 115200u

/* Memory-mapped 32-bit register at an absolute address. */
#define SIMDSE_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* Cortex-M4 debug and system control registers (ARMv7-M ARM, C1.6 and B3.2). */
#define SIMDSE_DEMCR SIMDSE_REG(0xE000EDFCu)
#define SIMDSE_DWT_CTRL SIMDSE_REG(0xE0001000u)
#define SIMDSE_DWT_CYCCNT SIMDSE_REG(0xE0001004u)
#define SIMDSE_SCB_CPACR SIMDSE_REG(0xE000ED88u)

/* Result of the clock set-up. */
typedef struct {
  /* Core clock reached, in Hz (the reset clock when a step timed out). */
  uint32_t core_hz;
  /* "ok", or "timeout-<step>" naming the ready flag that never came. */
  const char *status;
} simdse_clock;

/*
 * Sets the core clock to the board profile's frequency (flash wait states,
 * prefetch and caches first), then the console UART. Every ready flag is
 * polled at most SIMDSE_READY_POLLS times; on a timeout the set-up stops and
 * the core stays on its reset clock.
 */
simdse_clock simdse_board_init(void);

/* The board name printed in the start line. */
const char *simdse_board_name(void);

/* Sends one byte on the console UART (bounded wait for the transmit register). */
void simdse_putc(char c);

/* Waits until the last byte left the UART (bounded). */
void simdse_flush(void);

/* Stops: QEMU variant exits through semihosting; on a board the core sleeps forever. */
void simdse_halt(void) __attribute__((noreturn));

/* Waits until (reg & mask) == want, at most SIMDSE_READY_POLLS polls; 1 when it came. */
static inline int simdse_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want) {
  for (uint32_t i = 0; i < SIMDSE_READY_POLLS; i++) {
    if ((*reg & mask) == want) return 1;
  }
  return 0;
}

/* Starts the DWT cycle counter (TRCENA, then CYCCNTENA). */
static inline void simdse_dwt_start(void) {
  SIMDSE_DEMCR |= 1u << 24;
  SIMDSE_DWT_CYCCNT = 0;
  SIMDSE_DWT_CTRL |= 1u;
}

#endif
