/*
 * DEPTHWISE_CONV_2D, the plane path (snn_depthwise_3x3_s8): depth multiplier
 * 1, channels a multiple of 4, an undilated 3x3 kernel, horizontal stride 1
 * or 2, the fast requantization, and a scratch of band_rows output rows'
 * plane (the emitter sizes it: SNN_DW_PLANE_BYTES).
 *
 * Per group of four channels and band of output rows, the input rows the band
 * reads are copied into the scratch as a zero-bordered plane, pre-widened:
 * each pixel is two words, [x0, x2] and [x1, x3] with the input offset added
 * (SXTAB16), so a padding pixel is two zero words and every window is whole.
 * The plane's columns are 8 bytes apart, so a window's nine taps, and the
 * window of the next output position (8 * stride bytes on), are immediate
 * offsets from one pointer.
 *
 * The group's weights are widened and doubled ([2 w0, 2 w2], [2 w1, 2 w3] per
 * tap) and its biases doubled once, into a frame that dw_pairs_* copies onto
 * its own stack: then every register but sp holds the core. One pass computes
 * two output positions of four channels (eight accumulators, 72 MACs): per tap
 * two weight loads shared by both positions, two plane loads and four
 * SMLABB / SMLATT per position. The accumulators are twice the sums, so the
 * fast requantization needs no doubling: SMMULR, the sign correction, the
 * shift by e - 1, the zero point (as 2 zp + 1, the rounding term folded) and
 * SSAT with ASR #1; the four bytes of a position are packed by BFI, clamped
 * per byte lane (SSUB8 / SEL) and stored as one word. An odd last position
 * of a row is computed in C from the same plane.
 */
#include <stddef.h>
#include <arm_acle.h>
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

/* What dw_pairs_* reads, at these byte offsets of its copy on the stack. */
typedef struct {
  int32_t b[4];        /* 0: 2 * bias, channels 0..3 */
  int32_t me[8];       /* 16: multiplier, e - 1 (~shift) of channel 0, then 1, 2, 3 */
  int32_t zz;          /* 48: 2 * out_zp + 1 */
  uint32_t lo4, hi4;   /* 52, 56: act_min, act_max in every byte */
  int32_t rs;          /* 60: plane bytes per row */
  int32_t rskip;       /* 64: plane bytes from a row's last pair to the next row's first window */
  int32_t oc;          /* 68: output bytes between positions (channels) */
  int32_t oskip;       /* 72: output bytes skipped after a row's pairs (an odd last position) */
  int32_t rstep;       /* 76: plane bytes between output rows (stride_h rows) */
  const uint32_t *q;   /* 80: plane word of the first window (top-left) */
  int8_t *out;         /* 84: output of the next pair, channel 0 of the group */
  int32_t rows;        /* 88: output rows left */
  const uint32_t *qend; /* 92: (working) the window pointer at the end of the row's pairs */
  int32_t pair_bytes;  /* 96: plane bytes of a row's pairs */
  int32_t spare;       /* 100 */
  uint32_t wt[18];     /* 104: tap t at 8 t: [2 w0, 2 w2], [2 w1, 2 w3] */
} dw_frame;

#define DWF_BYTES 176
_Static_assert(sizeof(dw_frame) == DWF_BYTES, "dw_frame layout");
_Static_assert(offsetof(dw_frame, me) == 16 && offsetof(dw_frame, zz) == 48 && offsetof(dw_frame, lo4) == 52, "dw_frame layout");
_Static_assert(offsetof(dw_frame, rs) == 60 && offsetof(dw_frame, q) == 80 && offsetof(dw_frame, pair_bytes) == 96, "dw_frame layout");
_Static_assert(offsetof(dw_frame, wt) == 104, "dw_frame layout");

#define DW_STR_(x) #x
#define DW_STR(x) DW_STR_(x)

/* Copies the frame (r0) onto the stack below the saved registers: 44 words, four LDM / STM of 11. */
#define DW_ENTER                                  \
  "push {r4-r11, lr}\n\t"                         \
  "sub sp, sp, #" DW_STR(DWF_BYTES) "\n\t"        \
  "mov r12, sp\n\t"                               \
  "ldm r0!, {r1-r11}\n\tstm r12!, {r1-r11}\n\t"   \
  "ldm r0!, {r1-r11}\n\tstm r12!, {r1-r11}\n\t"   \
  "ldm r0!, {r1-r11}\n\tstm r12!, {r1-r11}\n\t"   \
  "ldm r0!, {r1-r11}\n\tstm r12!, {r1-r11}\n\t"

