/*
 * FULLY_CONNECTED, int8: a vector-by-matrix product over the input with
 * SMLAD, four output rows at a time (then two, then one); with in_features a
 * multiple of 4 the emitter interleaves each block of four rows by word, so
 * one pointer reads the block (fc_block_4). Each word of four inputs is widened once
 * with SXTB16 (pairs [x0, x2] and [x1, x3]) and used for both rows; each
 * weight word is widened the same way, so the pairs line up without
 * re-packing. The input offset is folded into the bias by the emitter, so the
 * raw int8 inputs are multiplied directly.
 */
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

/* The int8 output of row o for accumulator acc. */
static inline int8_t fc_out(const snn_fc_params *p, int32_t acc, int32_t o) {
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  if (p->fast_rq) return snn_out8_fast(acc, q->multiplier[o], -q->shift[o], zp, q->act_min, q->act_max);
  return snn_out8(acc, q->multiplier[o], q->shift[o], q->act_min - zp, q->act_max - zp, zp);
}

/* Rows o .. o + 3 of one batch: each input word is widened once for four rows. */
static void __attribute__((noinline)) fc_rows_4(const snn_fc_params *p, const int8_t *x, int32_t o, int8_t *y) {
  const int32_t n = p->in_features;
  const int8_t *w0 = p->weights + o * n;
  const int8_t *w1 = w0 + n;
  const int8_t *w2 = w1 + n;
  const int8_t *w3 = w2 + n;
  const int8_t *xp = x;
  int32_t a0 = p->bias[o], a1 = p->bias[o + 1], a2 = p->bias[o + 2], a3 = p->bias[o + 3];
  for (int32_t i = n >> 2; i > 0; i--) {
    const uint32_t v = snn_ld32(xp);
    xp += 4;
    const uint32_t v02 = snn_sxtb16(v);
    const uint32_t v13 = snn_sxtb16_ror8(v);
    uint32_t w = snn_ld32(w0);
    w0 += 4;
    a0 = snn_smlad(snn_sxtb16(w), v02, a0);
    a0 = snn_smlad(snn_sxtb16_ror8(w), v13, a0);
    w = snn_ld32(w1);
    w1 += 4;
    a1 = snn_smlad(snn_sxtb16(w), v02, a1);
    a1 = snn_smlad(snn_sxtb16_ror8(w), v13, a1);
    w = snn_ld32(w2);
    w2 += 4;
    a2 = snn_smlad(snn_sxtb16(w), v02, a2);
    a2 = snn_smlad(snn_sxtb16_ror8(w), v13, a2);
    w = snn_ld32(w3);
    w3 += 4;
    a3 = snn_smlad(snn_sxtb16(w), v02, a3);
    a3 = snn_smlad(snn_sxtb16_ror8(w), v13, a3);
  }
  for (int32_t t = 0; t < (n & 3); t++) {
    a0 += w0[t] * xp[t];
    a1 += w1[t] * xp[t];
    a2 += w2[t] * xp[t];
    a3 += w3[t] * xp[t];
  }
  y[o] = fc_out(p, a0, o);
  y[o + 1] = fc_out(p, a1, o + 1);
  y[o + 2] = fc_out(p, a2, o + 2);
  y[o + 3] = fc_out(p, a3, o + 3);
}

/*
 * Rows o .. o + 3 of one batch from an interleaved block (wp: 16 bytes per
 * input word, the four rows' words together; n a multiple of 4): one pointer
 * and four consecutive loads per input word.
 */
static void __attribute__((noinline)) fc_block_4(const snn_fc_params *p, const int8_t *x, const uint32_t *wp, int32_t o, int8_t *y) {
  const int8_t *xp = x;
  const int8_t *end = x + p->in_features;
  int32_t a0 = p->bias[o], a1 = p->bias[o + 1], a2 = p->bias[o + 2], a3 = p->bias[o + 3];
  while (xp != end) {
    const uint32_t v = snn_ld32(xp);
    xp += 4;
    const uint32_t v02 = snn_sxtb16(v);
    const uint32_t v13 = snn_sxtb16_ror8(v);
    const uint32_t w0 = wp[0], w1 = wp[1], w2 = wp[2], w3 = wp[3];
    wp += 4;
    a0 = snn_smlad(snn_sxtb16(w0), v02, a0);
    a0 = snn_smlad(snn_sxtb16_ror8(w0), v13, a0);
    a1 = snn_smlad(snn_sxtb16(w1), v02, a1);
    a1 = snn_smlad(snn_sxtb16_ror8(w1), v13, a1);
    a2 = snn_smlad(snn_sxtb16(w2), v02, a2);
    a2 = snn_smlad(snn_sxtb16_ror8(w2), v13, a2);
    a3 = snn_smlad(snn_sxtb16(w3), v02, a3);
    a3 = snn_smlad(snn_sxtb16_ror8(w3), v13, a3);
  }
  y[o] = fc_out(p, a0, o);
  y[o + 1] = fc_out(p, a1, o + 1);
  y[o + 2] = fc_out(p, a2, o + 2);
  y[o + 3] = fc_out(p, a3, o + 3);
}

