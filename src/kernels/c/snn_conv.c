/*
 * CONV_2D, int8: the CMSIS-NN-style s8 algorithm, written from its published
 * description.
 *
 * For each output position the input patch (k_h x k_w x in_c, the weights'
 * HWI order) is copied into an int16 column with the input offset added
 * (SXTAB16, four values per word load; with in_c not a multiple of 4 the
 * patch is first gathered as bytes); positions in the padding become 0. Two columns are built, then a matrix-
 * multiply core computes two output channels x two output positions at a
 * time: every 32-bit weight load (four int8 weights) is widened with SXTB16
 * into two int16 pairs and multiplied against both columns with SMLAD (two
 * multiply-accumulates per instruction), so one load of weights serves four
 * accumulators. An odd output channel and an odd last position are handled
 * by one-row and one-column versions of the core.
 *
 * Column layout in the scratch buffer (int16 units), chosen so that neither
 * the weights nor the column need re-packing after SXTB16:
 *   - the reduction is cut into groups of four (k = 4g .. 4g + 3); the group
 *     is stored as [x(4g), x(4g+2), x(4g+1), x(4g+3)], matching the pairs
 *     SXTB16 gives from a weight word ([w0, w2] and, rotated, [w1, w3]);
 *   - the two columns are interleaved by group: column j's group g sits at
 *     8g + 4j, so one pointer walks both columns;
 *   - the last K % 4 values of each column follow all groups, in natural
 *     order: column j's at 2 * K4 + j * (K % 4).
 */
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

/*
 * Widens n groups of four int8 at src into column words, adding the input
 * offset to each 16-bit lane: a group becomes [x0, x2] (SXTAB16) and
 * [x1, x3] (SXTAB16 ROR #8); successive groups of a column are 4 words apart
 * (the other column's group sits between them). Four groups per iteration
 * (loads back to back, loop overhead amortized), then two, then one.
 */
static inline uint32_t *widen_groups(const int8_t *src, int32_t n, uint32_t off2, uint32_t *dst) {
  for (; n >= 4; n -= 4) {
    const uint32_t a = snn_ld32(src);
    const uint32_t b = snn_ld32(src + 4);
    const uint32_t c = snn_ld32(src + 8);
    const uint32_t d = snn_ld32(src + 12);
    src += 16;
    dst[0] = snn_sxtab16(off2, a);
    dst[1] = snn_sxtab16_ror8(off2, a);
    dst[4] = snn_sxtab16(off2, b);
    dst[5] = snn_sxtab16_ror8(off2, b);
    dst[8] = snn_sxtab16(off2, c);
    dst[9] = snn_sxtab16_ror8(off2, c);
    dst[12] = snn_sxtab16(off2, d);
    dst[13] = snn_sxtab16_ror8(off2, d);
    dst += 16;
  }
  for (; n >= 2; n -= 2) {
    const uint32_t a = snn_ld32(src);
    const uint32_t b = snn_ld32(src + 4);
    src += 8;
    dst[0] = snn_sxtab16(off2, a);
    dst[1] = snn_sxtab16_ror8(off2, a);
    dst[4] = snn_sxtab16(off2, b);
    dst[5] = snn_sxtab16_ror8(off2, b);
    dst += 8;
  }
  if (n > 0) {
    const uint32_t a = snn_ld32(src);
    dst[0] = snn_sxtab16(off2, a);
    dst[1] = snn_sxtab16_ror8(off2, a);
    dst += 4;
  }
  return dst;
}

/* n groups of padding (zeros) in a column. */
static inline uint32_t *zero_groups(int32_t n, uint32_t *dst) {
  for (; n > 0; n--) {
    dst[0] = 0;
    dst[1] = 0;
    dst += 4;
  }
  return dst;
}

/*
 * im2col of output position (oy, ox) into column j; in_c a multiple of 4.
 * A kernel row entirely inside the input (and undilated) is one contiguous
 * run of k_w * in_c bytes, widened in one pass.
 */
static void __attribute__((noinline)) im2col_quad(const snn_conv_params *p, const int8_t *img, int32_t oy, int32_t ox, int16_t *col, int32_t j) {
  const snn_window *g = &p->win;
  const int32_t c = g->in_c;
  const int32_t per_pixel = c >> 2;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  uint32_t *dst = (uint32_t *)(void *)col + 2 * j;
  const int32_t y0 = oy * g->stride_h - g->pad_top;
  const int32_t x0 = ox * g->stride_w - g->pad_left;
  const int whole_row = g->dil_w == 1 && x0 >= 0 && x0 + g->k_w <= g->in_w;
  for (int32_t ky = 0; ky < g->k_h; ky++) {
    const int32_t iy = y0 + ky * g->dil_h;
    if (iy < 0 || iy >= g->in_h) {
      dst = zero_groups(g->k_w * per_pixel, dst);
      continue;
    }
    const int8_t *row = img + iy * g->in_w * c;
    if (whole_row) {
      dst = widen_groups(row + x0 * c, g->k_w * per_pixel, off2, dst);
      continue;
    }
    for (int32_t kx = 0; kx < g->k_w; kx++) {
      const int32_t ix = x0 + kx * g->dil_w;
      if (ix >= 0 && ix < g->in_w) dst = widen_groups(row + ix * c, per_pixel, off2, dst);
      else dst = zero_groups(per_pixel, dst);
    }
  }
}