/*
 * Tap T (kernel column KX) of both positions: weights [sp, 104 + 8T] (r8, r9),
 * plane words of position 0 at [r12, 8 KX] and of position 1 at PS bytes on
 * (r10, r11); accumulators r0..r3 (position 0, channels 0..3), r4..r7.
 */
#define DW_TAP(T, KX, PS)                                   \
  "ldr r8, [sp, #104 + 8 * (" #T ")]\n\t"                     \
  "ldr r9, [sp, #108 + 8 * (" #T ")]\n\t"                     \
  "ldr r10, [r12, #8 * " #KX "]\n\t"                        \
  "ldr r11, [r12, #8 * " #KX " + 4]\n\t"                    \
  "smlabb r0, r10, r8, r0\n\t"                              \
  "smlatt r2, r10, r8, r2\n\t"                              \
  "smlabb r1, r11, r9, r1\n\t"                              \
  "smlatt r3, r11, r9, r3\n\t"                              \
  "ldr r10, [r12, #8 * " #KX " + " #PS "]\n\t"              \
  "ldr r11, [r12, #8 * " #KX " + " #PS " + 4]\n\t"          \
  "smlabb r4, r10, r8, r4\n\t"                              \
  "smlatt r6, r10, r8, r6\n\t"                              \
  "smlabb r5, r11, r9, r5\n\t"                              \
  "smlatt r7, r11, r9, r7\n\t"

/* Kernel row KY (taps 3 KY .. 3 KY + 2). */
#define DW_KROW(KY, PS) DW_TAP(3 * KY, 0, PS) DW_TAP(3 * KY + 1, 1, PS) DW_TAP(3 * KY + 2, 2, PS)

/*
 * Channel C's two outputs (accumulators A, B: twice the sums): multiplier
 * and e - 1 from the frame (r8, r9), 2 zp + 1 in r10; saturated to int8.
 */
#define DW_RQ2(C, A, B)                                     \
  "ldrd r8, r9, [sp, #16 + 8 * " #C "]\n\t"                 \
  "smmulr " #A ", " #A ", r8\n\t"                           \
  "smmulr " #B ", " #B ", r8\n\t"                           \
  "add " #A ", " #A ", " #A ", asr #31\n\t"                 \
  "add " #B ", " #B ", " #B ", asr #31\n\t"                 \
  "asr " #A ", " #A ", r9\n\t"                              \
  "asr " #B ", " #B ", r9\n\t"                              \
  "add " #A ", " #A ", r10\n\t"                             \
  "add " #B ", " #B ", r10\n\t"                             \
  "ssat " #A ", #8, " #A ", asr #1\n\t"                     \
  "ssat " #B ", #8, " #B ", asr #1\n\t"

/* Activation clamp per byte lane of r0 and r4: CLAMP 0 none, 1 act_max only, 2 both. */
#define DW_CLAMP_0 ""
#define DW_CLAMP_1                                          \
  "ldr r9, [sp, #56]\n\t"                                   \
  "ssub8 r10, r9, r0\n\t"                                   \
  "sel r0, r0, r9\n\t"                                      \
  "ssub8 r10, r9, r4\n\t"                                   \
  "sel r4, r4, r9\n\t"
#define DW_CLAMP_2                                          \
  "ldrd r8, r9, [sp, #52]\n\t"                              \
  "ssub8 r10, r0, r8\n\t"                                   \
  "sel r0, r0, r8\n\t"                                      \
  "ssub8 r10, r9, r0\n\t"                                   \
  "sel r0, r0, r9\n\t"                                      \
  "ssub8 r10, r4, r8\n\t"                                   \
  "sel r4, r4, r8\n\t"                                      \
  "ssub8 r10, r9, r4\n\t"                                   \
  "sel r4, r4, r9\n\t"

/*
 * The rows of position pairs of one frame: horizontal stride PS / 8, clamp
 * form CLAMP. The window pointer r12 runs over a row's pairs (2 PS bytes per
 * pass) up to qend, then skips to the next row; the output pointer runs on
 * (skipping oskip). lr holds the plane's row bytes throughout.
 */
