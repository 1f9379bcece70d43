/*
 * SOFTMAX int8 -> int8, TFLite's integer algorithm, bit-exact with the
 * reference engine (src/model/engine/kernels.ts softmax and the gemmlowp
 * fixed-point functions of src/model/engine/fixed-point.ts, ported here):
 * differences to the row maximum are scaled into Q5.26, exponentiated in
 * fixed point, summed in Q12.19, and each exponential is multiplied by the
 * reciprocal of the sum. int32 additions wrap, as the engine's `| 0` does;
 * shift counts follow the engine's (JavaScript) modulo-32 semantics.
 */
#include "snn.h"
#include "snn_requant.h"

static inline int32_t add32(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t sub32(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* The engine's roundingDivideByPOT: exponent 0 is the identity; >= 31 uses mask 2^31 - 1. */
static int32_t rdbpot(int32_t x, int32_t e) {
  if (e == 0) return x;
  const int32_t mask = e >= 31 ? INT32_MAX : (int32_t)((1u << e) - 1u);
  const int32_t rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (e & 31)) + (rem > threshold ? 1 : 0);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT. */
static int32_t sat_mul_pot(int32_t x, int32_t e) {
  if (e <= 0) return rdbpot(x, -e);
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out. */
static int32_t exp_quarter(int32_t a) {
  const int32_t constant_term = 1895147668; /* exp(-1/8) */
  const int32_t one_third = 715827883;
  const int32_t x = add32(a, 1 << 28);
  const int32_t x2 = snn_srdhm(x, x);
  const int32_t x3 = snn_srdhm(x2, x);
  const int32_t x4 = snn_srdhm(x2, x2);
  const int32_t x4_over_4 = rdbpot(x4, 2);
  const int32_t poly = rdbpot(add32(snn_srdhm(add32(x4_over_4, x3), one_third), x2), 1);
  return add32(constant_term, snn_srdhm(constant_term, add32(x, poly)));
}

/* exp(a) for a <= 0 in Q5.26 (5 integer bits), result Q0.31. */
static int32_t exp_negative_q5_26(int32_t a) {
  const int32_t fractional_bits = 26;
  const int32_t one_quarter = 1 << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_quarter = sub32(a & mask, one_quarter);
  int32_t result = exp_quarter(sat_mul_pot(a_mod_quarter_minus_quarter, 5));
  const int32_t remainder = sub32(a_mod_quarter_minus_quarter, a);
  static const int32_t barrel[7][2] = {
      {-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308}, {2, 39332535}, {3, 720401}, {4, 242},
  };
  for (int32_t i = 0; i < 7; i++) {
    const int32_t bit = fractional_bits + barrel[i][0];
    if (remainder & (int32_t)(1u << bit)) result = snn_srdhm(result, barrel[i][1]);
  }
  if (a == 0) result = INT32_MAX;
  return result;
}

/* 1 / (1 + a) for a in [0, 1) in Q0.31 (Newton-Raphson). */
static int32_t one_over_one_plus(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = add32(1515870810, snn_srdhm(half_denominator, -1010580540));
  for (int32_t i = 0; i < 3; i++) {
    const int32_t half_denominator_times_x = snn_srdhm(half_denominator, x);
    const int32_t one_minus = sub32(1 << 29, half_denominator_times_x);
    x = add32(x, sat_mul_pot(snn_srdhm(x, one_minus), 2));
  }
  return sat_mul_pot(x, 1);
}

static inline int32_t clz32(int32_t x) {
  return x == 0 ? 32 : __builtin_clz((uint32_t)x);
}

void snn_softmax_s8(const snn_softmax_params *p, const int8_t *in, int8_t *out) {
  const int32_t accumulation_bits = 12;
  const int32_t ls = p->input_left_shift & 31;
  for (int32_t i = 0; i < p->outer; i++) {
    const int8_t *x = in + i * p->depth;
    int8_t *y = out + i * p->depth;
    int32_t max = -128;
    for (int32_t c = 0; c < p->depth; c++) max = x[c] > max ? x[c] : max;
    int32_t sum = 0;
    for (int32_t c = 0; c < p->depth; c++) {
      const int32_t diff = x[c] - max;
      if (diff >= p->diff_min) {
        const int32_t scaled = snn_srdhm((int32_t)((uint32_t)diff << ls), p->input_multiplier);
        sum = add32(sum, rdbpot(exp_negative_q5_26(scaled), accumulation_bits));
      }
    }
    const int32_t headroom_plus_one = clz32(sum);
    const int32_t bits_over_unit = accumulation_bits - headroom_plus_one;
    const int32_t shifted_minus_one = (int32_t)(((uint32_t)sum << (headroom_plus_one & 31)) - 0x80000000u);
    const int32_t scale = one_over_one_plus(shifted_minus_one);
    for (int32_t c = 0; c < p->depth; c++) {
      const int32_t diff = x[c] - max;
      if (diff >= p->diff_min) {
        const int32_t scaled = snn_srdhm((int32_t)((uint32_t)diff << ls), p->input_multiplier);
        const int32_t e = exp_negative_q5_26(scaled);
        const int32_t unsat = rdbpot(snn_srdhm(scale, e), bits_over_unit + 31 - 8);
        y[c] = (int8_t)(unsat > 255 ? 127 : (unsat < 0 ? -128 : unsat - 128));
      } else {
        y[c] = -128;
      }
    }
  }
}
