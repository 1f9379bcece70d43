/*
 * MEAN over H and W, int8 (TFLite's integer Mean): the sum of (input - zero
 * point) over the spatial positions is requantized, divided by their count
 * rounding half away from zero, offset by the output zero point and clamped.
 */
#include "snn.h"
#include "snn_output.h"

void snn_mean_s8(const snn_mean_params *p, const int8_t *in, int8_t *out) {
  const int32_t count = p->h * p->w;
  const int64_t half = count / 2;
  for (int32_t b = 0; b < p->batches; b++) {
    const int8_t *img = in + b * count * p->c;
    for (int32_t ch = 0; ch < p->c; ch++) {
      int32_t acc = 0;
      for (int32_t i = 0; i < count; i++) acc += img[i * p->c + ch] - p->in_zp;
      const int64_t v = snn_mbqm(acc, p->multiplier, p->shift);
      int64_t q = (v > 0 ? v + half : v - half) / count;
      q += p->out_zp;
      *out++ = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
    }
  }
}
