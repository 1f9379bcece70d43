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
