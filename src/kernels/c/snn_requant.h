/*
 * sim-dse kernels: TFLite integer requantization, bit-exact with the host
 * reference engine (src/model/engine/fixed-point.ts). Written from the TFLite
 * quantization specification and gemmlowp's fixed-point description.
 *
 * real multiplier ~= multiplier * 2^(shift - 31), multiplier in [2^30, 2^31).
 */
#ifndef SNN_REQUANT_H
#define SNN_REQUANT_H

#include <stdint.h>

/* gemmlowp SaturatingRoundingDoublingHighMul: high 32 bits of 2*a*b, rounded. */
static inline int32_t snn_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  int64_t t = ab + nudge;
  /* C division truncates toward zero, as gemmlowp's does. */
  return (int32_t)(t / ((int64_t)1 << 31));
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded half away from zero, 0 <= e <= 31. */
static inline int32_t snn_rdbpot(int32_t x, int32_t e) {
  int32_t mask = (int32_t)((1u << e) - 1u);
  int32_t rem = x & mask;
  int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > thr ? 1 : 0);
}

/* TFLite MultiplyByQuantizedMultiplier (left shift wraps as int32, as the reference engine does). */
static inline int32_t snn_requantize(int32_t acc, int32_t multiplier, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t right = shift > 0 ? 0 : -shift;
  return snn_rdbpot(snn_srdhm((int32_t)((uint32_t)acc << left), multiplier), right);
}

/* Clamp to [lo, hi] (the fused activation range in the output's quantized domain). */
static inline int32_t snn_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

#endif
