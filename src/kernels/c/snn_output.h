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
 * operations. RoundingDivideByPOT(v, e) is (v >> e) + ((v & mask) > (mask >> 1) + (v < 0))
 * with mask = 2^e - 1. Multipliers from QuantizeMultiplier are in [0, 2^31), so the
 * saturating case (both operands INT32_MIN) cannot occur.
 */
#ifndef SNN_OUTPUT_H
#define SNN_OUTPUT_H

#include <stdint.h>
#include <arm_acle.h>

/* SaturatingRoundingDoublingHighMul(a, m) for m != INT32_MIN. */
static inline int32_t snn_dhm(int32_t a, int32_t m) {
  return (int32_t)(((int64_t)a * (int64_t)m + ((int64_t)1 << 30)) >> 31);
}

/*
 * A requantization (multiplier, shift) unpacked once for repeated use:
 * the left shift (modulo 32, as the engine's JavaScript shift counts), the
 * right shift and the rounding mask / half-mask of RoundingDivideByPOT.
 */
typedef struct {
  int32_t multiplier;
  int32_t left;
  int32_t right;
  int32_t mask;
  int32_t half;
} snn_rq;

/* Unpacks a multiplier in [0, 2^31) and a shift >= -31. */
static inline snn_rq snn_rq_of(int32_t multiplier, int32_t shift) {
  snn_rq r;
  r.multiplier = multiplier;
  r.left = (shift > 0 ? shift : 0) & 31;
  r.right = shift > 0 ? 0 : -shift;
  r.mask = (int32_t)((1u << r.right) - 1u);
  r.half = r.mask >> 1;
  return r;
}

/* MultiplyByQuantizedMultiplier(x, multiplier, shift); the left shift wraps as int32. */
static inline int32_t snn_rq_apply(snn_rq r, int32_t x) {
  const int32_t v = snn_dhm((int32_t)((uint32_t)x << r.left), r.multiplier);
  const int32_t threshold = r.half + (int32_t)((uint32_t)v >> 31);
  return (v >> r.right) + ((v & r.mask) > threshold ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier with a multiplier in [0, 2^31) and shift >= -31. */
static inline int32_t snn_mbqm(int32_t acc, int32_t multiplier, int32_t shift) {
  return snn_rq_apply(snn_rq_of(multiplier, shift), acc);
}

/* clamp(v, lo, hi) + out_zp as int8 (lo, hi already minus out_zp). */
static inline int8_t snn_clamp_zp(int32_t v, int32_t lo, int32_t hi, int32_t out_zp) {
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return (int8_t)(v + out_zp);
}

/* The int8 output: requantize, clamp to [lo, hi] (bounds already minus out_zp), add out_zp. */
static inline int8_t snn_out8(int32_t acc, int32_t multiplier, int32_t shift, int32_t lo, int32_t hi, int32_t out_zp) {
  return snn_clamp_zp(snn_mbqm(acc, multiplier, shift), lo, hi, out_zp);
}

/*
 * The int8 output when the caller guarantees |acc| < 2^30 and shift <= -1
 * (the emitter proves both per layer): SaturatingRoundingDoublingHighMul is
 * then (2 * acc * m + 2^31) >> 32, one SMMULR, and RoundingDivideByPOT(v, e)
 * is (v + (v >> 31) + 2^(e-1)) >> e (a negative value rounds a tie down,
 * away from zero), without overflow since |v| < 2^30. lo, hi: act_min and
 * act_max themselves (not minus out_zp). About 10 cycles instead of 30.
 */
static inline int8_t snn_out8_fast(int32_t acc, int32_t m, int32_t e, int32_t out_zp, int32_t lo, int32_t hi) {
  int32_t v;
  __asm__("smmulr %0, %1, %2" : "=r"(v) : "r"(acc + acc), "r"(m));
  int32_t t = ((v + (v >> 31) + (int32_t)((1u << e) >> 1)) >> e) + out_zp;
  t = t < lo ? lo : t;
  t = t > hi ? hi : t;
  return (int8_t)t;
}

/*
 * The fast requantization's value before the zero point, for |acc| < 2^30 and
 * e = -shift >= 1 (as snn_out8_fast), with half = 2^(e-1) computed once per
 * channel by the caller.
 */
static inline int32_t snn_rq_fast(int32_t acc, int32_t m, int32_t e, int32_t half) {
  int32_t v;
  __asm__("smmulr %0, %1, %2" : "=r"(v) : "r"(acc + acc), "r"(m));
  return (v + (v >> 31) + half) >> e;
}

/* v + out_zp clamped to [lo, hi] (act_min, act_max) as int8; `full`: the range is all of int8 (one SSAT). */
static inline int8_t snn_clamp_out(int32_t v, int32_t zp, int32_t lo, int32_t hi, const int full) {
  v += zp;
  if (full) return (int8_t)__ssat(v, 8);
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}

/*
 * Assembly text of one output of the fast requantization, in place on the
 * operand named `a` (operands m: multiplier, e1: exponent - 1, z: output
 * zero point), saturated to int8: snn_rq_fast with the rounding term folded,
 * (x + 2^(e-1)) >> e == ((x >> (e-1)) + 1) >> 1.
 */
#define SNN_OUT_FAST_Z(a, m, e1, z)             \
  "add %[" #a "], %[" #a "], %[" #a "]\n\t"     \
  "smmulr %[" #a "], %[" #a "], %[" #m "]\n\t"  \
  "add %[" #a "], %[" #a "], %[" #a "], asr #31\n\t" \
  "asr %[" #a "], %[" #a "], %[" #e1 "]\n\t"    \
  "add %[" #a "], %[" #a "], #1\n\t"            \
  "add %[" #a "], %[" #z "], %[" #a "], asr #1\n\t" \
  "ssat %[" #a "], #8, %[" #a "]\n\t"

#endif
