/*
 * FULLY_CONNECTED, int8: a vector-by-matrix product over the input with
 * SMLAD, two output rows at a time. Each word of four inputs is widened once
 * with SXTB16 (pairs [x0, x2] and [x1, x3]) and used for both rows; each
 * weight word is widened the same way, so the pairs line up without
 * re-packing. The input offset is folded into the bias by the emitter, so the
 * raw int8 inputs are multiplied directly.
 */
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

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
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  y[o] = snn_out8(a, q->multiplier[o], q->shift[o], q->act_min - zp, q->act_max - zp, zp);
  y[o + 1] = snn_out8(b, q->multiplier[o + 1], q->shift[o + 1], q->act_min - zp, q->act_max - zp, zp);
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
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  y[o] = snn_out8(a, q->multiplier[o], q->shift[o], q->act_min - zp, q->act_max - zp, zp);
}

void snn_fc_s8(const snn_fc_params *p, const int8_t *in, int8_t *out) {
  for (int32_t bt = 0; bt < p->batches; bt++) {
    const int8_t *x = in + bt * p->in_features;
    int8_t *y = out + bt * p->out_features;
    int32_t o = 0;
    for (; o + 2 <= p->out_features; o += 2) fc_rows_2(p, x, o, y);
    if (o < p->out_features) fc_row_1(p, x, o, y);
  }
}
