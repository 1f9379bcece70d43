/*
 * DEPTHWISE_CONV_2D, int8: direct loops (TFLite's DepthwiseConvPerChannel
 * order). Output channel oc = ic * depth_multiplier + m reads input channel
 * ic; taps outside the input (padding) contribute nothing.
 */
#include "snn.h"
#include "snn_output.h"

void snn_depthwise_s8(const snn_depthwise_params *p, const int8_t *in, int8_t *out) {
  const snn_window *g = &p->win;
  const int32_t m_n = p->depth_multiplier;
  const int32_t oc_n = g->out_c;
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  const int32_t lo = q->act_min - zp;
  const int32_t hi = q->act_max - zp;
  for (int32_t b = 0; b < g->batches; b++) {
    const int8_t *img = in + b * g->in_h * g->in_w * g->in_c;
    for (int32_t oy = 0; oy < g->out_h; oy++) {
      const int32_t y0 = oy * g->stride_h - g->pad_top;
      for (int32_t ox = 0; ox < g->out_w; ox++) {
        const int32_t x0 = ox * g->stride_w - g->pad_left;
        for (int32_t ic = 0; ic < g->in_c; ic++) {
          for (int32_t m = 0; m < m_n; m++) {
            const int32_t oc = ic * m_n + m;
            int32_t acc = p->bias[oc];
            for (int32_t ky = 0; ky < g->k_h; ky++) {
              const int32_t iy = y0 + ky * g->dil_h;
              if (iy < 0 || iy >= g->in_h) continue;
              for (int32_t kx = 0; kx < g->k_w; kx++) {
                const int32_t ix = x0 + kx * g->dil_w;
                if (ix < 0 || ix >= g->in_w) continue;
                const int32_t v = img[(iy * g->in_w + ix) * g->in_c + ic] + p->in_offset;
                acc += p->weights[(ky * g->k_w + kx) * oc_n + oc] * v;
              }
            }
            *out++ = snn_out8(acc, q->multiplier[oc], q->shift[oc], lo, hi, zp);
          }
        }
      }
    }
  }
}
