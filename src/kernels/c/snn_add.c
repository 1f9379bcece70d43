/*
 * ADD, int8 (TFLite's integer Add): each input minus its zero point is
 * shifted left by left_shift (20) and rescaled to a common scale, the two are
 * summed (int32, wrapping) and the sum is requantized to the output.
 *
 * Table form (p->table != 0; src/kernels/baseline/add-tables.ts builds it
 * and explains why it is exact): 2 * the rescaled inputs are two 256-entry
 * int32 tables indexed by the unsigned input byte, copied to the scratch
 * (SRAM: random lookups into flash would miss the data cache); with
 * S = ta[a] + tb[b] the output is
 *     clamp((v + (v >> 31) + rounding) >> e, act_min, act_max),  v = SMMULR(S, out_mult)
 * Byte loads and stores (no alignment assumption on the tensors); two
 * elements per iteration in assembly when the range is the whole int8 range
 * (SSAT), else one at a time with the clamp.
 */
#include "snn.h"
#include <arm_acle.h>
#include "snn_output.h"
#include "snn_requant.h"

/* (s * m + 2^31) >> 32: SMMULR. */
static inline int32_t snn_smmulr(int32_t s, int32_t m) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(s), "r"(m));
  return r;
}

/* The exact two-step path (no table form exists for these parameters). */
static void add_two_step(const snn_add_params *p, const int8_t *a, const int8_t *b, int8_t *out) {
  const int32_t n = p->count;
  const int32_t ls = p->left_shift & 31;
  const int32_t a_zp = p->a_zp;
  const int32_t b_zp = p->b_zp;
  const snn_rq ra = snn_rq_of(p->a_mult, p->a_shift);
  const snn_rq rb = snn_rq_of(p->b_mult, p->b_shift);
  const snn_rq ro = snn_rq_of(p->out_mult, p->out_shift);
  const int32_t zp = p->out_zp;
  const int32_t lo = p->act_min - zp;
  const int32_t hi = p->act_max - zp;
  for (int32_t i = 0; i < n; i++) {
    const int32_t sa = snn_rq_apply(ra, (int32_t)((uint32_t)(a[i] - a_zp) << ls));
    const int32_t sb = snn_rq_apply(rb, (int32_t)((uint32_t)(b[i] - b_zp) << ls));
    out[i] = snn_clamp_zp(snn_rq_apply(ro, (int32_t)((uint32_t)sa + (uint32_t)sb)), lo, hi, zp);
  }
}

/* One element of the table form, before the clamp. */
#define SNN_ADD_ELEM(k)                                       \
  ({                                                          \
    const int32_t v = snn_smmulr(ta[ua[k]] + tb[ub[k]], m);   \
    (v + (v >> 31) + c) >> e;                                 \
  })

void snn_add_s8(const snn_add_params *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t *scratch) {
  if (p->table == 0) {
    add_two_step(p, a, b, out);
    return;
  }
  /* Tables to SRAM: 512 words, four per iteration. */
  const int32_t *src = p->table;
  for (int32_t i = 0; i < 512; i += 4) {
    const int32_t t0 = src[i], t1 = src[i + 1], t2 = src[i + 2], t3 = src[i + 3];
    scratch[i] = t0;
    scratch[i + 1] = t1;
    scratch[i + 2] = t2;
    scratch[i + 3] = t3;
  }
  const int32_t *ta = scratch;
  const int32_t *tb = scratch + 256;
  const int32_t m = p->out_mult;
  const int32_t e = p->table_shift;
  const int32_t c = p->table_rounding;
  const int32_t lo = p->act_min;
  const int32_t hi = p->act_max;
  const uint8_t *ua = (const uint8_t *)a;
  const uint8_t *ub = (const uint8_t *)b;
  int8_t *o = out;
  int32_t n = p->count;
  if (lo == -128 && hi == 127 && n >= 4) {
    /*
     * Four elements per iteration (two pairs), scheduled for the M4
     * pipeline: per pair, four byte loads (16-bit encodings) and four
     * table loads (32-bit, word-aligned so that they pipeline) back to back,
     * and each store followed by arithmetic (one cycle through the write
     * buffer). Low registers for the 16-bit forms.
     */
    const int32_t quads = n >> 2;
    const uint8_t *end = ua + 4 * quads;
    register uint32_t a0 __asm__("r0");
    register uint32_t a1 __asm__("r1");
    register uint32_t b0 __asm__("r2");
    register uint32_t b1 __asm__("r3");
    register const uint8_t *ra __asm__("r4") = ua;
    register const uint8_t *rb __asm__("r5") = ub;
    register int8_t *ro __asm__("r6") = o;
#define SNN_ADD_PAIR(k, k1)                              \
  "ldrb %[a0], [%[ua], #" k "]\n\t"                   \
  "ldrb %[a1], [%[ua], #" k1 "]\n\t"                  \
  "ldrb %[b0], [%[ub], #" k "]\n\t"                   \
  "ldrb %[b1], [%[ub], #" k1 "]\n\t"                  \
  "ldr.w %[a0], [%[ta], %[a0], lsl #2]\n\t"           \
  "ldr.w %[b0], [%[tb], %[b0], lsl #2]\n\t"           \
  "ldr.w %[a1], [%[ta], %[a1], lsl #2]\n\t"           \
  "ldr.w %[b1], [%[tb], %[b1], lsl #2]\n\t"           \
  "adds %[a0], %[a0], %[b0]\n\t"                      \
  "adds %[a1], %[a1], %[b1]\n\t"                      \
  "smmulr %[a0], %[a0], %[m]\n\t"                     \
  "smmulr %[a1], %[a1], %[m]\n\t"                     \
  "add %[a0], %[a0], %[a0], asr #31\n\t"              \
  "add %[a1], %[a1], %[a1], asr #31\n\t"              \
  "add %[a0], %[a0], %[c]\n\t"                        \
  "add %[a1], %[a1], %[c]\n\t"                        \
  "asr %[a0], %[a0], %[e]\n\t"                        \
  "asr %[a1], %[a1], %[e]\n\t"                        \
  "ssat %[a0], #8, %[a0]\n\t"                         \
  "strb %[a0], [%[o], #" k "]\n\t"                    \
  "ssat %[a1], #8, %[a1]\n\t"                         \
  "strb %[a1], [%[o], #" k1 "]\n\t"
    __asm__ volatile(
        ".p2align 2\n"
        "1:\n\t"
        SNN_ADD_PAIR("0", "1")
        SNN_ADD_PAIR("2", "3")
        "adds %[o], #4\n\t"
        "adds %[ua], #4\n\t"
        "adds %[ub], #4\n\t"
        "cmp %[ua], %[end]\n\t"
        "bne 1b\n\t"
        : [ua] "+l"(ra), [ub] "+l"(rb), [o] "+l"(ro), [a0] "=&l"(a0), [b0] "=&l"(b0), [a1] "=&l"(a1), [b1] "=&l"(b1)
        : [ta] "r"(ta), [tb] "r"(tb), [m] "r"(m), [c] "r"(c), [e] "r"(e), [end] "r"(end)
        : "cc", "memory");
#undef SNN_ADD_PAIR
    ua = ra;
    ub = rb;
    o = ro;
    n -= 4 * quads;
  }
  for (; n > 0; n--, ua++, ub++, o++) o[0] = (int8_t)snn_clamp(SNN_ADD_ELEM(0), lo, hi);
}