#define DW_PAIRS_FN(NAME, PS, CLAMP)                                                                   \
  static void __attribute__((naked, noinline)) NAME(const dw_frame *f __attribute__((unused))) {      \
    __asm__(DW_ENTER                                                                                   \
            "ldr r12, [sp, #80]\n\t"                                                                   \
            "ldr r9, [sp, #96]\n\t"                                                                    \
            "ldr lr, [sp, #60]\n\t"                                                                    \
            "add r9, r12, r9\n\t"                                                                      \
            "str r9, [sp, #92]\n\t"                                                                    \
            ".p2align 2\n"                                                                             \
            "2:\n\t"                                                                                   \
            "ldrd r0, r1, [sp, #0]\n\t"                                                                \
            "ldrd r2, r3, [sp, #8]\n\t"                                                                \
            "mov r4, r0\n\tmov r5, r1\n\tmov r6, r2\n\tmov r7, r3\n\t"                                 \
            DW_KROW(0, PS) "add r12, r12, lr\n\t" DW_KROW(1, PS) "add r12, r12, lr\n\t" DW_KROW(2, PS) \
            "sub r12, r12, lr, lsl #1\n\t"                                                             \
            "add r12, r12, #2 * " #PS "\n\t"                                                           \
            "ldr r10, [sp, #48]\n\t"                                                                   \
            DW_RQ2(0, r0, r4) DW_RQ2(1, r1, r5) DW_RQ2(2, r2, r6) DW_RQ2(3, r3, r7)                    \
            "bfi r0, r1, #8, #8\n\t"                                                                   \
            "bfi r0, r2, #16, #8\n\t"                                                                  \
            "bfi r0, r3, #24, #8\n\t"                                                                  \
            "bfi r4, r5, #8, #8\n\t"                                                                   \
            "bfi r4, r6, #16, #8\n\t"                                                                  \
            "bfi r4, r7, #24, #8\n\t"                                                                  \
            DW_CLAMP_##CLAMP                                                                           \
            "ldr r8, [sp, #84]\n\t"                                                                    \
            "ldr r9, [sp, #68]\n\t"                                                                    \
            "str r0, [r8]\n\t"                                                                         \
            "str r4, [r8, r9]\n\t"                                                                     \
            "add r8, r8, r9, lsl #1\n\t"                                                               \
            "str r8, [sp, #84]\n\t"                                                                    \
            "ldr r10, [sp, #92]\n\t"                                                                   \
            "cmp r12, r10\n\t"                                                                         \
            "bne 2b\n\t"                                                                               \
            "ldr r9, [sp, #64]\n\t"                                                                    \
            "ldr r11, [sp, #76]\n\t"                                                                   \
            "add r12, r12, r9\n\t"                                                                     \
            "add r10, r10, r11\n\t"                                                                    \
            "str r10, [sp, #92]\n\t"                                                                   \
            "ldr r9, [sp, #72]\n\t"                                                                    \
            "add r8, r8, r9\n\t"                                                                       \
            "str r8, [sp, #84]\n\t"                                                                    \
            "ldr r9, [sp, #88]\n\t"                                                                    \
            "subs r9, r9, #1\n\t"                                                                      \
            "str r9, [sp, #88]\n\t"                                                                    \
            "bne 2b\n\t"                                                                               \
            "add sp, sp, #" DW_STR(DWF_BYTES) "\n\t"                                                   \
            "pop {r4-r11, pc}\n\t");                                                                   \
  }

DW_PAIRS_FN(dw_pairs_s1_full, 8, 0)
DW_PAIRS_FN(dw_pairs_s1_hi, 8, 1)
DW_PAIRS_FN(dw_pairs_s1_clamp, 8, 2)
DW_PAIRS_FN(dw_pairs_s2_full, 16, 0)
DW_PAIRS_FN(dw_pairs_s2_hi, 16, 1)
DW_PAIRS_FN(dw_pairs_s2_clamp, 16, 2)

/*
 * rows plane rows of npx pixels each from input words cwb bytes apart: per
 * pixel [x0, x2] and [x1, x3] with the input offset added (SXTAB16), two
 * pixels per STM of four words (the odd pixel first, then a pair, then four
 * at a time); after each row the source skips sskip bytes and the plane
 * dskip bytes (its border columns, zeroed once).
 */
