/*
 * CONV_2D with an undilated 3x3 kernel over 16 or 3 input channels, the
 * plane path: included by the emitted layer units that take it (so images
 * without such a layer link none of it); the emitter checks the conditions
 * (conv3x3c16Bytes in src/kernels/baseline/emit.ts): in_c 16 or 3, kernel
 * 3x3, undilated, stride 1 or 2 (the same both ways), out_c and out_w even,
 * the fast requantization, and a scratch of at least three plane rows. The
 * unit defines SNN_C16_CH (16 or 3), SNN_C16_STRIDE, SNN_C16_FULL and, with 3
 * channels, SNN_C16_PITCH (the plane's row bytes) before including it.
 *
 * Instead of an im2col per output position (each input pixel widened nine
 * times), the input rows a band of output rows reads are widened once into a
 * zero-bordered int16 plane in the scratch: plane column u holds input
 * column u - pad_left as groups of [x0, x2], [x1, x3] (the order of the
 * columns of snn_conv.c), padding 0 (the input offset added to every real
 * value). 16 channels: four groups, 32 bytes per pixel; a kernel row of a
 * window is 12 contiguous groups. 3 channels: one group of 8 bytes per pixel
 * (its fourth value is the next pixel's first, whose weight is 0); a window
 * is nine groups up to two plane rows apart. The second position of a pair
 * lies one pixel times the stride further: every column word of a window is
 * an immediate offset from one pointer.
 *
 * The core is snn_conv.c's 2x2 one (two channels x two positions) with the
 * weights doubled and pre-widened to int16 by the emitter, interleaved per
 * channel pair and group: eight loads and eight SMLAD per 16 MACs (17
 * cycles), no SXTB16. One assembly block runs one channel pair over all
 * position pairs of an output row (as the pointwise path does): biases
 * (doubled), the window (16 channels: a kernel row of 12 groups per loop
 * iteration; 3 channels: nine groups unrolled), the requantization of the
 * four doubled accumulators, two halfword stores, the pointers moved on. Its
 * constants live in a frame on the stack, so that the 14 allocatable
 * registers hold the core.
 */
#ifndef SNN_CONV_3X3C16_H
#define SNN_CONV_3X3C16_H

#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

#ifndef SNN_C16_CH
#define SNN_C16_CH 16
#endif
#if SNN_C16_CH == 3 && !defined(SNN_C16_PITCH)
#error "a 3-channel unit defines SNN_C16_PITCH (the plane's row bytes) before including snn_conv_3x3c16.h"
#endif
#if !defined(SNN_C16_STRIDE) || !defined(SNN_C16_FULL) || (SNN_C16_STRIDE != 1 && SNN_C16_STRIDE != 2)
#error "define SNN_C16_STRIDE (1 or 2) and SNN_C16_FULL before including snn_conv_3x3c16.h"
#endif

/* Largest scratch (bytes) the plane path takes: its band of plane rows (conv3x3c16Bytes in emit.ts). */
#define SNN_C16_MAX_BYTES 8192

/* What the row block reads and writes on the stack (sp-relative in the assembly). */
typedef struct {
  int32_t ba, bb;  /* the pair's biases (one LDRD) */
  int32_t ma, mb;  /* multipliers */
  int32_t ea, eb;  /* exponent - 1 (~shift) */
  int32_t zp2;     /* 2 * output zero point + 1 */
  int8_t *out;     /* output of the next position pair, channel a */
  int32_t oc_n;    /* output channels (bytes between positions) */
  int32_t pitch;   /* plane row bytes (32 and 64 channels: less the 6 * C bytes a kernel row moves the pointer on) */
  int32_t back;    /* 3 * (plane row bytes) - 4 * C * stride: the column pointer's step back after a position pair */
  int32_t count;   /* position pairs left */
  const int8_t *pwend; /* the end of the pair's weights (576 bytes) */
  uint32_t lo, hi; /* act_min, act_max replicated to four bytes */
} snn_c16_frame;

