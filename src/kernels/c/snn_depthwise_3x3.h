/*
 * DEPTHWISE_CONV_2D, the plane path: included by the emitted layer units
 * that take it (so images without such a layer link none of it). A
 * stride-2 unit defines SNN_DW2_CB (the channels: output bytes between
 * positions, input bytes between pixels) and SNN_DW2_RB (the plane's row
 * bytes) before including it and gets the stride-2 pass only; any other
 * unit gets the stride-1 pass only.
 *
 * snn_depthwise_3x3_s8 takes depth multiplier 1, channels a multiple of 4,
 * an undilated 3x3 kernel, horizontal stride 1 or 2, the fast
 * requantization, word-aligned tensors and a scratch of band_rows output
 * rows' plane (depthwisePlaneBytes), and the emitter's per-group constants
 * (plane_data); the emitter checks all of it (depthwise-plane.ts).
 *
 * Per group of four channels and band of output rows, the input rows the band
 * reads are copied into the scratch as a bordered plane of pixel pairs, so
 * that every window is whole and a window's words, and those of the next
 * output positions, are immediate offsets from one pointer: for plane columns
 * 2u, 2u + 1 and each channel c, one word [x(2u, c), x(2u + 1, c)] with the
 * input offset added (SXTAB16 and PKHBT / PKHTB), 16 bytes per pair, padding
 * halves 0. Weights and biases are doubled, so the fast requantization needs
 * no doubling: SMMULR, the sign correction, the shift by e - 1, the zero point
 * (as 2 zp + 1, the rounding term folded) and SSAT with ASR #1; a position's
 * four bytes are packed by BFI, clamped per byte lane (SSUB8 / SEL) and stored
 * as one word. The group's constants are copied with the layer's into a frame
 * on the pass function's own stack: then every register but sp holds the core.
 *
 * Stride 1: one pass computes two neighbouring output positions of four
 * channels (eight accumulators, 72 MACs). Per kernel row and channel, with
 * the pair words P0 = [x0, x1], P2 = [x2, x3] and the weight words
 * W01 = [w0, w1], W12 = [w1, w2]: position 0 is SMLAD(P0, W01) +
 * SMLABT(P2, W12), position 1 SMLATB(P0, W01) + SMLAD(P2, W12), four
 * multiply instructions for six MACs. An odd last position of a row is
 * computed in C from the same plane.
 *
 * Stride 2: one pass computes four neighbouring output positions (a quad)
 * in two halves, channels 0 and 1, then 2 and 3 (eight accumulators each,
 * 72 MACs), one code for both (the halves' constants 68 bytes apart in the
 * frame, sp and the window pointer moved between them, so the loop stays
 * within the flash accelerator's 1 KB cache). Per kernel row and channel,
 * position k's window is the pair P_k and the low half of P_(k+1): SMLAD
 * with [w0, w1] and SMLABB / SMLABT with [w2 of a, w2 of b], eight multiply
 * instructions for twelve MACs, five pair words loaded. The first half's
 * bytes wait in the frame, the second's are merged in by BFI. A row's
 * positions are computed by whole quads over a plane wide enough for them: a
 * last quad past the row's end writes into the next row's first positions,
 * which that row writes again later; only the group's very last row stops at
 * its whole quads (the rest in C).
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
  const uint32_t *plane_data; /* 36 words per group of four channels (dw_group, dw_group2) */
} snn_dw3x3_params;

/*
 * Pixels per row of the plane (16 bytes per pixel pair; depthwisePlaneWidth in depthwise-plane.ts):
 * stride_w 1, the windows of the row; stride_w 2, those of whole quads of positions and the pair
 * their last column starts.
 */
#define SNN_DW_PLANE_W(out_w, stride_w) ((stride_w) == 1 ? (out_w) + 2 : 8 * (((out_w) + 3) >> 2) + 2)

#define DW_STR_(x) #x
#define DW_STR(x) DW_STR_(x)

