/*
 * ADD, int8 (TFLite's integer Add): each input minus its zero point is
 * shifted left by left_shift (20) and rescaled to a common scale, the two are
 * summed (int32, wrapping) and the sum is requantized to the output.
 */
#include "snn.h"
#include "snn_output.h"

void snn_add_s8(const snn_add_params *p, const int8_t *a, const int8_t *b, int8_t *out) {
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