/*
 * One group (four reduction steps, 16 MACs) at column offset `off` of the
 * kernel row: position 0's words at cp + off, position 1's at cp + off + yo;
 * the channel pair's weights, pre-widened to int16 by the emitter, at
 * pw + 2 * off: [a0, a2], [a1, a3], [b0, b2], [b1, b3] (the column's pair
 * order). Eight loads back to back (9 cycles, pipelined) and eight SMLAD: 17
 * cycles per 16 MACs, no SXTB16. C16_YL is the load of position 1's words: "ldr"
 * (stride 1: offsets below 128, 16-bit loads) or "ldr.w" (stride 2); the
 * weight loads are 32-bit, so every 32-bit load stays word-aligned and
 * pipelines.
 */
#if SNN_C16_STRIDE == 1
#define C16_YO "32"
#define C16_YL "ldr"
#else
#define C16_YO "64"
#define C16_YL "ldr.w"
#endif
#if SNN_C16_FULL
#define C16_CLAMP ""
#else
#define C16_CLAMP                     \
  "ldrd %[a10], %[a11], %[lo]\n\t"    \
  "ssub8 %[a01], %[a00], %[a10]\n\t"  \
  "sel %[a00], %[a00], %[a10]\n\t"    \
  "ssub8 %[a01], %[a11], %[a00]\n\t"  \
  "sel %[a00], %[a00], %[a11]\n\t"
#endif

/*
 * The fast requantization of one doubled accumulator a (weights and biases are doubled by the
 * emitter, so SNN_OUT_FAST_Z's doubling is gone): SMMULR by the multiplier m, the sign correction,
 * the shift by e - 1 (e1), then 2 zp + 1 (in w) added and the last halving done by SSAT's ASR #1:
 * ((x >> (e - 1)) + 2 zp + 1) >> 1 == zp + (((x >> (e - 1)) + 1) >> 1).
 */
#define C16_OUT(a, m, e1)                                \
  "smmulr %[" #a "], %[" #a "], %[" #m "]\n\t"          \
  "add %[" #a "], %[" #a "], %[" #a "], asr #31\n\t"     \
  "asr %[" #a "], %[" #a "], %[" #e1 "]\n\t"            \
  "add %[" #a "], %[" #a "], %[w]\n\t"                  \
  "ssat %[" #a "], #8, %[" #a "], asr #1\n\t"

#define C16_GROUP(off)                         \
  "ldr %[x0], [%[cp], #" #off "]\n\t"              \
  "ldr %[x1], [%[cp], #" #off " + 4]\n\t"          \
  C16_YL " %[y0], [%[cp], #" #off " + " C16_YO "]\n\t"     \
  C16_YL " %[y1], [%[cp], #" #off " + 4 + " C16_YO "]\n\t" \
  "ldr.w %[w], [%[pw], #2 * " #off "]\n\t"         \
  "ldr.w %[t], [%[pw], #2 * " #off " + 4]\n\t"     \
  "ldr.w %[u], [%[pw], #2 * " #off " + 8]\n\t"     \
  "ldr.w %[n], [%[pw], #2 * " #off " + 12]\n\t"    \
  "smlad %[a00], %[w], %[x0], %[a00]\n\t"          \
  "smlad %[a01], %[w], %[y0], %[a01]\n\t"          \
  "smlad %[a00], %[t], %[x1], %[a00]\n\t"          \
  "smlad %[a01], %[t], %[y1], %[a01]\n\t"          \
  "smlad %[a10], %[u], %[x0], %[a10]\n\t"          \
  "smlad %[a11], %[u], %[y0], %[a11]\n\t"          \
  "smlad %[a10], %[n], %[x1], %[a10]\n\t"          \
  "smlad %[a11], %[n], %[y1], %[a11]\n\t"

