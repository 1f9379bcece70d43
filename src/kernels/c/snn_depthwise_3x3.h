/*
 * DEPTHWISE_CONV_2D, the plane path: included by the emitted layer units
 * that take it (so images without such a layer link none of it).
 *
 * snn_depthwise_3x3_s8 takes depth multiplier 1, channels a multiple of 4,
 * an undilated 3x3 kernel, horizontal stride 1 or 2, the fast
 * requantization, word-aligned tensors and a scratch of band_rows output
 * rows' plane (depthwisePlaneBytes), and the emitter's per-group constants
 * (plane_data); the emitter checks all of it (depthwise-plane.ts).
 *
 * Per group of four channels and band of output rows, the input rows the band
 * reads are copied into the scratch as a bordered plane, so that every window
 * is whole and a window's words, and those of the next output position, are
 * immediate offsets from one pointer:
 * - stride 1, a plane of pixel pairs: for plane columns 2u, 2u + 1 and each
 *   channel c, one word [x(2u, c), x(2u + 1, c)] with the input offset added
 *   (SXTAB16, then PKHBT / PKHTB), 16 bytes per pair, padding halves 0;
 * - stride 2, the raw pixel words (4 bytes per pixel), the padding holding
 *   the input zero point in every byte (the input offset is folded into the
 *   biases by the emitter, so a padding tap adds nothing).
 *
 * One pass computes two neighbouring output positions of four channels
 * (eight accumulators, 72 MACs). Stride 1, per kernel row and channel, with
 * the pair words P0 = [x0, x1], P2 = [x2, x3] and the weight words
 * W01 = [w0, w1], W12 = [w1, w2]: position 0 is SMLAD(P0, W01) +
 * SMLABT(P2, W12), position 1 SMLATB(P0, W01) + SMLAD(P2, W12), four
 * multiply instructions for six MACs. Stride 2, per tap: the two weight words
 * ([w0, w2], [w1, w3] of the channels) shared by both positions, each
 * position's pixel word widened by two SXTB16 and four SMLABB / SMLATT. The
 * group's constants are copied with the layer's into a frame on the pass
 * function's own stack: then every register but sp holds the core. Weights
 * and biases are doubled, so the fast requantization needs no doubling:
 * SMMULR, the sign correction, the shift by e - 1, the zero point (as
 * 2 zp + 1, the rounding term folded) and SSAT with ASR #1; the four bytes of
 * a position are packed by BFI, clamped per byte lane (SSUB8 / SEL) and
 * stored as one word. An odd last position of a row is computed in C from
 * the same plane.
 */
#ifndef SNN_DEPTHWISE_3X3_H
#define SNN_DEPTHWISE_3X3_H

#include <stddef.h>
#include <arm_acle.h>
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

/* The plane path's parameters: the layer's, the output rows per band of the plane, the per-group constants. */
typedef struct {
  snn_depthwise_params base;
  int32_t band_rows;
  const uint32_t *plane_data; /* 36 words per group of four channels (dw_group) */
} snn_dw3x3_params;

/*
 * Pixels per row of the plane, and its scratch bytes for a band of `rows` output rows: stride_w 1,
 * 16 bytes per pixel pair; stride_w 2, 4 bytes per pixel (depthwisePlaneBytes in depthwise-plane.ts).
 */
#define SNN_DW_PLANE_W(out_w, stride_w) (((out_w) - 1) * (stride_w) + 3)

/*
 * A group's constants (the emitter's, flash): 2 * bias (stride 2: plus the
 * input offset times the doubled weight sum), (multiplier, e - 1 = ~shift)
 * per channel, weight words of doubled int16 halves: stride 1, per kernel
 * row ky and channel c at 8 ky + 2 c, [w0, w1] and [w1, w2]; stride 2, per
 * tap t at 2 t, [w0, w2] and [w1, w3] of the four channels.
 */
typedef struct {
  int32_t b[4];
  int32_t me[8];
  uint32_t wt[24];
} dw_group;

