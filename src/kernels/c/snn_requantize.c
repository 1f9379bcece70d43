/* QUANTIZE between int8 tensors: (input - in_zp) rescaled, plus out_zp, saturated to int8. */
#include "snn.h"
#include "snn_output.h"

void snn_requantize_s8(const snn_requantize_params *p, const int8_t *in, int8_t *out) {
  const int32_t zp = p->out_zp;
  for (int32_t i = 0; i < p->count; i++) {
    out[i] = snn_out8(in[i] - p->in_zp, p->multiplier, p->shift, -128 - zp, 127 - zp, zp);
  }
}