/*
 * The row block: per position pair the accumulators start at the biases,
 * three iterations of one kernel row (12 groups; then the column pointer moves
 * by the plane's row bytes, the weight pointer by the 192 bytes of the pair's
 * kernel row, until it reaches the end of the pair's weights), the four
 * outputs requantized as in snn_conv.c's out_pair_fast and stored as one
 * halfword per position; then the weight pointer is rewound by the pair's 576
 * bytes and the column pointer stepped to the next pair.
 */
#define C16_BLOCK                                                                                                     \
  ".p2align 2\n"                                                                                                          \
  "5:\n\t"                                                                                                                \
  "ldrd %[a00], %[a10], %[ba]\n\t"                                                                                        \
  "mov %[a01], %[a00]\n\t"                                                                                                \
  "mov %[a11], %[a10]\n\t"                                                                                                \
  ".p2align 2\n3:\n\t" C16_GROUP(0) C16_GROUP(8) C16_GROUP(16) C16_GROUP(24) C16_GROUP(32)            \
      C16_GROUP(40) C16_GROUP(48) C16_GROUP(56) C16_GROUP(64) C16_GROUP(72) C16_GROUP(80)         \
          C16_GROUP(88) "ldr %[t], %[pitch]\n\t"                                                                      \
  "adds %[pw], #192\n\t"                                                                                                  \
  "add %[cp], %[t]\n\t"                                                                                                   \
  "ldr %[t], %[pwend]\n\t"                                                                                                \
  "cmp %[pw], %[t]\n\t"                                                                                                   \
  "bne 3b\n\t"                                                                                                            \
  "ldrd %[x0], %[x1], %[ma]\n\t"                                                                                          \
  "ldrd %[y0], %[y1], %[ea]\n\t"                                                                                          \
  "ldr %[w], %[zpm]\n\t" C16_OUT(a00, x0, y0) C16_OUT(a01, x0, y0) C16_OUT(a10, x1, y1) C16_OUT(a11, x1, y1)              \
  "bfi %[a00], %[a10], #8, #8\n\t"                                                                                        \
  "bfi %[a01], %[a11], #8, #8\n\t"                                                                                        \
  "bfi %[a00], %[a01], #16, #16\n\t"                                                                                      \
  C16_CLAMP                                                                                                               \
  "ldr %[x0], %[out]\n\t"                                                                                                 \
  "ldr %[x1], %[ocn]\n\t"                                                                                                 \
  "ldr %[y0], %[back]\n\t"                                                                                                \
  "ldr %[n], %[count]\n\t"                                                                                                \
  "strh %[a00], [%[x0]]\n\t"                                                                                              \
  "lsrs %[a00], %[a00], #16\n\t"                                                                                          \
  "strh %[a00], [%[x0], %[x1]]\n\t"                                                                                       \
  "add %[x0], %[x0], %[x1], lsl #1\n\t"                                                                                   \
  "subs %[cp], %[cp], %[y0]\n\t"                                                                                          \
  "subw %[pw], %[pw], #576\n\t"                                                                                           \
  "str %[x0], %[out]\n\t"                                                                                                 \
  "subs %[n], #1\n\t"                                                                                                     \
  "str %[n], %[count]\n\t"                                                                                                \
  "bne 5b\n\t"

#define C16_OPERANDS                                                                                                       \
  : [cp] "+l"(cp), [n] "=&l"(n), [pw] "+r"(pw), [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11), \
    [x0] "=&l"(x0), [x1] "=&l"(x1), [y0] "=&l"(y0), [y1] "=&l"(y1), [w] "=&r"(w), [t] "=&r"(t), [u] "=&r"(u),            \
    [out] "+m"(f->out), [count] "+m"(f->count)                                                                            \
  : [ba] "m"(f->ba), [ma] "m"(f->ma), [ea] "m"(f->ea), [zpm] "m"(f->zp2), [ocn] "m"(f->oc_n), [pitch] "m"(f->pitch),    \
    [back] "m"(f->back), [pwend] "m"(f->pwend), [lo] "m"(f->lo)                                        \
  : "cc", "memory"