/* What dw_fill_rows / dw_fill_pairs2 read (its pointer in lr). */
typedef struct {
  const uint32_t *s; /* 0: the first input pixel's word (group) of the first row */
  int32_t cwb;       /* 4: bytes between input pixels (dw_fill_pairs2: unused, an immediate) */
  uint32_t *d;       /* 8: the plane word (pair) of that pixel */
  uint32_t off2;     /* 12: the input offset in both halves */
  int32_t shape;     /* 16: bit 0: a lead pixel (high half), bit 1: a trail pixel (low half), bits 2..: whole pairs */
  int32_t rows;      /* 20: rows left (dw_fill_rows counts it down) */
  int32_t dskip;     /* 24: plane bytes from a row's last written pair to the next row's first */
  int32_t sskip;     /* 28: input bytes from a row's last pixel read to the next row's first */
} dw_fill;

_Static_assert(sizeof(dw_fill) == 32, "dw_fill layout");

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

/* Outputs A, B of one channel (twice the sums): multiplier r8, e - 1 r9, 2 zp + 1 r10; saturated to int8. */
#define DW_RQ_PAIR(A, B)                                    \
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

/* Activation clamp per byte lane of R: act_min in every byte of LO, act_max of HI, T scratch. */
#define DW_CLAMP_WORD(R, LO, HI, T)                         \
  "ssub8 " #T ", " #R ", " #LO "\n\t"                       \
  "sel " #R ", " #R ", " #LO "\n\t"                         \
  "ssub8 " #T ", " #HI ", " #R "\n\t"                       \
  "sel " #R ", " #R ", " #HI "\n\t"

/* A pixel word at r0 widened (r0 moved on by ADV): r8 = [x0, x2], r9 = [x1, x3] (input offset r12 added). */
#define DW_PIXEL_AT(ADV)                                    \
  "ldr r9, [r0]\n\t"                                        \
  ADV                                                       \
  "sxtab16 r8, r12, r9\n\t"                                 \
  "sxtab16 r9, r12, r9, ror #8\n\t"

/* A lone pixel's four channel words (r4 .. r7) from r8, r9: in the high halves (a lead pixel), the low (a trail pixel). */
#define DW_LEAD_HALVES                                      \
  "lsl r4, r8, #16\n\t"                                     \
  "lsl r5, r9, #16\n\t"                                     \
  "lsr r6, r8, #16\n\t"                                     \
  "lsr r7, r9, #16\n\t"                                     \
  "lsl r6, r6, #16\n\t"                                     \
  "lsl r7, r7, #16\n\t"
#define DW_TRAIL_HALVES                                     \
  "uxth r4, r8\n\t"                                         \
  "uxth r5, r9\n\t"                                         \
  "lsr r6, r8, #16\n\t"                                     \
  "lsr r7, r9, #16\n\t"

#ifndef SNN_DW2_CB

/*
 * Stride 1. A group's constants (the emitter's, flash): 2 * bias, (multiplier,
 * e - 1 = ~shift) per channel, weight words of doubled int16 halves: per
 * kernel row ky and channel c at 8 ky + 2 c, [w0, w1] and [w1, w2].
 */
typedef struct {
  int32_t b[4];
  int32_t me[8];
  uint32_t wt[24];
} dw_group;
typedef dw_group dw_grp;

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
 * window pointer r12 (r10 = P0, r11 = P2).
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
/* Kernel row KY (pair plane, four channels). */
#define DW_ROW1(KY) DW_S1(KY, 0, r0, r4) DW_S1(KY, 1, r1, r5) DW_S1(KY, 2, r2, r6) DW_S1(KY, 3, r3, r7)

/* Channel C's two outputs (accumulators A, B: twice the sums): multiplier and e - 1 from the frame (r8, r9), 2 zp + 1 in r10. */
#define DW_RQ2(C, A, B) "ldrd r8, r9, [sp, #16 + 8 * " #C "]\n\t" DW_RQ_PAIR(A, B)

/* Activation clamp per byte lane of r0 and r4 (both bounds). */
#define DW_CLAMP_2 "ldrd r8, r9, [sp, #52]\n\t" DW_CLAMP_WORD(r0, r8, r9, r10) DW_CLAMP_WORD(r4, r8, r9, r10)