/* Rows o and o + 1 of one batch. */
static void __attribute__((noinline)) fc_rows_2(const snn_fc_params *p, const int8_t *x, int32_t o, int8_t *y) {
  const int32_t n = p->in_features;
  const int8_t *wa = p->weights + o * n;
  const int8_t *wb = wa + n;
  const int8_t *xp = x;
  int32_t a = p->bias[o];
  int32_t b = p->bias[o + 1];
  for (int32_t i = n >> 2; i > 0; i--) {
    const uint32_t v = snn_ld32(xp);
    xp += 4;
    const uint32_t v02 = snn_sxtb16(v);
    const uint32_t v13 = snn_sxtb16_ror8(v);
    uint32_t w = snn_ld32(wa);
    wa += 4;
    a = snn_smlad(snn_sxtb16(w), v02, a);
    a = snn_smlad(snn_sxtb16_ror8(w), v13, a);
    w = snn_ld32(wb);
    wb += 4;
    b = snn_smlad(snn_sxtb16(w), v02, b);
    b = snn_smlad(snn_sxtb16_ror8(w), v13, b);
  }
  for (int32_t t = 0; t < (n & 3); t++) {
    a += wa[t] * xp[t];
    b += wb[t] * xp[t];
  }
  y[o] = fc_out(p, a, o);
  y[o + 1] = fc_out(p, b, o + 1);
}

/* Row o of one batch (the odd last row). */
static void __attribute__((noinline)) fc_row_1(const snn_fc_params *p, const int8_t *x, int32_t o, int8_t *y) {
  const int32_t n = p->in_features;
  const int8_t *wa = p->weights + o * n;
  const int8_t *xp = x;
  int32_t a = p->bias[o];
  for (int32_t i = n >> 2; i > 0; i--) {
    const uint32_t v = snn_ld32(xp);
    const uint32_t w = snn_ld32(wa);
    xp += 4;
    wa += 4;
    a = snn_smlad(snn_sxtb16(w), snn_sxtb16(v), a);
    a = snn_smlad(snn_sxtb16_ror8(w), snn_sxtb16_ror8(v), a);
  }
  for (int32_t t = 0; t < (n & 3); t++) a += wa[t] * xp[t];
  y[o] = fc_out(p, a, o);
}

void snn_fc_s8(const snn_fc_params *flash_params, const int8_t *in, int8_t *out) {
  const snn_fc_params params = *flash_params; /* fields read from SRAM, not flash, in the row loops */
  const snn_fc_params *p = &params;
  for (int32_t bt = 0; bt < p->batches; bt++) {
    const int8_t *x = in + bt * p->in_features;
    int8_t *y = out + bt * p->out_features;
    int32_t o = 0;
    if (p->interleaved) {
      for (; o + 4 <= p->out_features; o += 4) fc_block_4(p, x, (const uint32_t *)(const void *)(p->weights + o * p->in_features), o, y);
    } else {
      for (; o + 4 <= p->out_features; o += 4) fc_rows_4(p, x, o, y);
    }
    for (; o + 2 <= p->out_features; o += 2) fc_rows_2(p, x, o, y);
    if (o < p->out_features) fc_row_1(p, x, o, y);
  }
}

/* One input word (four raw int8) against the next four interleaved weight words: 16 multiply-accumulates. */
#define SNN_FC_WORD                              \
  "ldr %[v], [%[xp]], #4\n\t"                    \
  "ldmia %[wp]!, {%[w0], %[w1], %[w2], %[w3]}\n\t" \
  "sxtb16 %[t], %[v]\n\t"                        \
  "sxtb16 %[v], %[v], ror #8\n\t"                \
  "sxtb16 %[u], %[w0]\n\t"                       \
  "smlad %[a0], %[u], %[t], %[a0]\n\t"           \
  "sxtb16 %[w0], %[w0], ror #8\n\t"              \
  "smlad %[a0], %[w0], %[v], %[a0]\n\t"          \
  "sxtb16 %[u], %[w1]\n\t"                       \
  "smlad %[a1], %[u], %[t], %[a1]\n\t"           \
  "sxtb16 %[w1], %[w1], ror #8\n\t"              \
  "smlad %[a1], %[w1], %[v], %[a1]\n\t"          \
  "sxtb16 %[u], %[w2]\n\t"                       \
  "smlad %[a2], %[u], %[t], %[a2]\n\t"           \
  "sxtb16 %[w2], %[w2], ror #8\n\t"              \
  "smlad %[a2], %[w2], %[v], %[a2]\n\t"          \
  "sxtb16 %[u], %[w3]\n\t"                       \
  "smlad %[a3], %[u], %[t], %[a3]\n\t"           \
  "sxtb16 %[w3], %[w3], ror #8\n\t"              \
  "smlad %[a3], %[w3], %[v], %[a3]\n\t"