#if SNN_C16_CH == 16
/* One channel pair (weights at wp) over f->count position pairs of an output row whose first window starts at col. */
static inline __attribute__((always_inline)) void c16_row(const uint32_t *col, const int8_t *wp, snn_c16_frame *f) {
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
  __asm__ volatile(C16_BLOCK C16_OPERANDS);
}
#endif

#if SNN_C16_CH == 3
/*
 * 3 channels (the RGB first layer): a pixel is one group [x0, x2], [x1, x3] (x3 the next pixel's
 * first byte, whose weight is 0), 8 bytes; a window is nine groups, all immediate offsets from one
 * pointer (kernel row ky at ky * SNN_C16_PITCH), unrolled: no kernel-row loop. The weights of a pair
 * are nine groups of four words (144 bytes), read at fixed offsets.
 */
#define C3_GROUP(off, woff)                              \
  "ldr.w %[x0], [%[cp], #" off "]\n\t"                  \
  "ldr.w %[x1], [%[cp], #" off " + 4]\n\t"              \
  "ldr.w %[y0], [%[cp], #" off " + 8 * %c[s]]\n\t"      \
  "ldr.w %[y1], [%[cp], #" off " + 4 + 8 * %c[s]]\n\t"  \
  "ldr.w %[w], [%[pw], #" #woff "]\n\t"                \
  "ldr.w %[t], [%[pw], #" #woff " + 4]\n\t"            \
  "ldr.w %[u], [%[pw], #" #woff " + 8]\n\t"            \
  "ldr.w %[n], [%[pw], #" #woff " + 12]\n\t"           \
  "smlad %[a00], %[w], %[x0], %[a00]\n\t"              \
  "smlad %[a01], %[w], %[y0], %[a01]\n\t"              \
  "smlad %[a00], %[t], %[x1], %[a00]\n\t"              \
  "smlad %[a01], %[t], %[y1], %[a01]\n\t"              \
  "smlad %[a10], %[u], %[x0], %[a10]\n\t"              \
  "smlad %[a11], %[u], %[y0], %[a11]\n\t"              \
  "smlad %[a10], %[n], %[x1], %[a10]\n\t"              \
  "smlad %[a11], %[n], %[y1], %[a11]\n\t"

/* One channel pair (weights at wp) over f->count position pairs of an output row, 3 channels. */
static inline __attribute__((always_inline)) void c3_row(const uint32_t *col, const int8_t *wp, snn_c16_frame *f) {
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
                   "mov %[a01], %[a00]\n\t"
                   "mov %[a11], %[a10]\n\t"
                   ".p2align 2\n\t"
                   C3_GROUP("0", 0) C3_GROUP("8", 16) C3_GROUP("16", 32)
                   C3_GROUP("%c[pi]", 48) C3_GROUP("%c[pi] + 8", 64) C3_GROUP("%c[pi] + 16", 80)
                   C3_GROUP("2 * %c[pi]", 96) C3_GROUP("2 * %c[pi] + 8", 112) C3_GROUP("2 * %c[pi] + 16", 128)
                   "ldrd %[x0], %[x1], %[ma]\n\t"
                   "ldrd %[y0], %[y1], %[ea]\n\t"
                   "ldr %[w], %[zpm]\n\t" C16_OUT(a00, x0, y0) C16_OUT(a01, x0, y0) C16_OUT(a10, x1, y1) C16_OUT(a11, x1, y1)
                   "bfi %[a00], %[a10], #8, #8\n\t"
                   "bfi %[a01], %[a11], #8, #8\n\t"
                   "bfi %[a00], %[a01], #16, #16\n\t"
                   C16_CLAMP
                   "ldr %[x0], %[out]\n\t"
                   "ldr %[x1], %[ocn]\n\t"
                   "ldr %[n], %[count]\n\t"
                   "strh %[a00], [%[x0]]\n\t"
                   "lsrs %[a00], %[a00], #16\n\t"
                   "strh %[a00], [%[x0], %[x1]]\n\t"
                   "add %[x0], %[x0], %[x1], lsl #1\n\t"
                   "adds %[cp], #16 * %c[s]\n\t"
                   "str %[x0], %[out]\n\t"
                   "subs %[n], #1\n\t"
                   "str %[n], %[count]\n\t"
                   "bne 5b\n\t"
                   : [cp] "+l"(cp), [n] "=&l"(n), [pw] "+r"(pw), [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11),
                     [x0] "=&l"(x0), [x1] "=&l"(x1), [y0] "=&l"(y0), [y1] "=&l"(y1), [w] "=&r"(w), [t] "=&r"(t), [u] "=&r"(u),
                     [out] "+m"(f->out), [count] "+m"(f->count)
                   : [ba] "m"(f->ba), [ma] "m"(f->ma), [ea] "m"(f->ea), [zpm] "m"(f->zp2), [ocn] "m"(f->oc_n), [lo] "m"(f->lo),
                     [pi] "i"(SNN_C16_PITCH), [s] "i"(SNN_C16_STRIDE)
                   : "cc", "memory");
}
#undef C3_GROUP
#endif

