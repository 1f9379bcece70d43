/*
 * sim-dse exported firmware: vector table and reset handler. The reset
 * handler enables the FPU, copies .data from flash to SRAM, zeroes .bss
 * and calls main(); a fault prints one SIMDSE fault line and halts.
 */
#include <stdint.h>
#include "simdse_board.h"
#include "simdse_config.h"
#include "simdse_report.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
#ifdef SIMDSE_CODE_SRAM
extern uint32_t _sicode_sram, _scode_sram, _ecode_sram;
#endif
int main(void);
void simdse_reset(void);
void simdse_fault(void);

/* Cortex-M system vectors: initial SP, reset, NMI, HardFault, MemManage, BusFault, UsageFault, ..., SysTick. */
__attribute__((section(".isr_vector"), used)) const uintptr_t simdse_vectors[16] = {
  (uintptr_t)&_estack,
  (uintptr_t)simdse_reset,
  (uintptr_t)simdse_fault,
  (uintptr_t)simdse_fault,
  (uintptr_t)simdse_fault,
  (uintptr_t)simdse_fault,
  (uintptr_t)simdse_fault,
  0, 0, 0, 0,
  (uintptr_t)simdse_fault,
  (uintptr_t)simdse_fault,
  0,
  (uintptr_t)simdse_fault,
  (uintptr_t)simdse_fault,
};

void simdse_reset(void) {
  SIMDSE_SCB_CPACR |= 0xFu << 20; /* CP10 and CP11 full access: the kernels are compiled for the FPU ABI */
  __asm volatile("dsb\n\tisb" ::: "memory");
  volatile uint32_t *src = &_sidata;
  for (volatile uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
#ifdef SIMDSE_CODE_SRAM
  /* code placed in the SRAM window in the code region (STM32L4R5 SRAM2 at 0x10000000) */
  src = &_sicode_sram;
  for (volatile uint32_t *dst = &_scode_sram; dst < &_ecode_sram;) *dst++ = *src++;
#endif
  for (volatile uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  main();
  simdse_halt();
}

void simdse_fault(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  simdse_line_fault(ipsr & 0x1FFu);
  simdse_flush();
  simdse_halt();
}
