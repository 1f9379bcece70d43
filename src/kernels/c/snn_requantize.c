/* QUANTIZE between int8 tensors: (input - in_zp) rescaled, plus out_zp, saturated to int8. */
#include "snn.h"
#include "snn_output.h"

void snn_requantize_s8(const snn_requantize_params *p, const int8_t *in, int8_t *out) {
  const int32_t n = p->count;
  const int32_t in_zp = p->in_zp;
  const int32_t zp = p->out_zp;
  const snn_rq rq = snn_rq_of(p->multiplier, p->shift);
  for (int32_t i = 0; i < n; i++) out[i] = snn_clamp_zp(snn_rq_apply(rq, in[i] - in_zp), -128 - zp, 127 - zp, zp);
}