#if SNN_C16_CH == 32 || SNN_C16_CH == 64
/*
 * 32 or 64 channels: a kernel row of a window is 3 * C / 4 contiguous groups (24 or 48), too long
 * to unroll within the flash accelerator's cache, so it runs as 3 * C / 32 iterations of eight
 * groups. The weights stay int8 (doubling them to int16 would double the layer's constants: 18 to 74
 * KB), in snn_conv_s8's layout (rows of a pair interleaved by word), widened by SXTB16 as in its core
 * (19 cycles per 16 MACs); the accumulators are doubled before the requantization instead.
 */
/* immediates as strings (the block is at the 30-operand limit): position 1's offset, iterations per kernel row, the pair's weight bytes */
#if SNN_C16_CH * SNN_C16_STRIDE == 32
#define CW_YL "ldr"
#define CW_YO "64"
#elif SNN_C16_CH * SNN_C16_STRIDE == 64
#define CW_YL "ldr.w"
#define CW_YO "128"
#else
#define CW_YL "ldr.w"
#define CW_YO "256"
#endif
#if SNN_C16_CH == 32
#define CW_NI "#3"
#define CW_WB "#576"
#else
#define CW_NI "#6"
#define CW_WB "#1152"
#endif
#define CW_GROUP(off)                                  \
  "ldr %[x0], [%[cp], #" #off "]\n\t"                  \
  "ldr %[x1], [%[cp], #" #off " + 4]\n\t"              \
  CW_YL " %[y0], [%[cp], #" #off " + " CW_YO "]\n\t"     \
  CW_YL " %[y1], [%[cp], #" #off " + 4 + " CW_YO "]\n\t" \
  "ldr %[w], [%[pw], #" #off "]\n\t"                   \
  "ldr %[t], [%[pw], #" #off " + 4]\n\t"               \
  "sxtb16 %[u], %[w], ror #8\n\t"                      \
  "sxtb16 %[w], %[w]\n\t"                              \
  "smlad %[a00], %[w], %[x0], %[a00]\n\t"              \
  "smlad %[a01], %[w], %[y0], %[a01]\n\t"              \
  "smlad %[a00], %[u], %[x1], %[a00]\n\t"              \
  "smlad %[a01], %[u], %[y1], %[a01]\n\t"              \
  "sxtb16 %[u], %[t], ror #8\n\t"                      \
  "sxtb16 %[t], %[t]\n\t"                              \
  "smlad %[a10], %[t], %[x0], %[a10]\n\t"              \
  "smlad %[a11], %[t], %[y0], %[a11]\n\t"              \
  "smlad %[a10], %[u], %[x1], %[a10]\n\t"              \
  "smlad %[a11], %[u], %[y1], %[a11]\n\t"