/*
 * The rows of position pairs of one frame: kernel rows ROW (DW_ROW1), the
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

/* One clamp form (both bounds; a no-op for the whole int8 range). */
DW_PAIRS_FN(dw_pairs_s1, DW_ROW1, 16, 2)

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
#define DW_PIXEL DW_PIXEL_AT("add r0, r0, r1\n\t")

/*
 * The inside rows of one group's plane (dw_fill at r0): per row an optional
 * lead pixel (plane column odd: low halves zero), whole pairs (two pixels,
 * four SXTAB16, four PKHBT / PKHTB, one STM of the four channel words), an
 * optional trail pixel (high halves zero).
 */
static void __attribute__((naked, noinline, aligned(16))) dw_fill_rows(const dw_fill *a __attribute__((unused))) {
  __asm__("push {r4-r11, lr}\n\t"
          "mov lr, r0\n\t"
          "ldrd r0, r1, [lr, #0]\n\t"
          "ldrd r3, r12, [lr, #8]\n"
          "1:\n\t"
          "ldr r2, [lr, #16]\n\t"
          "tst r2, #1\n\t"
          "beq 2f\n\t"
          DW_PIXEL
          DW_LEAD_HALVES
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
          DW_TRAIL_HALVES
          "stmia r3!, {r4-r7}\n"
          DW_ROW_END
          "pop {r4-r11, pc}\n\t");
}

#define DW_FILL_ROWS dw_fill_rows

#else /* SNN_DW2_CB: stride 2 */

/*
 * Stride 2. A group's constants (the emitter's, flash): two blocks of 15
 * words, one per half (channels a, b = 0, 1, then 2, 3): 2 * bias of a and b,
 * (multiplier, e - 1 = ~shift) of a and of b, then per kernel row ky the
 * doubled int16 weight words [w0, w1] of a, [w0, w1] of b, [w2 of a, w2 of b].
 */
typedef struct {
  int32_t half[2][15];
  uint32_t unused[6];
} dw_group2;
typedef dw_group2 dw_grp;

/* The layer's part of the frame (stack offsets 136 to 183 in dw_quads). */
typedef struct {
  uint32_t lo4, hi4;    /* 136, 140: act_min, act_max in every byte */
  int32_t rskip;        /* 144: plane bytes from a row's end of quads to the next row's first window */
  int32_t oskip;        /* 148: output bytes from a row's end of quads to the next row's first position (<= 0) */
  int32_t rstep;        /* 152: plane bytes between output rows (stride_h rows) */
  const uint32_t *q;    /* 156: plane word of the first window (top-left) */
  int8_t *out;          /* 160: output of the next quad, channel 0 of the group */
  int32_t rows;         /* 164: output rows left */
  const uint32_t *qend; /* 168: (working) the window pointer at the end of the row's quads */
  int32_t quad_bytes;   /* 172: plane bytes of a row's quads */
  int32_t zz;           /* 176: 2 * out_zp + 1 */
  int32_t spare;        /* 180 */
} dw_frame2;

/*
 * The frame dw_quads builds on its stack: per half h at 68 h its 15 words
 * (0..59), the half's number (60) and zz (64), so that moving sp by 68 turns
 * half 0's frame into half 1's; then the layer's part (136..183) and the first
 * half's bytes (184..199).
 */
#define DW2_BYTES 200
_Static_assert(sizeof(dw_group2) == 144 && sizeof(dw_frame2) == 48, "dw_frame2 layout");
_Static_assert(offsetof(dw_frame2, q) == 156 - 136 && offsetof(dw_frame2, zz) == 176 - 136, "dw_frame2 layout");
/* Immediate offsets: 4 positions of output, 3 kernel rows of the plane. */
_Static_assert(SNN_DW2_CB % 4 == 0 && 4 * SNN_DW2_CB <= 4095 && 2 * SNN_DW2_RB + 68 <= 4095, "dw_quads immediates");

#define DW2_CB DW_STR(SNN_DW2_CB)