/* The layer's part of the frame (stack offsets 48 to 103 in dw_pairs_*). */
typedef struct {
  int32_t zz;           /* 48: 2 * out_zp + 1 */
  uint32_t lo4, hi4;    /* 52, 56: act_min, act_max in every byte */
  int32_t rs;           /* 60: plane bytes per row */
  int32_t rskip;        /* 64: plane bytes from a row's last pair to the next row's first window */
  int32_t oc;           /* 68: output bytes between positions (channels) */
  int32_t oskip;        /* 72: output bytes skipped after a row's pairs (an odd last position) */
  int32_t rstep;        /* 76: plane bytes between output rows (stride_h rows) */
  const uint32_t *q;    /* 80: plane word of the first window (top-left) */
  int8_t *out;          /* 84: output of the next pair, channel 0 of the group */
  int32_t rows;         /* 88: output rows left */
  const uint32_t *qend; /* 92: (working) the window pointer at the end of the row's pairs */
  int32_t pair_bytes;   /* 96: plane bytes of a row's pairs */
  int32_t spare;        /* 100 */
} dw_frame;

/* The frame dw_pairs_* builds on its stack: the group's b, me (0..47), the layer's part (48..103), wt (104..199). */
#define DWF_BYTES 200
_Static_assert(sizeof(dw_group) == 144 && sizeof(dw_frame) == 56, "dw_frame layout");
_Static_assert(offsetof(dw_frame, rs) == 60 - 48 && offsetof(dw_frame, q) == 80 - 48 && offsetof(dw_frame, pair_bytes) == 96 - 48, "dw_frame layout");

#define DW_STR_(x) #x
#define DW_STR(x) DW_STR_(x)

/* Builds the frame on the stack below the saved registers: the group's (r1) 12 words, the layer's (r0) 14, the group's 24. */
#define DW_ENTER                                  \
  "push {r4-r11, lr}\n\t"                         \
  "sub sp, sp, #" DW_STR(DWF_BYTES) "\n\t"        \
  "mov r12, sp\n\t"                               \
  "ldm r1!, {r2-r7}\n\tstm r12!, {r2-r7}\n\t"     \
  "ldm r1!, {r2-r7}\n\tstm r12!, {r2-r7}\n\t"     \
  "ldm r0!, {r2-r11}\n\tstm r12!, {r2-r11}\n\t"   \
  "ldm r0!, {r2-r5}\n\tstm r12!, {r2-r5}\n\t"     \
  "ldm r1!, {r2-r11}\n\tstm r12!, {r2-r11}\n\t"   \
  "ldm r1!, {r2-r11}\n\tstm r12!, {r2-r11}\n\t"   \
  "ldm r1!, {r2-r5}\n\tstm r12!, {r2-r5}\n\t"

/*
 * Kernel row KY, channel C (accumulators A: position 0, B: position 1): the
 * weight words from the frame (r8 = W01, r9 = W12), the pair words from the
 * window pointer r12 (r10 = P0, r11 = P2; stride 2: r10 = P4 after position 0).
 */
#define DW_S1(KY, C, A, B)                                  \
  "ldr r8, [sp, #104 + 32 * " #KY " + 8 * " #C "]\n\t"      \
  "ldr r9, [sp, #108 + 32 * " #KY " + 8 * " #C "]\n\t"      \
  "ldr r10, [r12, #4 * " #C "]\n\t"                         \
  "ldr r11, [r12, #16 + 4 * " #C "]\n\t"                    \
  "smlad " #A ", r10, r8, " #A "\n\t"                       \
  "smlabt " #A ", r11, r9, " #A "\n\t"                      \
  "smlatb " #B ", r10, r8, " #B "\n\t"                      \
  "smlad " #B ", r11, r9, " #B "\n\t"
/*
 * Stride 2 (raw plane, four bytes per pixel): tap T (kernel column KX) of
 * both positions, 8 bytes apart: the weight words [2 w0, 2 w2], [2 w1, 2 w3]
 * from the frame (r8, r9), each position's pixel word widened by SXTB16 (the
 * input offset is in the biases) into r10 = [x0, x2], r11 = [x1, x3].
 */