#define CW_OUT(a, m, e1) "add %[" #a "], %[" #a "], %[" #a "]\n\t" C16_OUT(a, m, e1)

/* One channel pair (weights at wp) over f->count position pairs of an output row, 32 or 64 channels. */
static inline __attribute__((always_inline)) void cw_row(const uint32_t *col, const int8_t *wp, snn_c16_frame *f) {
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
                   "movs %[n], " CW_NI "\n\t"
                   "mov %[a01], %[a00]\n\t"
                   "mov %[a11], %[a10]\n\t"
                   ".p2align 2\n3:\n\t"
                   CW_GROUP(0) CW_GROUP(8) CW_GROUP(16) CW_GROUP(24) CW_GROUP(32) CW_GROUP(40) CW_GROUP(48) CW_GROUP(56)
                   "adds %[cp], #64\n\t"
                   "adds %[pw], #64\n\t"
                   "subs %[n], #1\n\t"
                   "bne 3b\n\t"
                   "ldr %[t], %[pitch]\n\t"
                   "movs %[n], " CW_NI "\n\t"
                   "add %[cp], %[t]\n\t"
                   "ldr %[t], %[pwend]\n\t"
                   "cmp %[pw], %[t]\n\t"
                   "bne 3b\n\t"
                   "ldrd %[x0], %[x1], %[ma]\n\t"
                   "ldrd %[y0], %[y1], %[ea]\n\t"
                   "ldr %[w], %[zpm]\n\t" CW_OUT(a00, x0, y0) CW_OUT(a01, x0, y0) CW_OUT(a10, x1, y1) CW_OUT(a11, x1, y1)
                   "bfi %[a00], %[a10], #8, #8\n\t"
                   "bfi %[a01], %[a11], #8, #8\n\t"
                   "bfi %[a00], %[a01], #16, #16\n\t"
                   C16_CLAMP
                   "ldr %[x0], %[out]\n\t"
                   "ldr %[x1], %[ocn]\n\t"
                   "ldr %[y0], %[back]\n\t"
                   "ldr %[n], %[count]\n\t"
                   "strh %[a00], [%[x0]]\n\t"
                   "lsrs %[a00], %[a00], #16\n\t"
                   "strh %[a00], [%[x0], %[x1]]\n\t"
                   "add %[x0], %[x0], %[x1], lsl #1\n\t"
                   "subs %[cp], %[cp], %[y0]\n\t"
                   "subw %[pw], %[pw], " CW_WB "\n\t"
                   "str %[x0], %[out]\n\t"
                   "subs %[n], #1\n\t"
                   "str %[n], %[count]\n\t"
                   "bne 5b\n\t"
                   : [cp] "+l"(cp), [n] "=&l"(n), [pw] "+r"(pw), [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11),
                     [x0] "=&l"(x0), [x1] "=&l"(x1), [y0] "=&l"(y0), [y1] "=&l"(y1), [w] "=&r"(w), [t] "=&r"(t), [u] "=&r"(u),
                     [out] "+m"(f->out), [count] "+m"(f->count)
                   : [ba] "m"(f->ba), [ma] "m"(f->ma), [ea] "m"(f->ea), [zpm] "m"(f->zp2), [ocn] "m"(f->oc_n), [pitch] "m"(f->pitch),
                     [back] "m"(f->back), [pwend] "m"(f->pwend), [lo] "m"(f->lo)
                   : "cc", "memory");
}
#undef CW_GROUP
#undef CW_OUT
#undef CW_YL
#undef CW_YO
#undef CW_NI
#undef CW_WB
#endif