/* Builds the frame on the stack below the saved registers: the group's (r1) two halves, the layer's (r0). */
#define DW2_ENTER                                 \
  "push {r4-r11, lr}\n\t"                         \
  "sub sp, sp, #" DW_STR(DW2_BYTES) "\n\t"        \
  "mov r12, sp\n\t"                               \
  "ldm r1!, {r2-r11}\n\tstm r12!, {r2-r11}\n\t"   \
  "ldr r8, [r0, #40]\n\t"                         \
  "ldm r1!, {r2-r6}\n\tmovs r7, #0\n\t"           \
  "stm r12!, {r2-r8}\n\t"                         \
  "ldm r1!, {r2-r11}\n\tstm r12!, {r2-r11}\n\t"   \
  "ldr r8, [r0, #40]\n\t"                         \
  "ldm r1!, {r2-r6}\n\tmovs r7, #1\n\t"           \
  "stm r12!, {r2-r8}\n\t"                         \
  "ldm r0!, {r2-r11}\n\tstm r12!, {r2-r11}\n\t"   \
  "ldm r0!, {r2-r3}\n\tstm r12!, {r2-r3}\n\t"  \
  ".p2align 2\n\t"

/*
 * Kernel row KY of a half (accumulators r0 .. r3: channel a, positions 0 .. 3;
 * r4 .. r7: channel b): the plane pairs P0 .. P4 of the row (position k's
 * window is P_k and P_(k+1)'s low half) of each channel, SMLAD with [w0, w1],
 * SMLABB / SMLABT with [w2 a, w2 b] (r9).
 */
#define DW2_P(KY, OFF) "[r12, #(" #KY " * " DW_STR(SNN_DW2_RB) " + " #OFF ")]"
/* Channel C (0: a, 1: b) of kernel row KY: [w0, w1] in r8, the w2 half by SMLAB<XY>, accumulators A0 .. A3. */
#define DW2_CH(KY, C, XY, A0, A1, A2, A3)                               \
  "ldr r8, [sp, #(24 + 4 * " #C " + 12 * " #KY ")]\n\t"                \
  "ldr r10, " DW2_P(KY, 4 * C) "\n\t"                                  \
  "ldr r11, " DW2_P(KY, 16 + 4 * C) "\n\t"                             \
  "ldr lr, " DW2_P(KY, 32 + 4 * C) "\n\t"                              \
  "smlad " #A0 ", r10, r8, " #A0 "\n\t"                                \
  "smlab" #XY " " #A0 ", r11, r9, " #A0 "\n\t"                         \
  "smlad " #A1 ", r11, r8, " #A1 "\n\t"                                \
  "smlab" #XY " " #A1 ", lr, r9, " #A1 "\n\t"                          \
  "smlad " #A2 ", lr, r8, " #A2 "\n\t"                                 \
  "ldr r10, " DW2_P(KY, 48 + 4 * C) "\n\t"                             \
  "ldr r11, " DW2_P(KY, 64 + 4 * C) "\n\t"                             \
  "smlab" #XY " " #A2 ", r10, r9, " #A2 "\n\t"                         \
  "smlad " #A3 ", r10, r8, " #A3 "\n\t"                                \
  "smlab" #XY " " #A3 ", r11, r9, " #A3 "\n\t"
#define DW2_ROW(KY) "ldr r9, [sp, #(32 + 12 * " #KY ")]\n\t" DW2_CH(KY, 0, b, r0, r1, r2, r3) DW2_CH(KY, 1, t, r4, r5, r6, r7)

/* Channel C's plane pairs P0 .. P4 of kernel row 0 into r10, r11, lr, r6, r7. */
#define DW2_PAIRS5(C)                                                   \
  "ldr r10, " DW2_P(0, 4 * C) "\n\t"                                   \
  "ldr r11, " DW2_P(0, 16 + 4 * C) "\n\t"                              \
  "ldr lr, " DW2_P(0, 32 + 4 * C) "\n\t"                               \
  "ldr r6, " DW2_P(0, 48 + 4 * C) "\n\t"                               \
  "ldr r7, " DW2_P(0, 64 + 4 * C) "\n\t"

/*
 * Kernel row 0 of a half, which also starts the sums: bias a in r0, bias b in
 * r5, the pairs loaded into the accumulators not started yet; each position's
 * first SMLAD adds its channel's bias.
 */
