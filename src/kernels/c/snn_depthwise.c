/*
 * DEPTHWISE_CONV_2D, int8: direct loops (TFLite's DepthwiseConvPerChannel
 * order). Output channel oc = ic * depth_multiplier + m reads input channel
 * ic; taps outside the input (padding) contribute nothing.
 *
 * Fast path (depth multiplier 1, channels a multiple of 4, word-aligned
 * tensors): four channels per word, channel groups outermost (weights widened
 * once per group onto the stack). For every tap the input word is widened
 * with SXTAB16 (input offset added: [x0, x2] and [x1, x3]) and the four
 * channel products accumulate with SMLABB / SMLATT against the widened
 * weights. With 3x3 undilated kernels and the fast requantization, each
 * output row's run of whole windows is one loop whose nine taps are one
 * assembly block and whose four outputs are saturated, packed and clamped per
 * byte lane (SSUB8/SEL) into one word store; clipped windows gather their
 * nine words (zero-point words for the padding) and take the same path.
 * Other kernels and the slow requantization take a per-position loop.
 */
#include <arm_acle.h>
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

/* Largest k_h * k_w of the fast path (its widened weights live on the stack). */
#define SNN_DW_MAX_TAPS 25

/* The fast requantization's per-channel constants of a group of four channels. */
typedef struct {
  int32_t bias[4];
  int32_t m[4];    /* multiplier */
  int32_t e[4];    /* -shift (>= 1) */
  int32_t half[4]; /* 2^(e-1) */
} dw_consts;

/* One tap t of four channels: input word x against the widened weights wt[2t] ([w0, w2]) and wt[2t+1] ([w1, w3]). */
#define DW_TAP(x, t)                                           \
  do {                                                         \
    const uint32_t xv = (x);                                   \
    const uint32_t x02 = snn_sxtab16(off2, xv);                \
    const uint32_t x13 = snn_sxtab16_ror8(off2, xv);           \
    const uint32_t wa = wt[2 * (t)], wb = wt[2 * (t) + 1];     \
    a0 = __smlabb((int32_t)x02, (int32_t)wa, a0);              \
    a2 = __smlatt((int32_t)x02, (int32_t)wa, a2);              \
    a1 = __smlabb((int32_t)x13, (int32_t)wb, a1);              \
    a3 = __smlatt((int32_t)x13, (int32_t)wb, a3);              \
  } while (0)

/* Each signed byte lane of v clamped to [lo, hi] (lo4, hi4: the bounds in every lane): SSUB8 sets GE, SEL picks. */
static inline uint32_t clamp_bytes(uint32_t v, uint32_t lo4, uint32_t hi4) {
  uint32_t t;
  __asm__("ssub8 %[t], %[v], %[lo]\n\t"
          "sel %[v], %[v], %[lo]\n\t"
          "ssub8 %[t], %[hi], %[v]\n\t"
          "sel %[v], %[v], %[hi]"
          : [v] "+r"(v), [t] "=&r"(t)
          : [lo] "r"(lo4), [hi] "r"(hi4)
          : "cc");
  return v;
}

/* One tap in assembly: input word at [q + XOFF], widened weights at wt + OFF and OFF + 4 bytes. */
#define DW_TAP_S(XOFF, OFF)                       \
  "ldr %[x], " XOFF "\n\t"                        \
  "ldr %[wa], [%[w], #" #OFF "]\n\t"              \
  "ldr %[wb], [%[w], #" #OFF " + 4]\n\t"          \
  "sxtab16 %[t], %[o2], %[x]\n\t"                 \
  "sxtab16 %[x], %[o2], %[x], ror #8\n\t"         \
  "smlabb %[a0], %[t], %[wa], %[a0]\n\t"          \
  "smlatt %[a2], %[t], %[wa], %[a2]\n\t"          \
  "smlabb %[a1], %[x], %[wb], %[a1]\n\t"          \
  "smlatt %[a3], %[x], %[wb], %[a3]\n\t"

/* One kernel row of three taps (input words at q, q + cwb, q + 2 cwb bytes), then q moves one input row down. */
#define DW_ROW_S(OFF0, OFF1, OFF2)                \
  DW_TAP_S("[%[q]]", OFF0)                        \
  DW_TAP_S("[%[q], %[cwb]]", OFF1)                \
  DW_TAP_S("[%[q], %[cwb], lsl #1]", OFF2)        \
  "add %[q], %[q], %[rsb]\n\t"

/*
 * n consecutive output positions of one row whose 3x3 windows are whole,
 * four channels, fast requantization: the first window's top-left input word
 * at r, successive windows `step` words apart; outputs c bytes apart from o.
 * The nine taps are one assembly block (per tap: three loads back to back,
 * two SXTAB16, four 16 x 16 multiply-accumulates; the widened weights from
 * the stack), then the four outputs as one word (saturated, then clamped
 * per byte lane; o is word-aligned).
 */