#undef C16_OPERANDS
#undef C16_BLOCK
#undef C16_GROUP
#undef C16_OUT
#undef C16_CLAMP
#undef C16_YO
#undef C16_YL

#if SNN_C16_CH >= 16
/* n pixels of 16 channels widened into the plane (input offset added): four words in, eight out. */
static void __attribute__((noinline)) c16_widen(const int8_t *src, int32_t n, uint32_t off2, uint32_t *dst) {
  for (; n > 0; n--) {
    const uint32_t a = snn_ld32(src);
    const uint32_t b = snn_ld32(src + 4);
    const uint32_t c = snn_ld32(src + 8);
    const uint32_t d = snn_ld32(src + 12);
    src += 16;
    dst[0] = snn_sxtab16(off2, a);
    dst[1] = snn_sxtab16_ror8(off2, a);
    dst[2] = snn_sxtab16(off2, b);
    dst[3] = snn_sxtab16_ror8(off2, b);
    dst[4] = snn_sxtab16(off2, c);
    dst[5] = snn_sxtab16_ror8(off2, c);
    dst[6] = snn_sxtab16(off2, d);
    dst[7] = snn_sxtab16_ror8(off2, d);
    dst += 8;
  }
}
#endif

#if SNN_C16_CH == 3
/*
 * n pixels of 3 channels widened into the plane (input offset added): per pixel the word at its
 * first byte (a halfword-aligned or unaligned load; the fourth byte, the next pixel's, meets a zero
 * weight), two words out. The row's last pixel is assembled from a halfword and a byte, so that no
 * load reads past the row.
 */
static void __attribute__((noinline)) c3_widen(const int8_t *src, int32_t n, uint32_t off2, uint32_t *dst) {
  for (; n > 1; n--, src += 3, dst += 2) {
    const uint32_t a = snn_ld32(src);
    dst[0] = snn_sxtab16(off2, a);
    dst[1] = snn_sxtab16_ror8(off2, a);
  }
  if (n > 0) {
    uint16_t lo;
    __builtin_memcpy(&lo, src, 2);
    const uint32_t a = lo | ((uint32_t)(uint8_t)src[2] << 16);
    dst[0] = snn_sxtab16(off2, a);
    dst[1] = snn_sxtab16_ror8(off2, a);
  }
}
#endif

/* n words of zeros (padding). */
static void c16_zero(uint32_t *dst, int32_t n) {
  for (; n >= 2; n -= 2, dst += 2) {
    dst[0] = 0;
    dst[1] = 0;
  }
  if (n > 0) dst[0] = 0;
}

/* Output rows per band: as many as SNN_C16_MAX_BYTES of plane rows hold (conv3x3c16Bytes in emit.ts). */
#if SNN_C16_CH == 3
#define C16_PXW 2           /* plane words per pixel */
#define C16_PAIR_BYTES 144  /* a channel pair's weights */
#define C16_WIDEN c3_widen
#define C16_ROW c3_row
#elif SNN_C16_CH == 16
#define C16_PXW 8
#define C16_PAIR_BYTES 576
#define C16_WIDEN c16_widen
#define C16_ROW c16_row
#else
#define C16_PXW (SNN_C16_CH / 2)
#define C16_PAIR_BYTES (18 * SNN_C16_CH)
#define C16_WIDEN(src, n, off2, dst) c16_widen(src, (n) * (SNN_C16_CH / 16), off2, dst)
#define C16_ROW cw_row
#endif

static inline int32_t c16_band_rows(const snn_window *g, int32_t pitch) {
  int32_t rows = g->out_h;
  while (rows > 1 && ((rows - 1) * g->stride_h + 3) * pitch > SNN_C16_MAX_BYTES) rows--;
  return rows;
}