#define DW2_ROW0                                                        \
  "ldr r8, [sp, #24]\n\t"                                               \
  "ldr r9, [sp, #32]\n\t"                                               \
  DW2_PAIRS5(0)                                                         \
  "smlad r1, r11, r8, r0\n\t"                                           \
  "smlabb r1, lr, r9, r1\n\t"                                           \
  "smlad r2, lr, r8, r0\n\t"                                            \
  "smlabb r2, r6, r9, r2\n\t"                                           \
  "smlad r3, r6, r8, r0\n\t"                                            \
  "smlabb r3, r7, r9, r3\n\t"                                           \
  "smlad r0, r10, r8, r0\n\t"                                           \
  "smlabb r0, r11, r9, r0\n\t"                                          \
  "ldr r8, [sp, #28]\n\t"                                               \
  DW2_PAIRS5(1)                                                         \
  "smlad r4, r10, r8, r5\n\t"                                           \
  "smlabt r4, r11, r9, r4\n\t"                                          \
  "smlad r10, r6, r8, r5\n\t"                                           \
  "smlabt r7, r7, r9, r10\n\t"                                          \
  "smlad r10, lr, r8, r5\n\t"                                           \
  "smlabt r6, r6, r9, r10\n\t"                                          \
  "smlad r5, r11, r8, r5\n\t"                                           \
  "smlabt r5, lr, r9, r5\n\t"

/*
 * The rows of quads of one frame. A quad runs the half code twice: half 0
 * (sp at the frame, window pointer r12 at channel 0) packs its bytes 0, 1 of
 * each position into the frame, moves sp and r12 on to half 1 (channels 2, 3)
 * and runs it again; half 1 moves them back, merges bytes 2, 3 in, clamps and
 * stores the quad. The window pointer runs over a row's quads up to qend,
 * then skips to the next row; the output pointer runs on (skipping oskip back).
 */
static void __attribute__((naked, noinline, aligned(16))) dw_quads(const dw_frame2 *f __attribute__((unused)), const dw_group2 *k __attribute__((unused))) {
  __asm__(DW2_ENTER
          "ldr r12, [sp, #156]\n\t"
          "ldr r9, [sp, #172]\n\t"
          "add.w r9, r12, r9\n\t"
          "str.w r9, [sp, #168]\n\t"
          ".p2align 2\n"
          "2:\n\t"
          "ldrd r0, r5, [sp, #0]\n\t"
          DW2_ROW0 DW2_ROW(1) DW2_ROW(2)
          "ldr r8, [sp, #8]\n\t"
          "ldr r9, [sp, #12]\n\t"
          "ldr r10, [sp, #64]\n\t"
          DW_RQ_PAIR(r0, r1) DW_RQ_PAIR(r2, r3)
          "ldr r8, [sp, #16]\n\t"
          "ldr r9, [sp, #20]\n\t"
          DW_RQ_PAIR(r4, r5) DW_RQ_PAIR(r6, r7)
          "ldr.w r8, [sp, #60]\n\t"
          "cmp.w r8, #0\n\t"
          "bne.w 4f\n\t"
          "bfi r0, r4, #8, #8\n\t"
          "bfi r1, r5, #8, #8\n\t"
          "bfi r2, r6, #8, #8\n\t"
          "bfi r3, r7, #8, #8\n\t"
          "strd r0, r1, [sp, #184]\n\t"
          "strd r2, r3, [sp, #192]\n\t"
          "add sp, sp, #68\n\t"
          "add r12, r12, #8\n\t"
          "b 2b\n\t"
          ".p2align 2\n"
          "4:\n\t"
          "sub.w sp, sp, #68\n\t"
          "sub r12, r12, #8\n\t"
          "ldrd r8, r9, [sp, #184]\n\t"
          "ldrd r10, r11, [sp, #192]\n\t"
          "bfi r8, r0, #16, #8\n\t"
          "bfi r8, r4, #24, #8\n\t"
          "bfi r9, r1, #16, #8\n\t"
          "bfi r9, r5, #24, #8\n\t"
          "bfi r10, r2, #16, #8\n\t"
          "bfi r10, r6, #24, #8\n\t"
          "bfi r11, r3, #16, #8\n\t"
          "bfi r11, r7, #24, #8\n\t"
          "ldrd r0, r1, [sp, #136]\n\t"
          DW_CLAMP_WORD(r8, r0, r1, r2) DW_CLAMP_WORD(r9, r0, r1, r2) DW_CLAMP_WORD(r10, r0, r1, r2) DW_CLAMP_WORD(r11, r0, r1, r2)
          "ldr.w r3, [sp, #160]\n\t"
          "str r8, [r3]\n\t"
          "str r9, [r3, #" DW2_CB "]\n\t"
          "str r10, [r3, #(2 * " DW2_CB ")]\n\t"
          "str r11, [r3, #(3 * " DW2_CB ")]\n\t"
          "addw r3, r3, #(4 * " DW2_CB ")\n\t"
          "str.w r3, [sp, #160]\n\t"
          "add r12, r12, #64\n\t"
          "ldr r10, [sp, #168]\n\t"
          "cmp.w r12, r10\n\t"
          "bne 2b\n\t"
          "ldr r9, [sp, #144]\n\t"
          "ldr r11, [sp, #152]\n\t"
          "add.w r12, r12, r9\n\t"
          "add.w r10, r10, r11\n\t"
          "str r10, [sp, #168]\n\t"
          "ldr r9, [sp, #148]\n\t"
          "add.w r3, r3, r9\n\t"
          "str.w r3, [sp, #160]\n\t"
          "ldr r9, [sp, #164]\n\t"
          "subs r9, r9, #1\n\t"
          "str r9, [sp, #164]\n\t"
          "bne 2b\n\t"
          "add sp, sp, #" DW_STR(DW2_BYTES) "\n\t"
          "pop {r4-r11, pc}\n\t");
}