static inline __attribute__((always_inline)) void dw_row_3x3(const uint32_t *r, int32_t n, int32_t step, int32_t cw, int32_t rs, const uint32_t *wt, uint32_t off2, const dw_consts *k, int8_t *o, int32_t c, int32_t zp, int32_t lo, int32_t hi, const int full) {
  const uint32_t lo4 = ((uint32_t)lo & 0xffu) * 0x01010101u, hi4 = ((uint32_t)hi & 0xffu) * 0x01010101u;
  const int32_t cwb = 4 * cw, rsb = 4 * rs;
  for (; n > 0; n--, r += step, o += c) {
    int32_t a0 = k->bias[0], a1 = k->bias[1], a2 = k->bias[2], a3 = k->bias[3];
    uint32_t x, t, wa, wb;
    const uint32_t *q = r;
    __asm__(DW_ROW_S(0, 8, 16) DW_ROW_S(24, 32, 40) DW_ROW_S(48, 56, 64)
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [q] "+r"(q), [x] "=&r"(x), [t] "=&r"(t),
              [wa] "=&r"(wa), [wb] "=&r"(wb)
            : [cwb] "r"(cwb), [rsb] "r"(rsb), [w] "r"(wt), [o2] "r"(off2)
            : "memory");
    const uint32_t b0 = (uint32_t)__ssat(snn_rq_fast(a0, k->m[0], k->e[0], k->half[0]) + zp, 8) & 0xffu;
    const uint32_t b1 = (uint32_t)__ssat(snn_rq_fast(a1, k->m[1], k->e[1], k->half[1]) + zp, 8) & 0xffu;
    const uint32_t b2 = (uint32_t)__ssat(snn_rq_fast(a2, k->m[2], k->e[2], k->half[2]) + zp, 8) & 0xffu;
    const uint32_t b3 = (uint32_t)__ssat(snn_rq_fast(a3, k->m[3], k->e[3], k->half[3]) + zp, 8);
    uint32_t v = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    if (!full) v = clamp_bytes(v, lo4, hi4);
    *(uint32_t *)(void *)o = v;
  }
}

#undef DW_ROW_S
#undef DW_TAP_S

static void __attribute__((noinline)) dw_row_3x3_full(const uint32_t *r, int32_t n, int32_t step, int32_t cw, int32_t rs, const uint32_t *wt, uint32_t off2, const dw_consts *k, int8_t *o, int32_t c, int32_t zp) {
  dw_row_3x3(r, n, step, cw, rs, wt, off2, k, o, c, zp, -128, 127, 1);
}

static void __attribute__((noinline)) dw_row_3x3_clamp(const uint32_t *r, int32_t n, int32_t step, int32_t cw, int32_t rs, const uint32_t *wt, uint32_t off2, const dw_consts *k, int8_t *o, int32_t c, int32_t zp, int32_t lo, int32_t hi) {
  dw_row_3x3(r, n, step, cw, rs, wt, off2, k, o, c, zp, lo, hi, 0);
}

/* One output position of four channels, any window (clipped to the input), any requantization. */
static void __attribute__((noinline)) dw_position(const snn_depthwise_params *p, const uint32_t *img, int32_t oy, int32_t ox, const uint32_t *wt, const dw_consts *k, int8_t *o) {
  const snn_window *g = &p->win;
  const int32_t cw = g->in_c >> 2;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const int32_t y0 = oy * g->stride_h - g->pad_top;
  const int32_t x0 = ox * g->stride_w - g->pad_left;
  int32_t a0 = k->bias[0], a1 = k->bias[1], a2 = k->bias[2], a3 = k->bias[3];
  for (int32_t ky = 0; ky < g->k_h; ky++) {
    const int32_t iy = y0 + ky * g->dil_h;
    if (iy < 0 || iy >= g->in_h) continue;
    for (int32_t kx = 0; kx < g->k_w; kx++) {
      const int32_t ix = x0 + kx * g->dil_w;
      if (ix < 0 || ix >= g->in_w) continue;
      DW_TAP(img[(iy * g->in_w + ix) * cw], ky * g->k_w + kx);
    }
  }
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  const int32_t acc[4] = {a0, a1, a2, a3};
  for (int32_t i = 0; i < 4; i++) {
    if (p->fast_rq) o[i] = snn_clamp_out(snn_rq_fast(acc[i], k->m[i], k->e[i], k->half[i]), zp, q->act_min, q->act_max, 0);
    else o[i] = snn_out8(acc[i], k->m[i], -k->e[i], q->act_min - zp, q->act_max - zp, zp);
  }
}

/*
 * One output position of an undilated 3x3 layer whose window is clipped: the
 * nine input words are gathered into `win` (taps in the padding hold the
 * input zero point in every byte, which the offset widens to 0), then the
 * window is computed as a whole one.
 */
