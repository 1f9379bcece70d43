/*
 * PAD, int8, any rank up to SNN_PAD_MAX_RANK: the output is filled with the
 * pad value, then every innermost input row is copied to its place.
 */
#include "snn.h"

void snn_pad_s8(const snn_pad_params *p, const int8_t *in, int8_t *out) {
  const int32_t r = p->rank;
  int32_t total = 1;
  for (int32_t d = 0; d < r; d++) total *= p->out_shape[d];
  for (int32_t i = 0; i < total; i++) out[i] = (int8_t)p->value;
  /* Output strides (elements) of each axis. */
  int32_t stride[SNN_PAD_MAX_RANK];
  int32_t s = 1;
  for (int32_t d = r - 1; d >= 0; d--) {
    stride[d] = s;
    s *= p->out_shape[d];
  }
  const int32_t row = p->in_shape[r - 1];
  int32_t rows = 1;
  for (int32_t d = 0; d < r - 1; d++) rows *= p->in_shape[d];
  int32_t idx[SNN_PAD_MAX_RANK] = {0};
  for (int32_t n = 0; n < rows; n++) {
    int32_t o = p->before[r - 1];
    for (int32_t d = 0; d < r - 1; d++) o += (idx[d] + p->before[d]) * stride[d];
    for (int32_t i = 0; i < row; i++) out[o + i] = *in++;
    for (int32_t d = r - 2; d >= 0; d--) {
      if (++idx[d] < p->in_shape[d]) break;
      idx[d] = 0;
    }
  }
}