/* One pixel (word at r0, r0 += one pixel) widened: r8 = [x0, x2], r9 = [x1, x3] (input offset added). */
#define DW2_PIXEL DW_PIXEL_AT("addw r0, r0, #" DW2_CB "\n\t")

/*
 * dw_fill_rows with the pixel step an immediate (cwb unused) and each pair
 * packed before it is widened: PKHBT / PKHTB of the two pixel words give
 * [x0, x1] of channels 0, 1 and of channels 2, 3 as bytes, four SXTAB16 the
 * four channel words; whole pairs two at a time, the rarer lead pixel, odd
 * pair and trail pixel out of the row's straight path.
 */
static void __attribute__((naked, noinline)) dw_fill_pairs2(const dw_fill *a __attribute__((unused))) {
  __asm__("push {r4-r11, lr}\n\t"
          "mov lr, r0\n\t"
          "ldr r0, [lr, #0]\n\t"
          "ldr r1, [lr, #20]\n\t"
          "ldrd r3, r12, [lr, #8]\n"
          "1:\n\t"
          "ldr r2, [lr, #16]\n\t"
          "lsls r4, r2, #31\n\t"
          "bmi 7f\n"
          "8:\n\t"
          "lsls r4, r2, #29\n\t"
          "bmi 9f\n"
          "10:\n\t"
          "lsrs r2, r2, #3\n\t"
          "beq 4f\n\t"
          ".p2align 2\n"
          "6:\n\t"
          "ldr r4, [r0]\n\t"
          "ldr r5, [r0, #" DW2_CB "]\n\t"
          "ldr r6, [r0, #(2 * " DW2_CB ")]\n\t"
          "ldr r7, [r0, #(3 * " DW2_CB ")]\n\t"
          "addw r0, r0, #(4 * " DW2_CB ")\n\t"
          "pkhbt r8, r4, r5, lsl #16\n\t"
          "pkhtb r9, r5, r4, asr #16\n\t"
          "pkhbt r10, r6, r7, lsl #16\n\t"
          "pkhtb r11, r7, r6, asr #16\n\t"
          "sxtab16 r4, r12, r8\n\t"
          "sxtab16 r5, r12, r8, ror #8\n\t"
          "sxtab16 r6, r12, r9\n\t"
          "sxtab16 r7, r12, r9, ror #8\n\t"
          "sxtab16 r8, r12, r10\n\t"
          "sxtab16 r9, r12, r10, ror #8\n\t"
          "sxtab16 r10, r12, r11\n\t"
          "sxtab16 r11, r12, r11, ror #8\n\t"
          "stmia r3!, {r4-r11}\n\t"
          "subs r2, r2, #1\n\t"
          "bne 6b\n"
          "4:\n\t"
          "ldr r2, [lr, #16]\n\t"
          "lsls r2, r2, #31\n\t"
          "bcs 11f\n"
          "5:\n\t"
          "ldrd r4, r5, [lr, #24]\n\t"
          "add r3, r3, r4\n\t"
          "add r0, r0, r5\n\t"
          "subs r1, r1, #1\n\t"
          "bne 1b\n\t"
          "pop {r4-r11, pc}\n"
          "7:\n\t"
          DW2_PIXEL
          DW_LEAD_HALVES
          "stmia r3!, {r4-r7}\n\t"
          "b 8b\n"
          "9:\n\t"
          "ldr r4, [r0]\n\t"
          "ldr r5, [r0, #" DW2_CB "]\n\t"
          "addw r0, r0, #(2 * " DW2_CB ")\n\t"
          "pkhbt r6, r4, r5, lsl #16\n\t"
          "pkhtb r7, r5, r4, asr #16\n\t"
          "sxtab16 r4, r12, r6\n\t"
          "sxtab16 r5, r12, r6, ror #8\n\t"
          "sxtab16 r6, r12, r7\n\t"
          "sxtab16 r7, r12, r7, ror #8\n\t"
          "stmia r3!, {r4-r7}\n\t"
          "b 10b\n"
          "11:\n\t"
          DW2_PIXEL
          DW_TRAIL_HALVES
          "stmia r3!, {r4-r7}\n\t"
          "b 5b\n\t");
}

