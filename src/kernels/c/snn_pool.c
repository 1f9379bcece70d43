/*
 * MAX_POOL_2D and AVERAGE_POOL_2D, int8. Windows are clipped to the input
 * (padding taps are not counted). Max pooling of four channels at once uses
 * SSUB8 (per-byte signed compare into the GE flags) and SEL when the channel
 * count is a multiple of four; average pooling divides the window sum by the
 * number of valid taps, rounding half away from zero as TFLite does.
 */
#include "snn.h"
#include "snn_dsp.h"
#include <stddef.h>

/* Per-byte signed maximum of two words of four int8. */
static inline uint32_t max4(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

/* Per-byte signed minimum of two words of four int8. */
static inline uint32_t min4(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

/* A byte repeated in the four lanes of a word. */
static inline uint32_t splat4(int32_t v) {
  return ((uint32_t)v & 0xffu) * 0x01010101u;
}

static inline int32_t clamp(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* The valid window [fy0, fy1) x [fx0, fx1) of output (oy, ox) and its input origin. */
typedef struct {
  int32_t y0, x0, fy0, fy1, fx0, fx1;
} window_span;

static inline window_span span_of(const snn_window *g, int32_t oy, int32_t ox) {
  window_span s;
  s.y0 = oy * g->stride_h - g->pad_top;
  s.x0 = ox * g->stride_w - g->pad_left;
  s.fy0 = s.y0 < 0 ? -s.y0 : 0;
  s.fy1 = g->in_h - s.y0 < g->k_h ? g->in_h - s.y0 : g->k_h;
  s.fx0 = s.x0 < 0 ? -s.x0 : 0;
  s.fx1 = g->in_w - s.x0 < g->k_w ? g->in_w - s.x0 : g->k_w;
  return s;
}

void snn_max_pool_s8(const snn_pool_params *p, const int8_t *in, int8_t *out) {
  const snn_window *g = &p->win;
  const int32_t c = g->in_c;
  const int words = (c & 3) == 0;
  const int aligned = (((uintptr_t)in | (uintptr_t)out) & 3) == 0;
  const uint32_t lo4 = splat4(p->act_min);
  const uint32_t hi4 = splat4(p->act_max);
  for (int32_t b = 0; b < g->batches; b++) {
    const int8_t *img = in + b * g->in_h * g->in_w * c;
    for (int32_t oy = 0; oy < g->out_h; oy++) {
      for (int32_t ox = 0; ox < g->out_w; ox++, out += c) {
        const window_span s = span_of(g, oy, ox);
        if (words && aligned && s.fy1 - s.fy0 == 2 && s.fx1 - s.fx0 == 2) {
          /* A whole 2 x 2 window (the common case), four channels per word. */
          const uint32_t *r0 = (const uint32_t *)(const void *)(img + ((s.y0 + s.fy0) * g->in_w + s.x0 + s.fx0) * c);
          const uint32_t *r1 = r0 + ((g->in_w * c) >> 2);
          const int32_t cw = c >> 2;
          uint32_t *o = (uint32_t *)(void *)out;
          for (int32_t k = 0; k < cw; k++) o[k] = min4(max4(max4(max4(r0[k], r0[k + cw]), max4(r1[k], r1[k + cw])), lo4), hi4);
        } else if (words && aligned) {
          /* Four channels per word: word loads and stores (c % 4 == 0 and word-aligned tensors), the clamp four bytes at a time. */
          for (int32_t ch = 0; ch < c; ch += 4) {
            uint32_t m = 0x80808080u;
            for (int32_t fy = s.fy0; fy < s.fy1; fy++) {
              const uint32_t *src = (const uint32_t *)(const void *)(img + ((s.y0 + fy) * g->in_w + s.x0 + s.fx0) * c + ch);
              for (int32_t fx = s.fx0; fx < s.fx1; fx++, src += c >> 2) m = max4(*src, m);
            }
            *(uint32_t *)(void *)(out + ch) = min4(max4(m, lo4), hi4);
          }
        } else if (words) {
          for (int32_t ch = 0; ch < c; ch += 4) {
            uint32_t m = 0x80808080u;
            for (int32_t fy = s.fy0; fy < s.fy1; fy++) {
              const int8_t *src = img + ((s.y0 + fy) * g->in_w + s.x0 + s.fx0) * c + ch;
              for (int32_t fx = s.fx0; fx < s.fx1; fx++, src += c) m = max4(snn_ld32(src), m);
            }
            for (int32_t k = 0; k < 4; k++) out[ch + k] = (int8_t)clamp((int8_t)(m >> (8 * k)), p->act_min, p->act_max);
          }
        } else {
          for (int32_t ch = 0; ch < c; ch++) {
            int32_t m = -128;
            for (int32_t fy = s.fy0; fy < s.fy1; fy++) {
              const int8_t *src = img + ((s.y0 + fy) * g->in_w + s.x0 + s.fx0) * c + ch;
              for (int32_t fx = s.fx0; fx < s.fx1; fx++, src += c) m = *src > m ? *src : m;
            }
            out[ch] = (int8_t)clamp(m, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}

void snn_avg_pool_s8(const snn_pool_params *p, const int8_t *in, int8_t *out) {
  const snn_window *g = &p->win;
  const int32_t c = g->in_c;
  for (int32_t b = 0; b < g->batches; b++) {
    const int8_t *img = in + b * g->in_h * g->in_w * c;
    for (int32_t oy = 0; oy < g->out_h; oy++) {
      for (int32_t ox = 0; ox < g->out_w; ox++, out += c) {
        const window_span s = span_of(g, oy, ox);
        const int32_t count = (s.fy1 - s.fy0) * (s.fx1 - s.fx0);
        const int32_t half = count / 2;
        int32_t ch = 0;
        if ((c & 3) == 0 && count <= 255) {
          /*
           * Four channels per word: SXTAB16 adds lanes [c0, c2] and (rotated) [c1, c3] into two words of
           * 16-bit sums, exact since |sum| <= 255 * 128 < 2^15 (lane arithmetic is modulo 2^16).
           */
          for (; ch < c; ch += 4) {
            uint32_t s02 = 0, s13 = 0;
            for (int32_t fy = s.fy0; fy < s.fy1; fy++) {
              const int8_t *src = img + ((s.y0 + fy) * g->in_w + s.x0 + s.fx0) * c + ch;
              for (int32_t fx = s.fx0; fx < s.fx1; fx++, src += c) {
                const uint32_t v = snn_ld32(src);
                s02 = snn_sxtab16(s02, v);
                s13 = snn_sxtab16_ror8(s13, v);
              }
            }
            const int32_t sums[4] = {(int16_t)s02, (int16_t)s13, (int16_t)(s02 >> 16), (int16_t)(s13 >> 16)};
            for (int32_t k = 0; k < 4; k++) {
              const int32_t acc = sums[k] > 0 ? (sums[k] + half) / count : (sums[k] - half) / count;
              out[ch + k] = (int8_t)clamp(acc, p->act_min, p->act_max);
            }
          }
        }
        for (; ch < c; ch++) {
          int32_t acc = 0;
          for (int32_t fy = s.fy0; fy < s.fy1; fy++) {
            const int8_t *src = img + ((s.y0 + fy) * g->in_w + s.x0 + s.fx0) * c + ch;
            for (int32_t fx = s.fx0; fx < s.fx1; fx++, src += c) acc += *src;
          }
          acc = acc > 0 ? (acc + half) / count : (acc - half) / count;
          out[ch] = (int8_t)clamp(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}