static void __attribute__((noinline)) dw_edge_3x3(const snn_depthwise_params *p, const uint32_t *img, int32_t oy, int32_t ox, const uint32_t *wt, const dw_consts *k, int8_t *o, const int full) {
  const snn_window *g = &p->win;
  const int32_t cw = g->in_c >> 2;
  const uint32_t zp4 = ((uint32_t)(-p->in_offset) & 0xffu) * 0x01010101u;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const int32_t y0 = oy * g->stride_h - g->pad_top;
  const int32_t x0 = ox * g->stride_w - g->pad_left;
  uint32_t win[9];
  for (int32_t ky = 0; ky < 3; ky++) {
    const int32_t iy = y0 + ky;
    for (int32_t kx = 0; kx < 3; kx++) {
      const int32_t ix = x0 + kx;
      win[3 * ky + kx] = iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w ? img[(iy * g->in_w + ix) * cw] : zp4;
    }
  }
  const snn_channel_requant *q = &p->rq;
  if (full) dw_row_3x3(win, 1, 0, 1, 3, wt, off2, k, o, g->in_c, q->out_zp, -128, 127, 1);
  else dw_row_3x3(win, 1, 0, 1, 3, wt, off2, k, o, g->in_c, q->out_zp, q->act_min, q->act_max, 0);
}

/*
 * Depth multiplier 1, channels a multiple of 4, word-aligned tensors: four
 * channels per word, channel groups outermost (the group's weights widened
 * once onto the stack, its requantization constants computed once). Each
 * output row is cut into the positions whose undilated 3x3 window is whole
 * (dw_row_3x3, with the fast requantization) and the rest (dw_position).
 */
static void depthwise_quad(const snn_depthwise_params *p, const int8_t *in, int8_t *out) {
  const snn_window *g = &p->win;
  const int32_t c = g->in_c;
  const int32_t cw = c >> 2;
  const int32_t taps = g->k_h * g->k_w;
  const snn_channel_requant *q = &p->rq;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const int rows3x3 = p->fast_rq && g->k_h == 3 && g->k_w == 3 && g->dil_h == 1 && g->dil_w == 1;
  const int full = q->act_min == -128 && q->act_max == 127;
  /* Whole windows: ox in [oxa, oxb) (x0 >= 0 and x0 + 3 <= in_w); rows likewise. */
  const int32_t oxa = (g->pad_left + g->stride_w - 1) / g->stride_w;
  int32_t oxb = g->in_w - 3 + g->pad_left >= 0 ? (g->in_w - 3 + g->pad_left) / g->stride_w + 1 : 0;
  if (oxb > g->out_w) oxb = g->out_w;
  uint32_t wt[2 * SNN_DW_MAX_TAPS];
  dw_consts k;
  for (int32_t grp = 0; grp < cw; grp++) {
    const int32_t ch = 4 * grp;
    const uint32_t *wsrc = (const uint32_t *)(const void *)p->weights + grp;
    for (int32_t t = 0; t < taps; t++) {
      wt[2 * t] = snn_sxtb16(wsrc[t * cw]);
      wt[2 * t + 1] = snn_sxtb16_ror8(wsrc[t * cw]);
    }
    for (int32_t i = 0; i < 4; i++) {
      k.bias[i] = p->bias[ch + i];
      k.m[i] = q->multiplier[ch + i];
      k.e[i] = -q->shift[ch + i];
      k.half[i] = p->fast_rq ? (int32_t)((1u << k.e[i]) >> 1) : 0;
    }
    for (int32_t b = 0; b < g->batches; b++) {
      const uint32_t *img = (const uint32_t *)(const void *)(in + b * g->in_h * g->in_w * c) + grp;
      int8_t *orow = out + b * g->out_h * g->out_w * c + ch;
      for (int32_t oy = 0; oy < g->out_h; oy++, orow += g->out_w * c) {
        const int32_t y0 = oy * g->stride_h - g->pad_top;
        if (rows3x3 && y0 >= 0 && y0 + 3 <= g->in_h && oxa < oxb) {
          for (int32_t ox = 0; ox < oxa; ox++) dw_edge_3x3(p, img, oy, ox, wt, &k, orow + ox * c, full);
          const uint32_t *r = img + (y0 * g->in_w + oxa * g->stride_w - g->pad_left) * cw;
          if (full) dw_row_3x3_full(r, oxb - oxa, g->stride_w * cw, cw, g->in_w * cw, wt, off2, &k, orow + oxa * c, c, q->out_zp);
          else dw_row_3x3_clamp(r, oxb - oxa, g->stride_w * cw, cw, g->in_w * cw, wt, off2, &k, orow + oxa * c, c, q->out_zp, q->act_min, q->act_max);
          for (int32_t ox = oxb; ox < g->out_w; ox++) dw_edge_3x3(p, img, oy, ox, wt, &k, orow + ox * c, full);
        } else if (rows3x3) {
          for (int32_t ox = 0; ox < g->out_w; ox++) dw_edge_3x3(p, img, oy, ox, wt, &k, orow + ox * c, full);
        } else {
          for (int32_t ox = 0; ox < g->out_w; ox++) dw_position(p, img, oy, ox, wt, &k, orow + ox * c);
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