#define DW_FILL_ROWS dw_fill_pairs2

#endif /* SNN_DW2_CB */

/*
 * Plane rows [0, rows) of one group from input rows y0, y0 + 1, ... (wq
 * pairs per row, plane column j from input column j - pad_left): rows
 * outside the input are zeroed, the others filled in plane columns [xa, xb)
 * (DW_FILL_ROWS: dw_fill_rows, dw_fill_pairs2); the pairs wholly outside are
 * zero already (dw_zero_columns).
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
  DW_FILL_ROWS(&a);
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


#ifndef SNN_DW2_CB

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


#else /* SNN_DW2_CB */

/* One output position of four channels from the plane (window columns j .. j + 2 of row): a last row's positions after its whole quads. */
static void dw_plane_one2(const dw_group2 *f, const uint32_t *row, int32_t j, int32_t wq, int8_t *o, const snn_channel_requant *rq) {
  for (int32_t i = 0; i < 4; i++) {
    const int32_t *h = f->half[i >> 1], l = i & 1; /* the channel's half, and its place in it */
    int32_t a = h[l];
    for (int32_t ky = 0; ky < 3; ky++) {
      const uint32_t w01 = (uint32_t)h[6 + 3 * ky + l], w2 = (uint32_t)h[8 + 3 * ky];
      const uint32_t *r = row + 4 * wq * ky;
      a += dw_px(r, j, i) * (int16_t)(w01 & 0xffffu) + dw_px(r, j + 1, i) * (int16_t)(w01 >> 16) + dw_px(r, j + 2, i) * (int16_t)(l ? w2 >> 16 : w2 & 0xffffu);
    }
    const int32_t e = h[3 + 2 * l] + 1;
    o[i] = snn_clamp_out(snn_rq_fast(a >> 1, h[2 + 2 * l], e, (int32_t)((1u << e) >> 1)), rq->out_zp, rq->act_min, rq->act_max, 0);
  }
}

#endif /* SNN_DW2_CB */