static void __attribute__((noinline)) dw_widen_rows(const uint32_t *s, int32_t cwb, int32_t npx, int32_t rows, uint32_t *d, int32_t dskip, int32_t sskip, uint32_t off2) {
  register uint32_t y0 __asm__("r4");
  register uint32_t y1 __asm__("r5");
  register uint32_t y2 __asm__("r6");
  register uint32_t y3 __asm__("r7");
  int32_t n;
#define DW_WIDEN2                                       \
  "ldr %[y1], [%[s]]\n\t"                               \
  "ldr %[y3], [%[s], %[cwb]]\n\t"                       \
  "add %[s], %[s], %[cwb], lsl #1\n\t"                  \
  "sxtab16 %[y0], %[o2], %[y1]\n\t"                     \
  "sxtab16 %[y1], %[o2], %[y1], ror #8\n\t"             \
  "sxtab16 %[y2], %[o2], %[y3]\n\t"                     \
  "sxtab16 %[y3], %[o2], %[y3], ror #8\n\t"             \
  "stmia %[d]!, {%[y0], %[y1], %[y2], %[y3]}\n\t"
  __asm__ volatile("1:\n\t"
                   "tst %[npx], #1\n\t"
                   "beq 3f\n\t"
                   "ldr %[y1], [%[s]]\n\t"
                   "add %[s], %[s], %[cwb]\n\t"
                   "sxtab16 %[y0], %[o2], %[y1]\n\t"
                   "sxtab16 %[y1], %[o2], %[y1], ror #8\n\t"
                   "stmia %[d]!, {%[y0], %[y1]}\n"
                   "3:\n\t"
                   "tst %[npx], #2\n\t"
                   "beq 4f\n\t"
                   DW_WIDEN2
                   "4:\n\t"
                   "lsrs %[n], %[npx], #2\n\t"
                   "beq 6f\n"
                   "5:\n\t"
                   DW_WIDEN2 DW_WIDEN2
                   "subs %[n], %[n], #1\n\t"
                   "bne 5b\n"
                   "6:\n\t"
                   "add %[d], %[d], %[dskip]\n\t"
                   "add %[s], %[s], %[sskip]\n\t"
                   "subs %[rows], %[rows], #1\n\t"
                   "bne 1b\n\t"
                   : [s] "+r"(s), [d] "+r"(d), [rows] "+r"(rows), [n] "=&r"(n), [y0] "=&r"(y0), [y1] "=&r"(y1), [y2] "=&r"(y2), [y3] "=&r"(y3)
                   : [cwb] "r"(cwb), [npx] "r"(npx), [dskip] "r"(dskip), [sskip] "r"(sskip), [o2] "r"(off2)
                   : "cc", "memory");
#undef DW_WIDEN2
}

/* Words [0, n) of d set to 0. */
static void dw_zero(uint32_t *d, int32_t n) {
  for (; n > 0; n--) *d++ = 0;
}

/*
 * Plane rows [0, rows) of one group from input rows y0, y0 + 1, ... (wp
 * pixels per row, pixel j from input column j - pad_left): rows outside the
 * input are zeroed, the others widened in plane columns [xa, xb); the
 * columns outside are zero already (dw_zero_columns).
 */
static void dw_fill_plane(const snn_window *g, const uint32_t *img, int32_t y0, int32_t rows, int32_t wp, int32_t xa, int32_t xb, uint32_t off2, uint32_t *plane) {
  const int32_t cw = g->in_c >> 2;
  int32_t top = -y0, bottom = y0 + rows - g->in_h; /* rows outside the input, above and below */
  top = top < 0 ? 0 : (top > rows ? rows : top);
  bottom = bottom < 0 ? 0 : (bottom > rows - top ? rows - top : bottom);
  dw_zero(plane, 2 * wp * top);
  dw_zero(plane + 2 * wp * (rows - bottom), 2 * wp * bottom);
  const int32_t inside = rows - top - bottom, npx = xb - xa;
  if (inside > 0 && npx > 0) {
    const uint32_t *s = img + ((y0 + top) * g->in_w + xa - g->pad_left) * cw;
    dw_widen_rows(s, 4 * cw, npx, inside, plane + 2 * (wp * top + xa), 8 * (wp - npx), 4 * cw * (g->in_w - npx), off2);
  }
}

/* Plane columns outside [xa, xb) of rows [0, rows) set to 0 (the same for every group and band). */
static void dw_zero_columns(uint32_t *plane, int32_t rows, int32_t wp, int32_t xa, int32_t xb) {
  if (xa == 0 && xb == wp) return;
  for (int32_t r = 0; r < rows; r++, plane += 2 * wp) {
    dw_zero(plane, 2 * xa);
    dw_zero(plane + 2 * xb, 2 * (wp - xb));
  }
}

/* One output position of four channels from the plane (window top-left q), the odd last position of a row. */
static void dw_plane_one(const dw_frame *f, const uint32_t *q, int32_t wp, int8_t *o, const snn_channel_requant *rq) {
  int32_t a[4] = {f->b[0], f->b[1], f->b[2], f->b[3]};
  for (int32_t t = 0; t < 9; t++) {
    const uint32_t *x = q + 2 * ((t / 3) * wp + t % 3);
    const uint32_t wa = f->wt[2 * t], wb = f->wt[2 * t + 1];
    a[0] = __smlabb((int32_t)x[0], (int32_t)wa, a[0]);
    a[2] = __smlatt((int32_t)x[0], (int32_t)wa, a[2]);
    a[1] = __smlabb((int32_t)x[1], (int32_t)wb, a[1]);
    a[3] = __smlatt((int32_t)x[1], (int32_t)wb, a[3]);
  }
  for (int32_t i = 0; i < 4; i++) {
    const int32_t e = f->me[2 * i + 1] + 1;
    o[i] = snn_clamp_out(snn_rq_fast(a[i] >> 1, f->me[2 * i], e, (int32_t)((1u << e) >> 1)), rq->out_zp, rq->act_min, rq->act_max, 0);
  }
}