static inline __attribute__((always_inline)) void c16_conv(const snn_conv_params *p, const int8_t *in, int8_t *out, uint32_t *plane, const int full, const int stride) {
  const snn_window *g = &p->win;
  const int32_t oc_n = g->out_c, pairs = oc_n >> 1;
  const int32_t px = (g->out_w - 1) * stride + 3; /* plane pixels per row */
  const int32_t pitch = 4 * C16_PXW * px;
  const int32_t band = c16_band_rows(g, pitch);
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  /* plane columns [0, left) and [left + mid, px) are padding; the rest is input columns 0 .. mid - 1 */
  const int32_t left = g->pad_left < px ? g->pad_left : px;
  const int32_t mid = g->in_w < px - left ? g->in_w : px - left;
  snn_c16_frame f;
  f.zp2 = 2 * p->rq.out_zp + 1;
  f.oc_n = oc_n;
  f.pitch = SNN_C16_CH >= 32 ? pitch - 6 * SNN_C16_CH : pitch; /* the wide form's kernel row moves the pointer on by its 3 pixels */
  f.back = 3 * pitch - 4 * SNN_C16_CH * stride;
  f.lo = ((uint32_t)p->rq.act_min & 0xffu) * 0x01010101u;
  f.hi = ((uint32_t)p->rq.act_max & 0xffu) * 0x01010101u;
  for (int32_t b = 0; b < g->batches; b++) {
    const int8_t *img = in + b * g->in_h * g->in_w * SNN_C16_CH;
    int8_t *dst = out + b * g->out_h * g->out_w * oc_n;
    for (int32_t oy0 = 0; oy0 < g->out_h; oy0 += band) {
      const int32_t rows = g->out_h - oy0 < band ? g->out_h - oy0 : band;
      const int32_t y0 = oy0 * stride - g->pad_top;
      const int32_t plane_rows = (rows - 1) * stride + 3;
      uint32_t *pr = plane;
      for (int32_t j = 0; j < plane_rows; j++, pr += C16_PXW * px) {
        const int32_t iy = y0 + j;
        if (iy < 0 || iy >= g->in_h) {
          c16_zero(pr, C16_PXW * px);
          continue;
        }
        c16_zero(pr, C16_PXW * left);
        C16_WIDEN(img + iy * g->in_w * SNN_C16_CH, mid, off2, pr + C16_PXW * left);
        c16_zero(pr + C16_PXW * (left + mid), C16_PXW * (px - left - mid));
      }
      for (int32_t r = 0; r < rows; r++, dst += g->out_w * oc_n) {
        const uint32_t *col = plane + r * stride * C16_PXW * px;
        const int8_t *w = p->weights;
        for (int32_t i = 0; i < pairs; i++, w += C16_PAIR_BYTES) {
          f.ba = p->bias[2 * i];
          f.bb = p->bias[2 * i + 1];
          f.ma = p->rq.multiplier[2 * i];
          f.mb = p->rq.multiplier[2 * i + 1];
          f.ea = ~p->rq.shift[2 * i];
          f.eb = ~p->rq.shift[2 * i + 1];
          f.out = dst + 2 * i;
          f.count = g->out_w >> 1;
          f.pwend = w + C16_PAIR_BYTES;
          C16_ROW(col, w, &f);
        }
      }
    }
  }
}

/*
 * CONV_2D 3x3 over 16 or 3 channels, the plane path (conditions above); scratch: the band's plane
 * rows. The unit's SNN_C16_CH, SNN_C16_STRIDE (1 or 2) and SNN_C16_FULL (1 when the activation range
 * is all of int8: no clamp) select the one form it compiles.
 */
static void snn_conv_3x3c16_s8(const snn_conv_params *flash_params, const int8_t *in, int8_t *out, void *scratch) {
  const snn_conv_params params = *flash_params; /* on the stack (SRAM), as in snn_conv_s8 */
  c16_conv(&params, in, out, (uint32_t *)scratch, SNN_C16_FULL, SNN_C16_STRIDE);
}

#endif /* SNN_CONV_3X3C16_H */
