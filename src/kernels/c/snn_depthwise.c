/*
 * DEPTHWISE_CONV_2D, int8: direct loops (TFLite's DepthwiseConvPerChannel
 * order). Output channel oc = ic * depth_multiplier + m reads input channel
 * ic; taps outside the input (padding) contribute nothing.
 *
 * Fast path (depth multiplier 1, channels a multiple of 4, word-aligned
 * tensors): four channels per word. For every valid tap the input word is
 * widened with SXTAB16 (input offset added: [x0, x2] and [x1, x3]) and the
 * weight word with SXTB16, and the four channel products accumulate with
 * SMLABB / SMLATT (16 x 16 multiply-accumulate of the bottom or top halves);
 * channel groups are the outer loop (weights widened once per group), a
 * whole 3x3 window is unrolled and other windows are clipped once per
 * output position. The output uses
 * snn_out8_fast when the emitter proved it exact.
 */
#include <arm_acle.h>
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

/* Largest k_h * k_w of the fast path (its widened weights live on the stack). */
#define SNN_DW_MAX_TAPS 25

/* One tap t of four channels: input word x against the widened weights w02[t], w13[t], into a0..a3. */
#define DW_TAP(x, t)                                       \
  do {                                                     \
    const uint32_t xv = (x);                               \
    const uint32_t x02 = snn_sxtab16(off2, xv);            \
    const uint32_t x13 = snn_sxtab16_ror8(off2, xv);       \
    a0 = __smlabb((int32_t)x02, (int32_t)w02[t], a0);      \
    a2 = __smlatt((int32_t)x02, (int32_t)w02[t], a2);      \
    a1 = __smlabb((int32_t)x13, (int32_t)w13[t], a1);      \
    a3 = __smlatt((int32_t)x13, (int32_t)w13[t], a3);      \
  } while (0)

static void depthwise_quad(const snn_depthwise_params *p, const int8_t *in, int8_t *out) {
  const snn_window *g = &p->win;
  const int32_t c = g->in_c;
  const int32_t cw = c >> 2;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  const int32_t lo = q->act_min - zp;
  const int32_t hi = q->act_max - zp;
  const int whole3x3 = g->k_h == 3 && g->k_w == 3 && g->dil_h == 1 && g->dil_w == 1;
  const int32_t rs = g->in_w * cw; /* words per input row */
  const int32_t taps = g->k_h * g->k_w;
  /*
   * Channel groups outermost: a group's weights (widened once, on the
   * stack), bias and requantization stay in SRAM and registers for the whole
   * plane instead of being read from flash at every position.
   */
  uint32_t w02[SNN_DW_MAX_TAPS], w13[SNN_DW_MAX_TAPS];
  for (int32_t k = 0; k < cw; k++) {
    const int32_t ch = 4 * k;
    const uint32_t *wsrc = (const uint32_t *)(const void *)p->weights + k;
    for (int32_t t = 0; t < taps; t++) {
      w02[t] = snn_sxtb16(wsrc[t * cw]);
      w13[t] = snn_sxtb16_ror8(wsrc[t * cw]);
    }
    const int32_t b0 = p->bias[ch], b1 = p->bias[ch + 1], b2 = p->bias[ch + 2], b3 = p->bias[ch + 3];
    const int32_t m0 = q->multiplier[ch], m1 = q->multiplier[ch + 1], m2 = q->multiplier[ch + 2], m3 = q->multiplier[ch + 3];
    const int32_t s0 = q->shift[ch], s1 = q->shift[ch + 1], s2 = q->shift[ch + 2], s3 = q->shift[ch + 3];
    for (int32_t b = 0; b < g->batches; b++) {
      const uint32_t *img = (const uint32_t *)(const void *)(in + b * g->in_h * g->in_w * c) + k;
      int8_t *o = out + b * g->out_h * g->out_w * c + ch;
      for (int32_t oy = 0; oy < g->out_h; oy++) {
        const int32_t y0 = oy * g->stride_h - g->pad_top;
        const int32_t ky0 = y0 < 0 ? (-y0 + g->dil_h - 1) / g->dil_h : 0;
        int32_t ky1 = g->k_h;
        while (ky1 > ky0 && y0 + (ky1 - 1) * g->dil_h >= g->in_h) ky1--;
        for (int32_t ox = 0; ox < g->out_w; ox++, o += c) {
          const int32_t x0 = ox * g->stride_w - g->pad_left;
          int32_t a0 = b0, a1 = b1, a2 = b2, a3 = b3;
          if (whole3x3 && ky0 == 0 && ky1 == 3 && x0 >= 0 && x0 + 3 <= g->in_w) {
            /* A whole undilated 3x3 window: nine taps unrolled. */
            const uint32_t *r = img + (y0 * g->in_w + x0) * cw;
            DW_TAP(r[0], 0);
            DW_TAP(r[cw], 1);
            DW_TAP(r[2 * cw], 2);
            r += rs;
            DW_TAP(r[0], 3);
            DW_TAP(r[cw], 4);
            DW_TAP(r[2 * cw], 5);
            r += rs;
            DW_TAP(r[0], 6);
            DW_TAP(r[cw], 7);
            DW_TAP(r[2 * cw], 8);
          } else {
            const int32_t kx0 = x0 < 0 ? (-x0 + g->dil_w - 1) / g->dil_w : 0;
            int32_t kx1 = g->k_w;
            while (kx1 > kx0 && x0 + (kx1 - 1) * g->dil_w >= g->in_w) kx1--;
            for (int32_t ky = ky0; ky < ky1; ky++) {
              const uint32_t *row = img + (y0 + ky * g->dil_h) * rs;
              for (int32_t kx = kx0; kx < kx1; kx++) DW_TAP(row[(x0 + kx * g->dil_w) * cw], ky * g->k_w + kx);
            }
          }
          if (p->fast_rq) {
            o[0] = snn_out8_fast(a0, m0, -s0, zp, q->act_min, q->act_max);
            o[1] = snn_out8_fast(a1, m1, -s1, zp, q->act_min, q->act_max);
            o[2] = snn_out8_fast(a2, m2, -s2, zp, q->act_min, q->act_max);
            o[3] = snn_out8_fast(a3, m3, -s3, zp, q->act_min, q->act_max);
          } else {
            o[0] = snn_out8(a0, m0, s0, lo, hi, zp);
            o[1] = snn_out8(a1, m1, s1, lo, hi, zp);
            o[2] = snn_out8(a2, m2, s2, lo, hi, zp);
            o[3] = snn_out8(a3, m3, s3, lo, hi, zp);
          }
        }
      }
    }
  }
}

void snn_depthwise_s8(const snn_depthwise_params *flash_params, const int8_t *in, int8_t *out) {
  const snn_depthwise_params params = *flash_params; /* fields read from SRAM, not flash */
  const snn_depthwise_params *p = &params;
  const snn_window *g = &p->win;
  if (p->depth_multiplier == 1 && (g->in_c & 3) == 0 && g->k_h * g->k_w <= SNN_DW_MAX_TAPS &&
      (((uintptr_t)in | (uintptr_t)out) & 3) == 0) {
    depthwise_quad(p, in, out);
    return;
  }
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
