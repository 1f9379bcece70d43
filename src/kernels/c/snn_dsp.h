/*
 * sim-dse kernels: the Cortex-M4 DSP-extension operations the baseline
 * kernels are built on (ARMv7E-M SIMD: SXTB16, SXTAB16, SMLAD), as inline
 * functions. The plain forms come from ACLE (<arm_acle.h>); the forms with a
 * byte rotation are inline assembly because gcc does not fold a rotate into
 * the instruction's ROR #8 operand.
 *
 * Packing convention used throughout: a word holding four int8 values
 * b0..b3 (b0 in the low byte) widens to two words of int16 pairs,
 * sxtb16(x) = [b0, b2] and sxtb16_ror8(x) = [b1, b3] (low half first).
 */
#ifndef SNN_DSP_H
#define SNN_DSP_H

#include <stdint.h>
#include <arm_acle.h>

/* Four bytes from any address as one little-endian word (an unaligned LDR on the M4). */
static inline uint32_t snn_ld32(const void *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

/* [b0, b2] sign-extended to two int16 halves. */
static inline uint32_t snn_sxtb16(uint32_t x) {
  return (uint32_t)__sxtb16((int32_t)x);
}

/* [b1, b3] sign-extended to two int16 halves (SXTB16 with ROR #8). */
static inline uint32_t snn_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

/* [a.lo + b0, a.hi + b2] (16-bit lanes, b sign-extended). */
static inline uint32_t snn_sxtab16(uint32_t a, uint32_t x) {
  return (uint32_t)__sxtab16((int32_t)a, (int32_t)x);
}

/* [a.lo + b1, a.hi + b3] (SXTAB16 with ROR #8). */
static inline uint32_t snn_sxtab16_ror8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}

/* acc + a.lo * b.lo + a.hi * b.hi (16x16 signed products, 32-bit wrapping sum). */
static inline int32_t snn_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad((int32_t)a, (int32_t)b, acc);
}

#endif