/*
 * im2col of output position (oy, ox) into column j, in_c not a multiple of
 * 4: the patch (k_h * k_w * in_c bytes) is first gathered as int8 into
 * `patch`, padding taps holding the input zero point (which the offset turns
 * into 0), and followed by bytes up to K, the patch length rounded up to 4
 * (the packed weight rows hold 0 there, so those bytes only need to be
 * finite); then it is widened group by group: no reduction tail. The byte
 * loops stay loops (a memcpy/memset call per tap would cost more than the copy).
 */
static void __attribute__((noinline, optimize("no-tree-loop-distribute-patterns"))) im2col_any(const snn_conv_params *p, const int8_t *img, int32_t oy, int32_t ox, int16_t *col, int32_t j, int32_t K, int8_t *patch) {
  const snn_window *g = &p->win;
  const int32_t c = g->in_c;
  const int8_t pad = (int8_t)(-p->in_offset);
  const int32_t y0 = oy * g->stride_h - g->pad_top;
  const int32_t x0 = ox * g->stride_w - g->pad_left;
  int8_t *dst = patch;
  for (int32_t ky = 0; ky < g->k_h; ky++) {
    const int32_t iy = y0 + ky * g->dil_h;
    const int row_inside = iy >= 0 && iy < g->in_h;
    for (int32_t kx = 0; kx < g->k_w; kx++) {
      const int32_t ix = x0 + kx * g->dil_w;
      if (row_inside && ix >= 0 && ix < g->in_w) {
        const int8_t *src = img + (iy * g->in_w + ix) * c;
        for (int32_t ch = 0; ch < c; ch++) dst[ch] = src[ch];
      } else {
        for (int32_t ch = 0; ch < c; ch++) dst[ch] = pad;
      }
      dst += c;
    }
  }
  while (dst < patch + K) *dst++ = pad;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  widen_groups(patch, K >> 2, off2, (uint32_t *)(void *)col + 2 * j);
}

/* Two bytes from any address as the low half of a word (an unaligned LDRH on the M4). */
static inline uint32_t ld16(const int8_t *p) {
  uint16_t v;
  __builtin_memcpy(&v, p, 2);
  return v;
}

/* Widens one word of four int8 (the reduction's group g) into column words dst[0], dst[1] (input offset added). */
static inline void widen_word(uint32_t w, uint32_t off2, uint32_t *dst) {
  dst[0] = snn_sxtab16(off2, w);
  dst[1] = snn_sxtab16_ror8(off2, w);
}

/*
 * im2col of a 3x3 window over 3 input channels (the first convolution of an
 * RGB model; K = 28) whose columns lie inside the input: each kernel row is
 * 9 contiguous bytes (r0, r1, r2; a row in the vertical padding points at
 * `pad_row`, 9 copies of the input zero point, which the offset turns into 0).
 * The 27 bytes and one zero are assembled as seven words with word, halfword
 * and byte loads that never read outside a row, shifted into place:
 *   k 0-3 r0[0..3] | 4-7 r0[4..7] | 8-11 r0[8], r1[0..2] | 12-15 r1[3..6] |
 *   16-19 r1[7..8], r2[0..1] | 20-23 r2[2..5] | 24-27 r2[6..8], 0
 * then widened (no byte patch, no per-tap loops). The weight at k = 27 is 0.
 */
static void __attribute__((noinline)) im2col_rgb3x3(const int8_t *r0, const int8_t *r1, const int8_t *r2, uint32_t off2, uint32_t *dst) {
  widen_word(snn_ld32(r0), off2, dst);
  widen_word(snn_ld32(r0 + 4), off2, dst + 4);
  widen_word((uint32_t)(uint8_t)r0[8] | (snn_ld32(r1) << 8), off2, dst + 8);
  widen_word(snn_ld32(r1 + 3), off2, dst + 12);
  widen_word(ld16(r1 + 7) | (ld16(r2) << 16), off2, dst + 16);
  widen_word(snn_ld32(r2 + 2), off2, dst + 20);
  widen_word(snn_ld32(r2 + 5) >> 8, off2, dst + 24);
}

