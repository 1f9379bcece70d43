/*
 * sim-dse kernels: from an int32 accumulator to an int8 output, bit-exact
 * with the reference engine (src/model/engine/kernels.ts):
 *
 *     clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift) + out_zp, act_min, act_max)
 *
 * computed without int32 overflow: the clamp bounds are moved into the
 * pre-zero-point domain (act_min - out_zp, act_max - out_zp) so that a
 * requantized value near INT32_MAX clamps as the engine's unbounded sum does.
 *
 * The doubling high multiply uses the identity (gemmlowp's nudge-and-truncate
 * equals a floor of the rounded product): for b != INT32_MIN,
 *     SaturatingRoundingDoublingHighMul(a, b) = (a * b + 2^30) >> 31
 * (arithmetic shift of the exact 64-bit value), one SMLAL and two ALU
 * operations. Multipliers from QuantizeMultiplier are in [0, 2^31), so the
 * saturating case (both operands INT32_MIN) cannot occur.
 */
#ifndef SNN_OUTPUT_H
#define SNN_OUTPUT_H

#include <stdint.h>

/* SaturatingRoundingDoublingHighMul(a, m) for m != INT32_MIN. */
static inline int32_t snn_dhm(int32_t a, int32_t m) {
  return (int32_t)(((int64_t)a * (int64_t)m + ((int64_t)1 << 30)) >> 31);
}

/* RoundingDivideByPOT(x, e): x / 2^e rounded half away from zero, 0 <= e <= 31. */
static inline int32_t snn_rshift_round(int32_t x, int32_t e) {
  int32_t mask = (int32_t)((1u << e) - 1u);
  int32_t threshold = (mask >> 1) + (int32_t)((uint32_t)x >> 31);
  return (x >> e) + ((x & mask) > threshold ? 1 : 0);
}

/*
 * MultiplyByQuantizedMultiplier with a multiplier in [0, 2^31) and shift >= -31;
 * the left shift wraps as int32 and, as in the engine, counts modulo 32.
 */
static inline int32_t snn_mbqm(int32_t acc, int32_t multiplier, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t right = shift > 0 ? 0 : -shift;
  return snn_rshift_round(snn_dhm((int32_t)((uint32_t)acc << (left & 31)), multiplier), right);
}

/* The int8 output: requantize, clamp to [lo, hi] (bounds already minus out_zp), add out_zp. */
static inline int8_t snn_out8(int32_t acc, int32_t multiplier, int32_t shift, int32_t lo, int32_t hi, int32_t out_zp) {
  int32_t v = snn_mbqm(acc, multiplier, shift);
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return (int8_t)(v + out_zp);
}

#endif