#define DW_T2(T, KX)                                        \
  "ldr r8, [sp, #104 + 8 * (" #T ")]\n\t"                   \
  "ldr r9, [sp, #108 + 8 * (" #T ")]\n\t"                   \
  "ldr r10, [r12, #4 * " #KX "]\n\t"                        \
  "sxtb16 r11, r10, ror #8\n\t"                             \
  "sxtb16 r10, r10\n\t"                                     \
  "smlabb r0, r10, r8, r0\n\t"                              \
  "smlatt r2, r10, r8, r2\n\t"                              \
  "smlabb r1, r11, r9, r1\n\t"                              \
  "smlatt r3, r11, r9, r3\n\t"                              \
  "ldr r10, [r12, #4 * " #KX " + 8]\n\t"                    \
  "sxtb16 r11, r10, ror #8\n\t"                             \
  "sxtb16 r10, r10\n\t"                                     \
  "smlabb r4, r10, r8, r4\n\t"                              \
  "smlatt r6, r10, r8, r6\n\t"                              \
  "smlabb r5, r11, r9, r5\n\t"                              \
  "smlatt r7, r11, r9, r7\n\t"

/* Kernel row KY: stride 1 (pair plane, four channels), stride 2 (raw plane, three taps). */
#define DW_ROW1(KY) DW_S1(KY, 0, r0, r4) DW_S1(KY, 1, r1, r5) DW_S1(KY, 2, r2, r6) DW_S1(KY, 3, r3, r7)
#define DW_ROW2(KY) DW_T2(3 * KY, 0) DW_T2(3 * KY + 1, 1) DW_T2(3 * KY + 2, 2)

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

/* Activation clamp per byte lane of r0 and r4 (both bounds). */
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
 * The rows of position pairs of one frame: kernel rows ROW (DW_ROW1 / DW_ROW2), the
 * window pointer's step per pass STEP, clamp form CLAMP. The window pointer
 * r12 runs over a row's pairs up to qend, then skips to the next row; the
 * output pointer runs on (skipping oskip). lr holds the plane's row bytes.
 */