/*
 * im2col of position (oy, ox) into column j for 3x3 kernels over 3 channels
 * (undilated): im2col_rgb3x3 when the window's columns are inside the input,
 * else the byte gather.
 */
static inline void im2col_rgb(const snn_conv_params *p, const int8_t *img, int32_t oy, int32_t ox, int16_t *col, int32_t j, int8_t *patch, const int8_t *pad_row) {
  const snn_window *g = &p->win;
  const int32_t x0 = ox * g->stride_w - g->pad_left;
  if (x0 < 0 || x0 + 3 > g->in_w) {
    im2col_any(p, img, oy, ox, col, j, 28, patch);
    return;
  }
  const int32_t y0 = oy * g->stride_h - g->pad_top;
  const int32_t rs = g->in_w * 3;
  const int8_t *base = img + y0 * rs + x0 * 3;
  const int8_t *r0 = y0 >= 0 && y0 < g->in_h ? base : pad_row;
  const int8_t *r1 = y0 + 1 >= 0 && y0 + 1 < g->in_h ? base + rs : pad_row;
  const int8_t *r2 = y0 + 2 >= 0 && y0 + 2 < g->in_h ? base + 2 * rs : pad_row;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  im2col_rgb3x3(r0, r1, r2, off2, (uint32_t *)(void *)col + 2 * j);
}

/*
 * One group (four reduction steps, 16 multiply-accumulates) of the 2x2 core,
 * column words at cp + off. The channel pair's weights are interleaved by word
 * (emitter: row a's word, then row b's), so one pointer reads both and the six
 * loads issue back to back (pipelined: 7 cycles; the weights by offset, the
 * pointer advanced once per iteration, as a post-indexed address written by
 * the previous load would not pipeline); the freed register holds the rotated
 * half. Per group: 6 loads, 4 SXTB16, 8 SMLAD (19 cycles).
 */
#define SNN_GROUP(off, woff)                    \
  "ldr %[x0], [%[cp], #" #off "]\n\t"           \
  "ldr %[x1], [%[cp], #" #off " + 4]\n\t"       \
  "ldr %[y0], [%[cp], #" #off " + 8]\n\t"       \
  "ldr %[y1], [%[cp], #" #off " + 12]\n\t"      \
  "ldr %[w], [%[pw], #" #woff "]\n\t"           \
  "ldr %[t], [%[pw], #" #woff " + 4]\n\t"       \
  "sxtb16 %[u], %[w], ror #8\n\t"               \
  "sxtb16 %[w], %[w]\n\t"                       \
  "smlad %[a00], %[w], %[x0], %[a00]\n\t"       \
  "smlad %[a01], %[w], %[y0], %[a01]\n\t"       \
  "smlad %[a00], %[u], %[x1], %[a00]\n\t"       \
  "smlad %[a01], %[u], %[y1], %[a01]\n\t"       \
  "sxtb16 %[u], %[t], ror #8\n\t"               \
  "sxtb16 %[t], %[t]\n\t"                       \
  "smlad %[a10], %[t], %[x0], %[a10]\n\t"       \
  "smlad %[a11], %[t], %[y0], %[a11]\n\t"       \
  "smlad %[a10], %[u], %[x1], %[a10]\n\t"       \
  "smlad %[a11], %[u], %[y1], %[a11]\n\t"

/*
 * The 2x2 core over the whole reduction in one assembly block: `n1` (0..3)
 * groups straight (two, then one: no loop), then `n4` iterations of four groups (64 multiply-accumulates, loop
 * overhead amortized), for the interleaved pair of rows at pw against the two
 * interleaved columns at cp. One block, so the registers are set up once per
 * channel pair. Register-allocated by hand: four accumulators, four column
 * words, two weight words and a rotated half, two pointers and the counter use
 * all 14 allocatable registers (n4 is read from the stack, addressed by sp).
 * Column words are in low registers so their loads are 16-bit; the group is 64
 * bytes, so the 32-bit weight loads stay word-aligned and pipeline.
 */