/* Doubles both int16 halves of x. */
static inline uint32_t dw_double16(uint32_t x) {
  return (uint32_t)__sadd16((int16x2_t)x, (int16x2_t)x);
}

void snn_depthwise_3x3_s8(const snn_depthwise_params *p, const int8_t *in, int8_t *out, void *scratch) {
  const snn_window *g = &p->win;
  const snn_channel_requant *rq = &p->rq;
  const int32_t c = g->in_c, cw = c >> 2, sw = g->stride_w, sh = g->stride_h;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const int32_t wp = SNN_DW_PLANE_W(g->out_w, sw);
  const int32_t pairs = g->out_w >> 1;
  /* plane columns [xa, xb) hold input pixels */
  int32_t xa = g->pad_left, xb = g->pad_left + g->in_w;
  if (xa > wp) xa = wp;
  if (xb > wp) xb = wp;
  const int clamp = rq->act_max == 127 ? (rq->act_min == -128 ? 0 : 2) : (rq->act_min == -128 ? 1 : 2);
  void (*const run)(const dw_frame *) = sw == 1 ? (clamp == 0 ? dw_pairs_s1_full : clamp == 1 ? dw_pairs_s1_hi : dw_pairs_s1_clamp)
                                                : (clamp == 0 ? dw_pairs_s2_full : clamp == 1 ? dw_pairs_s2_hi : dw_pairs_s2_clamp);
  uint32_t *plane = (uint32_t *)scratch;
  dw_zero_columns(plane, (p->band_rows - 1) * sh + 3, wp, xa, xb);
  dw_frame f;
  f.zz = 2 * rq->out_zp + 1;
  f.lo4 = ((uint32_t)rq->act_min & 0xffu) * 0x01010101u;
  f.hi4 = ((uint32_t)rq->act_max & 0xffu) * 0x01010101u;
  f.rs = 8 * wp;
  f.rstep = sh * 8 * wp;
  f.pair_bytes = pairs * 2 * 8 * sw;
  f.rskip = f.rstep - f.pair_bytes;
  f.oc = c;
  f.oskip = (g->out_w & 1) * c;
  f.spare = 0;
  for (int32_t grp = 0; grp < cw; grp++) {
    const int32_t ch = 4 * grp;
    const uint32_t *wsrc = (const uint32_t *)(const void *)p->weights + grp;
    for (int32_t t = 0; t < 9; t++) {
      f.wt[2 * t] = dw_double16(snn_sxtb16(wsrc[t * cw]));
      f.wt[2 * t + 1] = dw_double16(snn_sxtb16_ror8(wsrc[t * cw]));
    }
    for (int32_t i = 0; i < 4; i++) {
      f.b[i] = (int32_t)(2u * (uint32_t)p->bias[ch + i]);
      f.me[2 * i] = rq->multiplier[ch + i];
      f.me[2 * i + 1] = ~rq->shift[ch + i];
    }
    for (int32_t b = 0; b < g->batches; b++) {
      const uint32_t *img = (const uint32_t *)(const void *)(in + b * g->in_h * g->in_w * c) + grp;
      int8_t *obase = out + b * g->out_h * g->out_w * c + ch;
      for (int32_t oy0 = 0; oy0 < g->out_h; oy0 += p->band_rows) {
        int32_t rows = g->out_h - oy0;
        if (rows > p->band_rows) rows = p->band_rows;
        dw_fill_plane(g, img, oy0 * sh - g->pad_top, (rows - 1) * sh + 3, wp, xa, xb, off2, plane);
        int8_t *orow = obase + oy0 * g->out_w * c;
        if (pairs > 0) {
          f.q = plane;
          f.out = orow;
          f.rows = rows;
          run(&f);
        }
        if (g->out_w & 1) {
          for (int32_t r = 0; r < rows; r++) dw_plane_one(&f, plane + r * sh * 2 * wp + 2 * (g->out_w - 1) * sw, wp, orow + r * g->out_w * c + (g->out_w - 1) * c, rq);
        }
      }
    }
  }
}