/*
 * The reduction of a four-row interleaved block over `words` input words
 * (>= 1) in one assembly block: an odd first word, then two words per
 * iteration; per word one input load, one LDM of the four weight words, ten
 * SXTB16 and eight SMLAD. Registers bound by hand (the LDM list ascends).
 * Advances *wpp past the block.
 */
static inline __attribute__((always_inline)) void fc_block_acc(const int8_t *x, const uint32_t **wpp, int32_t words, int32_t acc[4]) {
  register const uint32_t *wp __asm__("r0") = *wpp;
  register uint32_t w0 __asm__("r1");
  register uint32_t w1 __asm__("r2");
  register uint32_t w2 __asm__("r3");
  register uint32_t w3 __asm__("r4");
  register uint32_t t __asm__("r5");
  register uint32_t v __asm__("r6");
  register uint32_t u __asm__("r7");
  register int32_t a0 __asm__("r8") = acc[0];
  register int32_t a1 __asm__("r9") = acc[1];
  register int32_t a2 __asm__("r10") = acc[2];
  register int32_t a3 __asm__("r11") = acc[3];
  register const int8_t *xp __asm__("r12") = x;
  register int32_t n __asm__("lr") = words;
  __asm__ volatile("tst %[n], #1\n\t"
                   "beq 1f\n\t" SNN_FC_WORD
                   "1:\n\t"
                   "asrs %[n], %[n], #1\n\t"
                   "beq 3f\n\t"
                   ".p2align 2\n"
                   "2:\n\t" SNN_FC_WORD SNN_FC_WORD
                   "subs %[n], #1\n\t"
                   "bne 2b\n"
                   "3:\n\t"
                   : [wp] "+l"(wp), [xp] "+r"(xp), [n] "+r"(n), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3),
                     [w0] "=&l"(w0), [w1] "=&l"(w1), [w2] "=&l"(w2), [w3] "=&l"(w3), [t] "=&r"(t), [v] "=&r"(v), [u] "=&r"(u)
                   :
                   : "cc", "memory");
  *wpp = wp;
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

#undef SNN_FC_WORD

/* One output of the fast requantization (multiplier m, exponent e = -shift >= 1; lo, hi the activation range), as a byte. */
static inline uint32_t fc_byte_fast(int32_t acc, int32_t m, int32_t e, int32_t zp, int32_t lo, int32_t hi, const int full) {
  return (uint8_t)snn_clamp_out(snn_rq_fast(acc, m, e, (int32_t)((1u << e) >> 1)), zp, lo, hi, full);
}

/*
 * The four outputs of a block (accumulators a0..a3, rows o .. o + 3; m, sh
 * at row o) packed into one word in one assembly block: SNN_OUT_FAST_Z per
 * output, BFI, and unless the range is all of int8 the clamp four lanes at a
 * time (SSUB8/SEL against the replicated bounds at lohi).
 */
static inline __attribute__((always_inline)) uint32_t fc_out4_fast(int32_t a0, int32_t a1, int32_t a2, int32_t a3, const int32_t *m, const int32_t *sh, int32_t zp,
                                                                  const uint32_t lohi[2], const int full) {
  uint32_t ma, mb, ea, eb;
  __asm__ volatile("ldrd %[ma], %[mb], [%[m]]\n\t"
                   "ldrd %[ea], %[eb], [%[sh]]\n\t"
                   "mvn %[ea], %[ea]\n\t"
                   "mvn %[eb], %[eb]\n\t" SNN_OUT_FAST_Z(a0, ma, ea, zp) SNN_OUT_FAST_Z(a1, mb, eb, zp)
                   "ldrd %[ma], %[mb], [%[m], #8]\n\t"
                   "ldrd %[ea], %[eb], [%[sh], #8]\n\t"
                   "mvn %[ea], %[ea]\n\t"
                   "mvn %[eb], %[eb]\n\t" SNN_OUT_FAST_Z(a2, ma, ea, zp) SNN_OUT_FAST_Z(a3, mb, eb, zp)
                   "bfi %[a0], %[a1], #8, #8\n\t"
                   "bfi %[a0], %[a2], #16, #8\n\t"
                   "bfi %[a0], %[a3], #24, #8\n\t"
                   ".if %c[full] == 0\n\t"
                   "ldrd %[ma], %[mb], [%[lohi]]\n\t"
                   "ssub8 %[ea], %[a0], %[ma]\n\t"
                   "sel %[a0], %[a0], %[ma]\n\t"
                   "ssub8 %[ea], %[mb], %[a0]\n\t"
                   "sel %[a0], %[a0], %[mb]\n\t"
                   ".endif\n\t"
                   : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [ma] "=&r"(ma), [mb] "=&r"(mb), [ea] "=&r"(ea), [eb] "=&r"(eb)
                   : [m] "r"(m), [sh] "r"(sh), [zp] "r"(zp), [lohi] "r"(lohi), [full] "i"(full)
                   : "cc", "memory");
  return (uint32_t)a0;
}