#define DW_PAIRS_FN(NAME, ROW, STEP, CLAMP)                                                              \
  static void __attribute__((naked, noinline)) NAME(const dw_frame *f __attribute__((unused)), const dw_group *k __attribute__((unused))) { \
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
            ROW(0) "add r12, r12, lr\n\t" ROW(1) "add r12, r12, lr\n\t" ROW(2)    \
            "sub r12, r12, lr, lsl #1\n\t"                                                             \
            "add r12, r12, #" #STEP "\n\t"                                                             \
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

/* One clamp form (both bounds; a no-op for the whole int8 range) keeps the library small: every image links it. */
DW_PAIRS_FN(dw_pairs_s1, DW_ROW1, 16, 2)
DW_PAIRS_FN(dw_pairs_s2, DW_ROW2, 16, 2)

/* What dw_fill_rows reads (its pointer in lr). */
typedef struct {
  const uint32_t *s; /* 0: the first input pixel's word (group) of the first row */
  int32_t cwb;       /* 4: bytes between input pixels */
  uint32_t *d;       /* 8: the plane pair of that pixel */
  uint32_t off2;     /* 12: the input offset in both halves */
  int32_t shape;     /* 16: bit 0: a lead pixel (high half), bit 1: a trail pixel (low half), bits 2..: whole pairs */
  int32_t rows;      /* 20: rows left */
  int32_t dskip;     /* 24: plane bytes from a row's last written pair to the next row's first */
  int32_t sskip;     /* 28: input bytes from a row's last pixel read to the next row's first */
} dw_fill;

_Static_assert(sizeof(dw_fill) == 32, "dw_fill layout");

/* Label 5: the end of a fill row (dw_fill at lr): plane and input pointers skip on, next row at label 1. */
#define DW_ROW_END                               \
  "5:\n\t"                                       \
  "ldrd r4, r5, [lr, #24]\n\t"                   \
  "ldr r6, [lr, #20]\n\t"                        \
  "add r3, r3, r4\n\t"                           \
  "add r0, r0, r5\n\t"                           \
  "subs r6, r6, #1\n\t"                          \
  "str r6, [lr, #20]\n\t"                        \
  "bne 1b\n\t"

/* One pixel (word at r0, r0 += cwb) widened: r8 = [x0, x2], r9 = [x1, x3] (input offset added). */
#define DW_PIXEL                                 \
  "ldr r9, [r0]\n\t"                             \
  "add r0, r0, r1\n\t"                           \
  "sxtab16 r8, r12, r9\n\t"                      \
  "sxtab16 r9, r12, r9, ror #8\n\t"

/*
 * The inside rows of one group's plane (dw_fill at r0): per row an optional
 * lead pixel (plane column odd: low halves zero), whole pairs (two pixels,
 * four SXTAB16, four PKHBT / PKHTB, one STM of the four channel words), an
 * optional trail pixel (high halves zero).
 */
static void __attribute__((naked, noinline)) dw_fill_rows(const dw_fill *a __attribute__((unused))) {
  __asm__("push {r4-r11, lr}\n\t"
          "mov lr, r0\n\t"
          "ldrd r0, r1, [lr, #0]\n\t"
          "ldrd r3, r12, [lr, #8]\n"
          "1:\n\t"
          "ldr r2, [lr, #16]\n\t"
          "tst r2, #1\n\t"
          "beq 2f\n\t"
          DW_PIXEL
          "lsl r4, r8, #16\n\t"
          "lsl r5, r9, #16\n\t"
          "lsr r6, r8, #16\n\t"
          "lsr r7, r9, #16\n\t"
          "lsl r6, r6, #16\n\t"
          "lsl r7, r7, #16\n\t"
          "stmia r3!, {r4-r7}\n"
          "2:\n\t"
          "lsrs r2, r2, #2\n\t"
          "beq 4f\n"
          "3:\n\t"
          "ldr r9, [r0]\n\t"
          "ldr r11, [r0, r1]\n\t"
          "add r0, r0, r1, lsl #1\n\t"
          "sxtab16 r8, r12, r9\n\t"
          "sxtab16 r9, r12, r9, ror #8\n\t"
          "sxtab16 r10, r12, r11\n\t"
          "sxtab16 r11, r12, r11, ror #8\n\t"
          "pkhbt r4, r8, r10, lsl #16\n\t"
          "pkhbt r5, r9, r11, lsl #16\n\t"
          "pkhtb r6, r10, r8, asr #16\n\t"
          "pkhtb r7, r11, r9, asr #16\n\t"
          "stmia r3!, {r4-r7}\n\t"
          "subs r2, r2, #1\n\t"
          "bne 3b\n"
          "4:\n\t"
          "ldr r2, [lr, #16]\n\t"
          "tst r2, #2\n\t"
          "beq 5f\n\t"
          DW_PIXEL
          "uxth r4, r8\n\t"
          "uxth r5, r9\n\t"
          "lsr r6, r8, #16\n\t"
          "lsr r7, r9, #16\n\t"
          "stmia r3!, {r4-r7}\n"
          DW_ROW_END
          "pop {r4-r11, pc}\n\t");
}

/*
 * The inside rows of one group's raw plane (stride 2; dw_fill at r0, shape:
 * the pixels per row): the pixel words copied, one, then two, then four at a
 * time (LDR / STM).
 */
static void __attribute__((naked, noinline)) dw_copy_rows(const dw_fill *a __attribute__((unused))) {
  __asm__("push {r4-r7, lr}\n\t"
          "mov lr, r0\n\t"
          "ldrd r0, r1, [lr, #0]\n\t"
          "ldr r3, [lr, #8]\n"
          "1:\n\t"
          "ldr r2, [lr, #16]\n\t"
          "tst r2, #1\n\t"
          "beq 2f\n\t"
          "ldr r4, [r0]\n\t"
          "add r0, r0, r1\n\t"
          "str r4, [r3], #4\n"
          "2:\n\t"
          "tst r2, #2\n\t"
          "beq 3f\n\t"
          "ldr r4, [r0]\n\t"
          "ldr r5, [r0, r1]\n\t"
          "add r0, r0, r1, lsl #1\n\t"
          "stmia r3!, {r4, r5}\n"
          "3:\n\t"
          "lsrs r2, r2, #2\n\t"
          "beq 5f\n"
          "4:\n\t"
          "ldr r4, [r0]\n\t"
          "ldr r5, [r0, r1]\n\t"
          "add r0, r0, r1, lsl #1\n\t"
          "ldr r6, [r0]\n\t"
          "ldr r7, [r0, r1]\n\t"
          "add r0, r0, r1, lsl #1\n\t"
          "stmia r3!, {r4-r7}\n\t"
          "subs r2, r2, #1\n\t"
          "bne 4b\n"
          DW_ROW_END
          "pop {r4-r7, pc}\n\t");
}

/* Words [0, n) of d set to v. */
static void dw_set(uint32_t *d, int32_t n, uint32_t v) {
  for (; n > 0; n--) *d++ = v;
}

/* Rows outside the input among plane rows [0, rows) from input row y0: *top above, *bottom below. */
static void dw_outside(const snn_window *g, int32_t y0, int32_t rows, int32_t *top, int32_t *bottom) {
  int32_t t = -y0, b = y0 + rows - g->in_h;
  t = t < 0 ? 0 : (t > rows ? rows : t);
  b = b < 0 ? 0 : (b > rows - t ? rows - t : b);
  *top = t;
  *bottom = b;
}

/*
 * Raw plane rows [0, rows) of one group (stride 2: wp pixel words per row,
 * plane column j from input column j - pad_left): rows outside the input
 * hold the input zero point in every byte (zp4), the others are copied in
 * columns [xa, xb); the columns outside hold zp4 already (dw_set_columns).
 */
static void dw_fill_raw(const snn_window *g, const uint32_t *img, int32_t y0, int32_t rows, int32_t wp, int32_t xa, int32_t xb, uint32_t zp4, uint32_t *plane) {
  const int32_t cw = g->in_c >> 2;
  int32_t top, bottom;
  dw_outside(g, y0, rows, &top, &bottom);
  dw_set(plane, wp * top, zp4);
  dw_set(plane + wp * (rows - bottom), wp * bottom, zp4);
  const int32_t inside = rows - top - bottom, npx = xb - xa;
  if (inside <= 0 || npx <= 0) return;
  dw_fill a;
  a.s = img + ((y0 + top) * g->in_w + xa - g->pad_left) * cw;
  a.cwb = 4 * cw;
  a.d = plane + wp * top + xa;
  a.off2 = 0;
  a.shape = npx;
  a.rows = inside;
  a.dskip = 4 * (wp - npx);
  a.sskip = 4 * cw * (g->in_w - npx);
  dw_copy_rows(&a);
}

/* Raw plane columns outside [xa, xb) of rows [0, rows) set to zp4 (the same for every group and band). */
static void dw_set_columns(uint32_t *plane, int32_t rows, int32_t wp, int32_t xa, int32_t xb, uint32_t zp4) {
  if (xa == 0 && xb == wp) return;
  for (int32_t r = 0; r < rows; r++, plane += wp) {
    dw_set(plane, xa, zp4);
    dw_set(plane + xb, wp - xb, zp4);
  }
}

/* One output position of four channels from the raw plane (window columns j .. j + 2 of row), the odd last position of a row. */
static void dw_raw_one(const dw_group *f, const uint32_t *row, int32_t j, int32_t wp, int8_t *o, const snn_channel_requant *rq) {
  for (int32_t i = 0; i < 4; i++) {
    int32_t a = f->b[i];
    for (int32_t t = 0; t < 9; t++) {
      const uint32_t w = f->wt[2 * t + (i & 1)];
      a += (int8_t)(row[(t / 3) * wp + j + t % 3] >> (8 * i)) * (int16_t)(i & 2 ? w >> 16 : w & 0xffffu);
    }
    const int32_t e = f->me[2 * i + 1] + 1;
    o[i] = snn_clamp_out(snn_rq_fast(a >> 1, f->me[2 * i], e, (int32_t)((1u << e) >> 1)), rq->out_zp, rq->act_min, rq->act_max, 0);
  }
}

/*
 * Plane rows [0, rows) of one group from input rows y0, y0 + 1, ... (wq
 * pairs per row, plane column j from input column j - pad_left): rows
 * outside the input are zeroed, the others filled in plane columns [xa, xb);
 * the pairs wholly outside are zero already (dw_zero_columns).
 */
static void dw_fill_plane(const snn_window *g, const uint32_t *img, int32_t y0, int32_t rows, int32_t wq, int32_t xa, int32_t xb, uint32_t off2, uint32_t *plane) {
  const int32_t cw = g->in_c >> 2;
  int32_t top, bottom;
  dw_outside(g, y0, rows, &top, &bottom);
  dw_set(plane, 4 * wq * top, 0);
  dw_set(plane + 4 * wq * (rows - bottom), 4 * wq * bottom, 0);
  const int32_t inside = rows - top - bottom, npx = xb - xa;
  if (inside <= 0 || npx <= 0) return;
  const int32_t lead = xa & 1, whole = (npx - lead) >> 1, trail = (npx - lead) & 1;
  const int32_t ua = xa >> 1, ub = ua + lead + whole + trail; /* pairs [ua, ub) written per row */
  dw_fill a;
  a.s = img + ((y0 + top) * g->in_w + xa - g->pad_left) * cw;
  a.cwb = 4 * cw;
  a.d = plane + 4 * (wq * top + ua);
  a.off2 = off2;
  a.shape = lead | (trail << 1) | (whole << 2);
  a.rows = inside;
  a.dskip = 16 * (wq - (ub - ua));
  a.sskip = 4 * cw * (g->in_w - npx);
  dw_fill_rows(&a);
}

/* Plane pairs wholly outside columns [xa, xb) of rows [0, rows) set to 0 (the same for every group and band). */
static void dw_zero_columns(uint32_t *plane, int32_t rows, int32_t wq, int32_t xa, int32_t xb) {
  const int32_t ua = xa >> 1, ub = (xb + 1) >> 1; /* pairs holding an input pixel */
  if (ua == 0 && ub == wq) return;
  for (int32_t r = 0; r < rows; r++, plane += 4 * wq) {
    dw_set(plane, 4 * ua, 0);
    dw_set(plane + 4 * ub, 4 * (wq - ub), 0);
  }
}

/* Plane value of column j, channel i of a row (pairs at row). */
static inline int32_t dw_px(const uint32_t *row, int32_t j, int32_t i) {
  const uint32_t w = row[4 * (j >> 1) + i];
  return (int16_t)(j & 1 ? w >> 16 : w & 0xffffu);
}

/* One output position of four channels from the plane (window columns j .. j + 2 of row), the odd last position of a row. */
static void dw_plane_one(const dw_group *f, const uint32_t *row, int32_t j, int32_t wq, int8_t *o, const snn_channel_requant *rq) {
  for (int32_t i = 0; i < 4; i++) {
    int32_t a = f->b[i];
    for (int32_t ky = 0; ky < 3; ky++) {
      const uint32_t w01 = f->wt[8 * ky + 2 * i], w12 = f->wt[8 * ky + 2 * i + 1];
      const uint32_t *r = row + 4 * wq * ky;
      a += dw_px(r, j, i) * (int16_t)(w01 & 0xffffu) + dw_px(r, j + 1, i) * (int16_t)(w01 >> 16) + dw_px(r, j + 2, i) * (int16_t)(w12 >> 16);
    }
    const int32_t e = f->me[2 * i + 1] + 1;
    o[i] = snn_clamp_out(snn_rq_fast(a >> 1, f->me[2 * i], e, (int32_t)((1u << e) >> 1)), rq->out_zp, rq->act_min, rq->act_max, 0);
  }
}

static void snn_depthwise_3x3_s8(const snn_dw3x3_params *flash_params, const int8_t *in, int8_t *out, void *scratch) {
  const snn_dw3x3_params pp = *flash_params; /* fields read from SRAM, not flash */
  const snn_depthwise_params *p = &pp.base;
  const snn_window *g = &p->win;
  const snn_channel_requant *rq = &p->rq;
  const int32_t c = g->in_c, cw = c >> 2, sw = g->stride_w, sh = g->stride_h;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const uint32_t zp4 = ((uint32_t)(-p->in_offset) & 0xffu) * 0x01010101u;
  const int32_t wp = SNN_DW_PLANE_W(g->out_w, sw), wq = (wp + 1) >> 1;
  const int32_t pairs = g->out_w >> 1, prow = sw == 1 ? 4 * wq : wp; /* plane words per row */
  /* plane columns [xa, xb) hold input pixels */
  int32_t xa = g->pad_left, xb = g->pad_left + g->in_w;
  if (xa > wp) xa = wp;
  if (xb > wp) xb = wp;
  void (*const run)(const dw_frame *, const dw_group *) = sw == 1 ? dw_pairs_s1 : dw_pairs_s2;
  uint32_t *plane = (uint32_t *)scratch;
  if (sw == 1) dw_zero_columns(plane, (pp.band_rows - 1) * sh + 3, wq, xa, xb);
  else dw_set_columns(plane, (pp.band_rows - 1) * sh + 3, wp, xa, xb, zp4);
  dw_frame f;
  f.zz = 2 * rq->out_zp + 1;
  f.lo4 = ((uint32_t)rq->act_min & 0xffu) * 0x01010101u;
  f.hi4 = ((uint32_t)rq->act_max & 0xffu) * 0x01010101u;
  f.rs = 4 * prow;
  f.rstep = sh * 4 * prow;
  f.pair_bytes = pairs * 16;
  f.rskip = f.rstep - f.pair_bytes;
  f.oc = c;
  f.oskip = (g->out_w & 1) * c;
  f.spare = 0;
  for (int32_t grp = 0; grp < cw; grp++) {
    const int32_t ch = 4 * grp;
    const dw_group *k = (const dw_group *)(const void *)pp.plane_data + grp;
    for (int32_t b = 0; b < g->batches; b++) {
      const uint32_t *img = (const uint32_t *)(const void *)(in + b * g->in_h * g->in_w * c) + grp;
      int8_t *obase = out + b * g->out_h * g->out_w * c + ch;
      for (int32_t oy0 = 0; oy0 < g->out_h; oy0 += pp.band_rows) {
        int32_t rows = g->out_h - oy0;
        if (rows > pp.band_rows) rows = pp.band_rows;
        if (sw == 1) dw_fill_plane(g, img, oy0 * sh - g->pad_top, (rows - 1) * sh + 3, wq, xa, xb, off2, plane);
        else dw_fill_raw(g, img, oy0 * sh - g->pad_top, (rows - 1) * sh + 3, wp, xa, xb, zp4, plane);
        int8_t *orow = obase + oy0 * g->out_w * c;
        if (pairs > 0) {
          f.q = plane;
          f.out = orow;
          f.rows = rows;
          run(&f, k);
        }
        if (g->out_w & 1) {
          for (int32_t r = 0; r < rows; r++) {
            int8_t *o = orow + r * g->out_w * c + (g->out_w - 1) * c;
            if (sw == 1) dw_plane_one(k, plane + r * sh * prow, g->out_w - 1, wq, o, rq);
            else dw_raw_one(k, plane + r * sh * prow, (g->out_w - 1) * 2, wp, o, rq);
          }
        }
      }
    }
  }
}

#endif