static inline __attribute__((always_inline)) void core_2x2_acc(const uint32_t *col, const int8_t *wp, int32_t n1, int32_t n4, int32_t acc[4]) {
  register const uint32_t *cp __asm__("r0") = col;
  register uint32_t x0 __asm__("r1");
  register uint32_t x1 __asm__("r2");
  register uint32_t y0 __asm__("r3");
  register uint32_t y1 __asm__("r4");
  register int32_t n __asm__("r5") = n1;
  register const int8_t *pw __asm__("r6") = wp;
  register uint32_t u __asm__("r7");
  register int32_t a00 __asm__("r8") = acc[0];
  register int32_t a01 __asm__("r9") = acc[1];
  register int32_t a10 __asm__("r10") = acc[2];
  register int32_t a11 __asm__("r11") = acc[3];
  register uint32_t w __asm__("r12");
  register uint32_t t __asm__("lr");
  __asm__ volatile("cmp %[n], #0\n\t"
                   "beq.w 2f\n\t"
                   "tst %[n], #2\n\t"
                   "beq 1f\n\t"
                   ".p2align 2\n\t" SNN_GROUP(0, 0) SNN_GROUP(16, 8) "adds %[cp], #32\n\t"
                   "adds %[pw], #16\n"
                   "1:\n\t"
                   "tst %[n], #1\n\t"
                   "beq 2f\n\t"
                   ".p2align 2\n\t" SNN_GROUP(0, 0) "adds %[cp], #16\n\t"
                   "adds %[pw], #8\n"
                   "2:\n\t"
                   "ldr %[n], %[n4]\n\t"
                   "cmp %[n], #0\n\t"
                   "beq.w 4f\n\t"
                   ".p2align 2\n3:\n\t" SNN_GROUP(0, 0) SNN_GROUP(16, 8) SNN_GROUP(32, 16) SNN_GROUP(48, 24) "adds %[cp], #64\n\t"
                   "adds %[pw], #32\n\t"
                   "subs %[n], #1\n\t"
                   "bne 3b\n"
                   "4:\n\t"
                   : [cp] "+l"(cp), [n] "+l"(n), [pw] "+r"(pw), [a00] "+r"(a00),
                     [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [x0] "=&l"(x0), [x1] "=&l"(x1),
                     [y0] "=&l"(y0), [y1] "=&l"(y1), [w] "=&r"(w), [t] "=&r"(t), [u] "=&r"(u)
                   : [n4] "m"(n4)
                   : "cc", "memory");
  acc[0] = a00;
  acc[1] = a01;
  acc[2] = a10;
  acc[3] = a11;
}

/* Two output channels (rows oc, oc + 1) x two positions: o0[oc], o0[oc+1], o1[oc], o1[oc+1]. */
static inline __attribute__((always_inline)) void core_2x2(const snn_conv_params *p, const int16_t *col, int32_t K, int32_t oc, int8_t *o0, int8_t *o1, const int fast) {
  int32_t acc[4] = {p->bias[oc], p->bias[oc], p->bias[oc + 1], p->bias[oc + 1]};
  const int32_t groups = K >> 2; /* K is a multiple of 4: no reduction tail */
  core_2x2_acc((const uint32_t *)(const void *)col, p->weights + oc * K, groups & 3, groups >> 2, acc);
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  if (fast) {
    const int32_t ma = q->multiplier[oc], ea = -q->shift[oc];
    const int32_t mb = q->multiplier[oc + 1], eb = -q->shift[oc + 1];
    o0[oc] = snn_out8_fast(acc[0], ma, ea, zp, q->act_min, q->act_max);
    o1[oc] = snn_out8_fast(acc[1], ma, ea, zp, q->act_min, q->act_max);
    o0[oc + 1] = snn_out8_fast(acc[2], mb, eb, zp, q->act_min, q->act_max);
    o1[oc + 1] = snn_out8_fast(acc[3], mb, eb, zp, q->act_min, q->act_max);
    return;
  }
  const int32_t lo = q->act_min - zp;
  const int32_t hi = q->act_max - zp;
  const snn_rq ra = snn_rq_of(q->multiplier[oc], q->shift[oc]);
  const snn_rq rb = snn_rq_of(q->multiplier[oc + 1], q->shift[oc + 1]);
  o0[oc] = snn_clamp_zp(snn_rq_apply(ra, acc[0]), lo, hi, zp);
  o1[oc] = snn_clamp_zp(snn_rq_apply(ra, acc[1]), lo, hi, zp);
  o0[oc + 1] = snn_clamp_zp(snn_rq_apply(rb, acc[2]), lo, hi, zp);
  o1[oc + 1] = snn_clamp_zp(snn_rq_apply(rb, acc[3]), lo, hi, zp);
}

/* One output channel x two positions (the odd last channel). */
static void core_1x2(const snn_conv_params *p, const int16_t *col, int32_t K, int32_t oc, int8_t *o0, int8_t *o1) {
  const int8_t *wa = p->weights + oc * K;
  const uint32_t *cp = (const uint32_t *)(const void *)col;
  int32_t a00 = p->bias[oc];
  int32_t a01 = a00;
  for (int32_t i = K >> 2; i > 0; i--) {
    const uint32_t w = snn_ld32(wa);
    wa += 4;
    const uint32_t w13 = snn_sxtb16_ror8(w);
    const uint32_t w02 = snn_sxtb16(w);
    a00 = snn_smlad(w02, cp[0], a00);
    a00 = snn_smlad(w13, cp[1], a00);
    a01 = snn_smlad(w02, cp[2], a01);
    a01 = snn_smlad(w13, cp[3], a01);
    cp += 4;
  }
  const int32_t r = K & 3;
  const int16_t *t0 = (const int16_t *)(const void *)cp;
  const int16_t *t1 = t0 + r;
  for (int32_t t = 0; t < r; t++) {
    a00 += wa[t] * t0[t];
    a01 += wa[t] * t1[t];
  }
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  o0[oc] = snn_out8(a00, q->multiplier[oc], q->shift[oc], q->act_min - zp, q->act_max - zp, zp);
  o1[oc] = snn_out8(a01, q->multiplier[oc], q->shift[oc], q->act_min - zp, q->act_max - zp, zp);
}

/*
 * One output channel x one position (the odd last position; column 0 only).
 * A channel of a pair reads its words of the pair's interleaved rows (every
 * other word); the odd last channel has a row of its own.
 */
static void core_1x1(const snn_conv_params *p, const int16_t *col, int32_t K, int32_t oc, int8_t *o0) {
  const int paired = oc < (p->win.out_c & ~1);
  const int8_t *wa = p->weights + (oc & ~1) * K + (paired ? 4 * (oc & 1) : 0);
  const int32_t step = paired ? 8 : 4;
  const uint32_t *cp = (const uint32_t *)(const void *)col;
  int32_t a00 = p->bias[oc];
  for (int32_t i = K >> 2; i > 0; i--) { /* K is a multiple of 4 */
    const uint32_t w = snn_ld32(wa);
    wa += step;
    a00 = snn_smlad(snn_sxtb16(w), cp[0], a00);
    a00 = snn_smlad(snn_sxtb16_ror8(w), cp[1], a00);
    cp += 4;
  }
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  o0[oc] = snn_out8(a00, q->multiplier[oc], q->shift[oc], q->act_min - zp, q->act_max - zp, zp);
}

#define SNN_OUT_FAST(a, m, e1) SNN_OUT_FAST_Z(a, m, e1, zp)

/*
 * The four outputs of a channel pair x two positions from the accumulators
 * (a00, a01: channel a at positions 0, 1; a10, a11: channel b), in one
 * assembly block: the fast requantization of snn_rq_fast with the rounding
 * term folded away, (x + 2^(e-1)) >> e == ((x >> (e-1)) + 1) >> 1 (floor
 * division composed; e >= 1, and e - 1 is ~shift), the output zero point
 * added in the last shift, SSAT to int8; the four bytes packed into one word
 * [o0a, o0b, o1a, o1b] (BFI), clamped to [act_min, act_max] four lanes at a
 * time (SSUB8/SEL against the replicated bounds at lohi) unless the range is
 * all of int8, and stored as one halfword per position. Advances pm, ps by
 * two channels and o0, o1 by two bytes.
 */
static inline __attribute__((always_inline)) void out_pair_fast(int32_t a00, int32_t a01, int32_t a10, int32_t a11, const int32_t **pm, const int32_t **ps,
                                                                int8_t **o0, int8_t **o1, int32_t zp, const uint32_t lohi[2], const int full) {
  uint32_t ma, mb, ea, eb;
  const int32_t *m = *pm, *sh = *ps;
  int8_t *d0 = *o0, *d1 = *o1;
  __asm__ volatile("ldrd %[ma], %[mb], [%[m]], #8\n\t"
                   "ldrd %[ea], %[eb], [%[sh]], #8\n\t"
                   "mvn %[ea], %[ea]\n\t"
                   "mvn %[eb], %[eb]\n\t" SNN_OUT_FAST(a00, ma, ea) SNN_OUT_FAST(a01, ma, ea) SNN_OUT_FAST(a10, mb, eb) SNN_OUT_FAST(a11, mb, eb)
                   "bfi %[a00], %[a10], #8, #8\n\t"
                   "bfi %[a01], %[a11], #8, #8\n\t"
                   "bfi %[a00], %[a01], #16, #16\n\t"
                   ".if %c[full] == 0\n\t"
                   "ldrd %[ma], %[mb], [%[lohi]]\n\t"
                   "ssub8 %[ea], %[a00], %[ma]\n\t"
                   "sel %[a00], %[a00], %[ma]\n\t"
                   "ssub8 %[ea], %[mb], %[a00]\n\t"
                   "sel %[a00], %[a00], %[mb]\n\t"
                   ".endif\n\t"
                   "strh %[a00], [%[d0]], #2\n\t"
                   "lsrs %[a00], %[a00], #16\n\t"
                   "strh %[a00], [%[d1]], #2\n\t"
                   : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [m] "+r"(m), [sh] "+r"(sh), [d0] "+r"(d0),
                     [d1] "+r"(d1), [ma] "=&r"(ma), [mb] "=&r"(mb), [ea] "=&r"(ea), [eb] "=&r"(eb)
                   : [zp] "r"(zp), [lohi] "r"(lohi), [full] "i"(full)
                   : "cc", "memory");
  *pm = m;
  *ps = sh;
  *o0 = d0;
  *o1 = d1;
}



/*
 * All channel pairs of two positions with the fast requantization (the
 * emitter proved it exact): one assembly block per pair for the reduction,
 * one for its four outputs (out_pair_fast).
 */
static inline __attribute__((always_inline)) void mat_mult_two_fast(const snn_conv_params *p, const int16_t *col, int32_t K, int8_t *o0, int8_t *o1, const int full) {
  const int32_t pairs = p->win.out_c >> 1;
  const int8_t *w = p->weights;
  const int32_t *bias = p->bias;
  const int32_t *mult = p->rq.multiplier;
  const int32_t *shift = p->rq.shift;
  const int32_t zp = p->rq.out_zp;
  const uint32_t lohi[2] = {((uint32_t)p->rq.act_min & 0xffu) * 0x01010101u, ((uint32_t)p->rq.act_max & 0xffu) * 0x01010101u};
  const int32_t n1 = (K >> 2) & 3, n4 = K >> 4;
  for (int32_t i = 0; i < pairs; i++) {
    int32_t acc[4] = {bias[0], bias[0], bias[1], bias[1]};
    core_2x2_acc((const uint32_t *)(const void *)col, w, n1, n4, acc);
    out_pair_fast(acc[0], acc[1], acc[2], acc[3], &mult, &shift, &o0, &o1, zp, lohi, full);
    w += 2 * K;
    bias += 2;
  }
}

/* All output channels of two positions (columns 0 and 1 of the scratch). */
static void __attribute__((noinline)) mat_mult_two(const snn_conv_params *p, const int16_t *col, int32_t K, int8_t *o0, int8_t *o1) {
  const int32_t oc_n = p->win.out_c;
  int32_t oc = 0;
  if (p->fast_rq) {
    if (p->rq.act_min == -128 && p->rq.act_max == 127) mat_mult_two_fast(p, col, K, o0, o1, 1);
    else mat_mult_two_fast(p, col, K, o0, o1, 0);
    oc = oc_n & ~1;
  } else {
    for (; oc + 2 <= oc_n; oc += 2) core_2x2(p, col, K, oc, o0, o1, 0);
  }
  if (oc < oc_n) core_1x2(p, col, K, oc, o0, o1);
}

/* All output channels of one position (column 0 of the scratch). */
static void __attribute__((noinline)) mat_mult_one(const snn_conv_params *p, const int16_t *col, int32_t K, int8_t *o0) {
  for (int32_t oc = 0; oc < p->win.out_c; oc++) core_1x1(p, col, K, oc, o0);
}

void snn_conv_s8(const snn_conv_params *flash_params, const int8_t *in, int8_t *out, int16_t *scratch) {
  /*
   * The parameters are read again after every assembly loop (its memory
   * clobber); a copy on the stack (SRAM) makes those reloads cost no flash
   * wait states or data-cache misses.
   */
  const snn_conv_params params = *flash_params;
  const snn_conv_params *p = &params;
  const snn_window *g = &p->win;
  const int32_t K = (g->k_h * g->k_w * g->in_c + 3) & ~3;
  const int32_t oc_n = g->out_c;
  const int quad = (g->in_c & 3) == 0;
  const int rgb = g->in_c == 3 && g->k_h == 3 && g->k_w == 3 && g->dil_h == 1 && g->dil_w == 1;
  int8_t *patch = (int8_t *)(scratch + 2 * K); /* used when in_c is not a multiple of 4 */
  /* Windows wholly inside the input (in_c a multiple of 4, undilated) are widened inline, run by run. */
  const int undilated = g->dil_h == 1 && g->dil_w == 1;
  const int32_t y_last = g->in_h - g->k_h, x_last = g->in_w - g->k_w;
  const int32_t row_bytes = g->in_w * g->in_c, run_groups = (g->k_w * g->in_c) >> 2;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  int8_t pad_row[12];
  for (int32_t i = 0; i < 12; i++) pad_row[i] = (int8_t)(-p->in_offset);
  for (int32_t b = 0; b < g->batches; b++) {
    const int8_t *img = in + b * g->in_h * g->in_w * g->in_c;
    int8_t *dst = out + b * g->out_h * g->out_w * oc_n;
    int8_t *first = 0; /* output of the column waiting for a partner */
    for (int32_t oy = 0; oy < g->out_h; oy++) {
      for (int32_t ox = 0; ox < g->out_w; ox++, dst += oc_n) {
        const int32_t j = first == 0 ? 0 : 1;
        if (rgb) {
          im2col_rgb(p, img, oy, ox, scratch, j, patch, pad_row);
        } else if (!quad) {
          im2col_any(p, img, oy, ox, scratch, j, K, patch);
        } else {
          const int32_t y0 = oy * g->stride_h - g->pad_top;
          const int32_t x0 = ox * g->stride_w - g->pad_left;
          if (undilated && y0 >= 0 && x0 >= 0 && y0 <= y_last && x0 <= x_last) {
            /* the whole window inside the input: k_h runs of k_w * in_c bytes, widened inline */
            const int8_t *src = img + (y0 * g->in_w + x0) * g->in_c;
            uint32_t *col = (uint32_t *)(void *)scratch + 2 * j;
            for (int32_t ky = 0; ky < g->k_h; ky++, src += row_bytes) col = widen_groups(src, run_groups, off2, col);
          } else {
            im2col_quad(p, img, oy, ox, scratch, j);
          }
        }
        if (j == 0) {
          first = dst;
        } else {
          mat_mult_two(p, scratch, K, first, dst);
          first = 0;
        }
      }
    }
    if (first != 0) mat_mult_one(p, scratch, K, first);
  }
}

/* What the pointwise block reads and writes on the stack (sp-relative in the assembly). */
typedef struct {
  /* pairs read by one LDRD: ba and bb, ma and mb, ea and eb, lo and hi */
  int32_t ba, bb;   /* the pair's biases */
  int32_t ma, mb;   /* multipliers */
  int32_t ea, eb;   /* exponent - 1 (~shift) */
  int32_t zp;       /* output zero point */
  int8_t *out;      /* output of the next position pair, channel a */
  int32_t oc_n;     /* output channels (bytes between positions) */
  int32_t wback;    /* 2K: the bytes of the pair's weights, rewound after each block */
  int32_t count;    /* position pairs left */
  int32_t n4;       /* K / 16 */
  uint32_t lo, hi;  /* act_min, act_max replicated to four bytes */
} snn_pw_frame;

/*
 * One channel pair over f->count position pairs of the pointwise path, in
 * one assembly block: per position pair the accumulators start at the
 * biases, the 2x2 core runs K / 16 iterations of four groups (the column
 * pointer runs on into the next pair's columns; the weight pointer is rewound
 * by 2K), and the four outputs are requantized as in out_pair_fast and
 * stored as one halfword per position. Everything else lives in the frame on
 * the stack: the 14 allocatable registers hold the core.
 */
static inline __attribute__((always_inline)) void pw_pair(const uint32_t *col, const int8_t *wp, snn_pw_frame *f, const int full) {
  register const uint32_t *cp __asm__("r0") = col;
  register uint32_t x0 __asm__("r1");
  register uint32_t x1 __asm__("r2");
  register uint32_t y0 __asm__("r3");
  register uint32_t y1 __asm__("r4");
  register int32_t n __asm__("r5");
  register const int8_t *pw __asm__("r6") = wp;
  register uint32_t u __asm__("r7");
  register int32_t a00 __asm__("r8");
  register int32_t a01 __asm__("r9");
  register int32_t a10 __asm__("r10");
  register int32_t a11 __asm__("r11");
  register uint32_t w __asm__("r12");
  register uint32_t t __asm__("lr");
  __asm__ volatile(".p2align 2\n"
                   "5:\n\t"
                   "ldrd %[a00], %[a10], %[ba]\n\t"
                   "ldr %[n], %[n4]\n\t"
                   "mov %[a01], %[a00]\n\t"
                   "mov %[a11], %[a10]\n\t"
                   ".p2align 2\n3:\n\t" SNN_GROUP(0, 0) SNN_GROUP(16, 8) SNN_GROUP(32, 16) SNN_GROUP(48, 24) "adds %[cp], #64\n\t"
                   "adds %[pw], #32\n\t"
                   "subs %[n], #1\n\t"
                   "bne 3b\n\t"
                   "ldrd %[x0], %[x1], %[ma]\n\t"
                   "ldrd %[y0], %[y1], %[ea]\n\t"
                   "ldr %[w], %[zpm]\n\t"
                   SNN_OUT_FAST_Z(a00, x0, y0, w) SNN_OUT_FAST_Z(a01, x0, y0, w) SNN_OUT_FAST_Z(a10, x1, y1, w) SNN_OUT_FAST_Z(a11, x1, y1, w)
                   "bfi %[a00], %[a10], #8, #8\n\t"
                   "bfi %[a01], %[a11], #8, #8\n\t"
                   "bfi %[a00], %[a01], #16, #16\n\t"
                   ".if %c[full] == 0\n\t"
                   "ldrd %[a10], %[a11], %[lo]\n\t"
                   "ssub8 %[a01], %[a00], %[a10]\n\t"
                   "sel %[a00], %[a00], %[a10]\n\t"
                   "ssub8 %[a01], %[a11], %[a00]\n\t"
                   "sel %[a00], %[a00], %[a11]\n\t"
                   ".endif\n\t"
                   "ldr %[x0], %[out]\n\t"
                   "ldr %[x1], %[ocn]\n\t"
                   "ldr %[y0], %[wback]\n\t"
                   "ldr %[n], %[count]\n\t"
                   "strh %[a00], [%[x0]]\n\t"
                   "lsrs %[a00], %[a00], #16\n\t"
                   "strh %[a00], [%[x0], %[x1]]\n\t"
                   "add %[x0], %[x0], %[x1], lsl #1\n\t"
                   "subs %[pw], %[pw], %[y0]\n\t"
                   "str %[x0], %[out]\n\t"
                   "subs %[n], #1\n\t"
                   "str %[n], %[count]\n\t"
                   "bne 5b\n\t"
                   : [cp] "+l"(cp), [n] "=&l"(n), [pw] "+r"(pw), [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11),
                     [x0] "=&l"(x0), [x1] "=&l"(x1), [y0] "=&l"(y0), [y1] "=&l"(y1), [w] "=&r"(w), [t] "=&r"(t), [u] "=&r"(u),
                     [out] "+m"(f->out), [count] "+m"(f->count)
                   : [ba] "m"(f->ba), [ma] "m"(f->ma), [ea] "m"(f->ea), [zpm] "m"(f->zp), [ocn] "m"(f->oc_n), [wback] "m"(f->wback), [n4] "m"(f->n4),
                     [lo] "m"(f->lo), [full] "i"(full)
                   : "cc", "memory");
}

/*
 * The pointwise (1x1) convolution, a GEMM over the strided input pixels:
 * up to SNN_PW_PAIRS position pairs are widened (each pixel's in_c bytes,
 * input offset added; stride only changes the input pointer's step) into
 * consecutive interleaved column pairs, then each channel pair runs over all
 * of them in one assembly block (pw_pair): its weights and parameters are read
 * once per pass, and the set-up of the matrix multiply is paid per pass.
 */
static inline __attribute__((always_inline)) void conv_pointwise(const snn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch, const int full) {
  const snn_window *g = &p->win;
  const int32_t K = g->in_c, oc_n = g->out_c, pairs = oc_n >> 1;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const int32_t positions = g->out_h * g->out_w;
  const int32_t step = g->stride_w * K, row_step = g->stride_h * g->in_w * K;
  uint32_t *cols = (uint32_t *)(void *)scratch;
  snn_pw_frame f;
  f.zp = p->rq.out_zp;
  f.oc_n = oc_n;
  f.wback = 2 * K;
  f.n4 = K >> 4;
  f.lo = ((uint32_t)p->rq.act_min & 0xffu) * 0x01010101u;
  f.hi = ((uint32_t)p->rq.act_max & 0xffu) * 0x01010101u;
  for (int32_t b = 0; b < g->batches; b++) {
    const int8_t *row = in + b * g->in_h * g->in_w * g->in_c, *src = row;
    int8_t *dst = out + b * positions * oc_n;
    int32_t ox = 0;
    for (int32_t done = 0; done < positions;) {
      int32_t n = (positions - done) >> 1;
      if (n > SNN_PW_PAIRS) n = SNN_PW_PAIRS;
      for (int32_t k = 0; k < 2 * n; k++) {
        widen_groups(src, K >> 2, off2, cols + (k >> 1) * K + 2 * (k & 1));
        src += step;
        if (++ox == g->out_w) {
          ox = 0;
          row += row_step;
          src = row;
        }
      }
      const int8_t *w = p->weights;
      for (int32_t i = 0; i < pairs; i++) {
        f.ba = p->bias[2 * i];
        f.bb = p->bias[2 * i + 1];
        f.ma = p->rq.multiplier[2 * i];
        f.mb = p->rq.multiplier[2 * i + 1];
        f.ea = ~p->rq.shift[2 * i];
        f.eb = ~p->rq.shift[2 * i + 1];
        f.out = dst + 2 * i;
        f.count = n;
        pw_pair(cols, w, &f, full);
        w += 2 * K;
      }
      done += 2 * n;
      dst += 2 * n * oc_n;
    }
  }
}

void snn_conv_1x1_s8(const snn_conv_params *flash_params, const int8_t *in, int8_t *out, int16_t *scratch) {
  const snn_conv_params params = *flash_params; /* on the stack (SRAM), as in snn_conv_s8 */
  if (params.rq.act_min == -128 && params.rq.act_max == 127) conv_pointwise(&params, in, out, scratch, 1);
  else conv_pointwise(&params, in, out, scratch, 0);
}

#undef SNN_GROUP
#undef SNN_OUT_FAST