static void snn_depthwise_3x3_s8(const snn_dw3x3_params *flash_params, const int8_t *in, int8_t *out, void *scratch) {
  const snn_dw3x3_params pp = *flash_params; /* fields read from SRAM, not flash */
  const snn_depthwise_params *p = &pp.base;
  const snn_window *g = &p->win;
  const snn_channel_requant *rq = &p->rq;
  const int32_t c = g->in_c, cw = c >> 2, sh = g->stride_h;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
#ifndef SNN_DW2_CB
  const int32_t wp = SNN_DW_PLANE_W(g->out_w, 1), wq = (wp + 1) >> 1;
  const int32_t pairs = g->out_w >> 1, prow = 4 * wq; /* plane words per row */
#else
  const int32_t wq = SNN_DW2_RB / 16, wp = 2 * wq; /* SNN_DW_PLANE_W(out_w, 2) */
  const int32_t quads = (g->out_w + 3) >> 2, whole = g->out_w >> 2;
#endif
  /* plane columns [xa, xb) hold input pixels */
  int32_t xa = g->pad_left, xb = g->pad_left + g->in_w;
  if (xa > wp) xa = wp;
  if (xb > wp) xb = wp;
  uint32_t *plane = (uint32_t *)scratch;
  dw_zero_columns(plane, (pp.band_rows - 1) * sh + 3, wq, xa, xb);
#ifndef SNN_DW2_CB
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
#else
  dw_frame2 f;
  f.zz = 2 * rq->out_zp + 1;
  f.lo4 = ((uint32_t)rq->act_min & 0xffu) * 0x01010101u;
  f.hi4 = ((uint32_t)rq->act_max & 0xffu) * 0x01010101u;
  f.rstep = sh * SNN_DW2_RB;
  f.oskip = (g->out_w - 4 * quads) * c;
#endif
  f.spare = 0;
  for (int32_t grp = 0; grp < cw; grp++) {
    const int32_t ch = 4 * grp;
    const dw_grp *k = (const dw_grp *)(const void *)pp.plane_data + grp;
    for (int32_t b = 0; b < g->batches; b++) {
      const uint32_t *img = (const uint32_t *)(const void *)(in + b * g->in_h * g->in_w * c) + grp;
      int8_t *obase = out + b * g->out_h * g->out_w * c + ch;
      for (int32_t oy0 = 0; oy0 < g->out_h; oy0 += pp.band_rows) {
        int32_t rows = g->out_h - oy0;
        if (rows > pp.band_rows) rows = pp.band_rows;
        dw_fill_plane(g, img, oy0 * sh - g->pad_top, (rows - 1) * sh + 3, wq, xa, xb, off2, plane);
        int8_t *orow = obase + oy0 * g->out_w * c;
#ifndef SNN_DW2_CB
        if (pairs > 0) {
          f.q = plane;
          f.out = orow;
          f.rows = rows;
          dw_pairs_s1(&f, k);
        }
        if (g->out_w & 1) {
          for (int32_t r = 0; r < rows; r++) {
            int8_t *o = orow + r * g->out_w * c + (g->out_w - 1) * c;
            dw_plane_one(k, plane + r * sh * prow, g->out_w - 1, wq, o, rq);
          }
        }
#else
        /* the group's very last row stops at its whole quads (a quad past its end would write past the output) */
        const int32_t last = b == g->batches - 1 && oy0 + rows == g->out_h && whole < quads;
        f.q = plane;
        f.out = orow;
        f.rows = rows - last;
        f.quad_bytes = quads * 64;
        f.rskip = f.rstep - f.quad_bytes;
        if (f.rows > 0) dw_quads(&f, k);
        if (last) {
          const uint32_t *prow = plane + (rows - 1) * sh * 4 * wq;
          int8_t *o = orow + (rows - 1) * g->out_w * c;
          if (whole > 0) {
            f.q = prow;
            f.out = o;
            f.rows = 1;
            f.quad_bytes = whole * 64;
            dw_quads(&f, k);
          }
          for (int32_t j = 4 * whole; j < g->out_w; j++) dw_plane_one2(k, prow, 2 * j, wq, o + j * c, rq);
        }
#endif
      }
    }
  }
}

#endif