/*
 * The body of snn_fc_fast_s8: every parameter in a local (the int8 stores
 * alias everything, so fields read through the struct would be read again
 * after each store), blocks of four rows (fc_block_acc) with the four
 * outputs stored as one word (fc_out4_fast), then the last rows (row after
 * row in the weights) two and one at a time.
 */
static inline __attribute__((always_inline)) void fc_fast(const snn_fc_params *fp, const int8_t *in, int8_t *out, const int full) {
  const int32_t n = fp->in_features, oc = fp->out_features, batches = fp->batches;
  const int8_t *const weights = fp->weights;
  const int32_t *const bias = fp->bias, *const mult = fp->rq.multiplier, *const shift = fp->rq.shift;
  const int32_t zp = fp->rq.out_zp, lo = fp->rq.act_min, hi = fp->rq.act_max;
  const uint32_t lohi[2] = {((uint32_t)fp->rq.act_min & 0xffu) * 0x01010101u, ((uint32_t)fp->rq.act_max & 0xffu) * 0x01010101u};
  for (int32_t bt = 0; bt < batches; bt++) {
    const int8_t *x = in + bt * n;
    int8_t *y = out + bt * oc;
    const uint32_t *wp = (const uint32_t *)(const void *)weights;
    int32_t o = 0;
    for (; o + 4 <= oc; o += 4) {
      int32_t acc[4] = {bias[o], bias[o + 1], bias[o + 2], bias[o + 3]};
      fc_block_acc(x, &wp, n >> 2, acc);
      const uint32_t word = fc_out4_fast(acc[0], acc[1], acc[2], acc[3], mult + o, shift + o, zp, lohi, full);
      __builtin_memcpy(y + o, &word, 4);
    }
    for (; o + 2 <= oc; o += 2) {
      const int8_t *wa = weights + o * n, *wb = wa + n;
      int32_t a = bias[o], c = bias[o + 1];
      for (const int8_t *xp = x; xp != x + n; xp += 4) {
        const uint32_t v = snn_ld32(xp), w = snn_ld32(wa), z = snn_ld32(wb);
        wa += 4;
        wb += 4;
        const uint32_t v02 = snn_sxtb16(v), v13 = snn_sxtb16_ror8(v);
        a = snn_smlad(snn_sxtb16(w), v02, a);
        a = snn_smlad(snn_sxtb16_ror8(w), v13, a);
        c = snn_smlad(snn_sxtb16(z), v02, c);
        c = snn_smlad(snn_sxtb16_ror8(z), v13, c);
      }
      y[o] = (int8_t)fc_byte_fast(a, mult[o], -shift[o], zp, lo, hi, full);
      y[o + 1] = (int8_t)fc_byte_fast(c, mult[o + 1], -shift[o + 1], zp, lo, hi, full);
    }
    for (; o < oc; o++) {
      const int8_t *wa = weights + o * n, *xp = x;
      int32_t a = bias[o];
      for (int32_t i = n >> 2; i > 0; i--) {
        const uint32_t v = snn_ld32(xp), w = snn_ld32(wa);
        xp += 4;
        wa += 4;
        a = snn_smlad(snn_sxtb16(w), snn_sxtb16(v), a);
        a = snn_smlad(snn_sxtb16_ror8(w), snn_sxtb16_ror8(v), a);
      }
      y[o] = (int8_t)fc_byte_fast(a, mult[o], -shift[o], zp, lo, hi, full);
    }
  }
}

#undef SNN_FC_WORD4

void snn_fc_fast_s8(const snn_fc_params *p, const int8_t *in, int8_t *out) {
  if (p->rq.act_min == -128 && p->rq.act_max == 127) fc_fast(p, in, out, 1);
  else fc_fast(p, in, out, 0);
}
