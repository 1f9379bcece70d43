/*
 * sim-dse sparse (skip-aware loop) CONV_2D kernel: self-contained helpers
 * for the layers src/kernels/sparse/emit.ts generates. Written from the
 * ARMv7-M Architecture Reference Manual (SXTB16, SMLAD) and the TFLite
 * quantization specification; depends on no other kernel header.
 *
 * Data (see src/kernels/sparse/units.ts and pack.ts):
 *  - the patch: the layer input minus its zero point as int16, padding 0,
 *    pixels of an even number of elements, rows of `cols` pixels (the input
 *    sampled every step_h rows and step_w columns);
 *  - the entries of one output channel pair (2q, 2q + 1), in blocks of
 *    eight units (layouts in flash and in the SRAM copy below). A unit's
 *    weight word holds bytes [w(2q, c), w(2q+1, c), w(2q, c+1), w(2q+1, c+1)],
 *    so SXTB16 gives channel 2q's SMLAD pair and SXTB16 ROR #8 channel
 *    2q+1's; its offset is the byte offset of the input pair (c, c+1) from
 *    the pass's first position. A block whose first offset is -1 ends the
 *    list (a count that is not a multiple of 8 is padded with units of
 *    weights 0, offset 0).
 *
 * One pass accumulates 2 channels x 4 adjacent output positions (S bytes
 * apart in the patch) over every unit: per unit 2 weight loads (widened in
 * the copy), 1 offset load, 4 input loads, 8 SMLAD (16 multiply-accumulates).
 */
#ifndef SNN_SPARSE_CONV_H
#define SNN_SPARSE_CONV_H

#include <stdint.h>

/* The patch's shape and the input it is filled from (patch pixel (r, col) = input pixel (r * step_h - pad_top, col * step_w - pad_left)). */
typedef struct {
  int32_t in_h, in_w, in_c;
  int32_t rows, cols, pixel_elements;
  int32_t step_h, step_w;
  int32_t pad_top, pad_left;
  int32_t in_zp;
} snn_sparse_patch;

/* Four bytes at p (word aligned) as one word. */
static inline uint32_t snn_sparse_ld32(const int8_t *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

/* [a.lo + b0, a.hi + b2] and [a.lo + b1, a.hi + b3] (SXTAB16, plain and ROR #8). */
static inline uint32_t snn_sparse_sxtab16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
static inline uint32_t snn_sparse_sxtab16_ror8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/* [lo.lo, hi.lo] (PKHBT) and [lo.hi, hi.hi] (PKHTB). */
static inline uint32_t snn_sparse_low_halves(uint32_t lo, uint32_t hi) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
}
static inline uint32_t snn_sparse_high_halves(uint32_t lo, uint32_t hi) {
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
  return r;
}

/*
 * Fills the int16 patch from one int8 NHWC input item: x - in_zp inside, 0 in
 * the padding. With in_c a multiple of 4 (then the input pixels and the patch
 * are word aligned), four values per word load: SXTAB16 subtracts the zero
 * point from [x0, x2] and [x1, x3], PKHBT / PKHTB put them back in order.
 */
static inline void snn_sparse_fill(const snn_sparse_patch *p, const int8_t *in, int16_t *patch) {
  const int32_t pe = p->pixel_elements;
  const int32_t c = p->in_c;
  const int32_t zp = p->in_zp;
  const uint32_t off2 = ((uint32_t)(-zp) & 0xffffu) * 0x10001u;
  uint32_t *d = (uint32_t *)(void *)patch;
  const int32_t words = pe >> 1; /* words per patch pixel */
  for (int32_t r = 0; r < p->rows; r++) {
    const int32_t iy = r * p->step_h - p->pad_top;
    if (iy < 0 || iy >= p->in_h) {
      for (int32_t i = 0; i < p->cols * words; i++) *d++ = 0;
      continue;
    }
    const int8_t *src = in + iy * p->in_w * c;
    for (int32_t col = 0; col < p->cols; col++, d += words) {
      const int32_t ix = col * p->step_w - p->pad_left;
      if (ix < 0 || ix >= p->in_w) {
        for (int32_t i = 0; i < words; i++) d[i] = 0;
        continue;
      }
      const int8_t *s = src + ix * c;
      if ((c & 3) == 0) {
        uint32_t *dd = d;
        for (const int8_t *end = s + c; s < end; s += 4, dd += 2) {
          const uint32_t x = snn_sparse_ld32(s);
          const uint32_t even = snn_sparse_sxtab16(off2, x);
          const uint32_t odd = snn_sparse_sxtab16_ror8(off2, x);
          dd[0] = snn_sparse_low_halves(even, odd);
          dd[1] = snn_sparse_high_halves(even, odd);
        }
      } else {
        int16_t *h = (int16_t *)(void *)d;
        for (int32_t i = 0; i < c; i++) h[i] = (int16_t)(s[i] - zp);
        if (pe > c) h[c] = 0;
      }
    }
  }
}

/*
 * Entries: in flash (compact), per block of eight units, 12 words: the eight
 * weight words w0..w7 (bytes [w(2q, c), w(2q+1, c), w(2q, c+1), w(2q+1, c+1)]),
 * then the eight int16 offsets. In the SRAM copy the pass walks, 20 words:
 * each weight word widened to its two SMLAD operands, [w(2q, c), w(2q, c+1)]
 * (SXTB16) and [w(2q+1, c), w(2q+1, c+1)] (SXTB16 ROR #8), unit by unit,
 * then the same eight offsets (bytes 64 to 79).
 */
#define SNN_SPARSE_BLOCK_FLASH_WORDS 12
#define SNN_SPARSE_BLOCK_WORDS 20

/* [b0, b2] and [b1, b3] of x, sign-extended to int16 (SXTB16, plain and ROR #8). */
static inline uint32_t snn_sparse_sxtb16(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
  return r;
}
static inline uint32_t snn_sparse_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

/* Two weight words (r3, r4 or r5, r6) widened to four at d (4 SXTB16, STM). */
#define SNN_SPARSE_WIDEN2(A, B)              \
  "sxtb16 r7, " A "\n\t"                     \
  "sxtb16 r8, " A ", ror #8\n\t"             \
  "sxtb16 r9, " B "\n\t"                     \
  "sxtb16 r10, " B ", ror #8\n\t"            \
  "stm %[d]!, {r7, r8, r9, r10}\n\t"
/* Half a block's weights (four words at s) widened to eight at d; s and d step on. */
#define SNN_SPARSE_WIDEN4                    \
  "ldm %[s]!, {r3, r4, r5, r6}\n\t" SNN_SPARSE_WIDEN2("r3", "r4") SNN_SPARSE_WIDEN2("r5", "r6")

/*
 * Copies a channel pair's n blocks (n >= 2: its units, then the end block)
 * from flash to the SRAM scratch, widening the weights (see above): once
 * per pair and call, so the pass, which runs for every four positions,
 * loads ready SMLAD operands. Per block: LDM / 8 SXTB16 / two STM twice,
 * the offsets' LDM / STM; of the end block only its -1 is written.
 */
static inline void snn_sparse_copy(uint32_t *dst, const uint32_t *src, int32_t n) {
  register uint32_t *d __asm__("r0") = dst;
  register const uint32_t *s __asm__("r1") = src;
  register int32_t k __asm__("r2") = n - 1;
  __asm__ volatile("1:\n\t" SNN_SPARSE_WIDEN4 SNN_SPARSE_WIDEN4
                   "ldm %[s]!, {r3, r4, r5, r6}\n\t"
                   "stm %[d]!, {r3, r4, r5, r6}\n\t"
                   "subs %[k], #1\n\t"
                   "bne 1b\n\t"
                   : [d] "+l"(d), [s] "+l"(s), [k] "+l"(k)
                   :
                   : "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "cc", "memory");
  d[16] = 0xffffu;
}

/* Requantization of one channel: multiplier, left and right shifts, output zero point and clamp. */
typedef struct {
  int32_t multiplier, left, right, out_zp, act_min, act_max;
} snn_sparse_rq;

/*
 * TFLite MultiplyByQuantizedMultiplier plus zero point and clamp, bit-exact:
 * the rounding doubling high multiply as (a * m + 2^30) >> 31 (equal to
 * gemmlowp's for m > 0, the only multipliers TFLite forms), then the
 * rounding (half away from zero) division by 2^right.
 */
static inline int8_t snn_sparse_out(int32_t acc, const snn_sparse_rq *q) {
  const int32_t a = (int32_t)((uint32_t)acc << q->left);
  int32_t x = (int32_t)(((int64_t)a * q->multiplier + (1 << 30)) >> 31);
  const int32_t mask = (int32_t)((1u << q->right) - 1u);
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  x = (x >> q->right) + (rem > thr ? 1 : 0) + q->out_zp;
  return (int8_t)(x < q->act_min ? q->act_min : (x > q->act_max ? q->act_max : x));
}

/*
 * Requantizes and stores the n (<= 4) positions of a pass: acc[j] to
 * o[j * step], and acc[4 + j] to o[j * step + 1] when qb is not NULL.
 */
static inline void snn_sparse_store(const int32_t acc[8], int8_t *o, int32_t step, int32_t n, const snn_sparse_rq *qa, const snn_sparse_rq *qb) {
  for (int32_t j = 0; j < n; j++) {
    o[j * step] = snn_sparse_out(acc[j], qa);
    if (qb != 0) o[j * step + 1] = snn_sparse_out(acc[4 + j], qb);
  }
}

/*
 * Requantization when the emitter has proven, for every accumulator of the
 * channel, |acc| * 2^(left1) < 2^31 (left1 = left + 1) and |2 x| + |round|
 * + 1 < 2^31 below: x = SMMULR(acc << left1, m) = (2 acc m + 2^31) >> 32 =
 * (acc m + 2^30) >> 31, the same high multiply; then the rounding division
 * by 2^right (half away from zero) and the zero point in one shift:
 * (2 x + round - [x < 0]) >> right1, with round = 2^right + out_zp *
 * 2^(right + 1) and right1 = right + 1 (floor((2x + 2^r - [x<0]) / 2^(r+1))
 * rounds x / 2^r half away from zero, r = 0 included; adding a multiple of
 * 2^(r+1) adds out_zp after the floor). Then SSAT #8 and the layer's clamp.
 */
typedef struct {
  int32_t multiplier, left1, round, right1;
} snn_sparse_frq;

static inline __attribute__((always_inline)) int32_t snn_sparse_out_fast(int32_t acc, int32_t m, int32_t left1, int32_t round, int32_t right1, int32_t act_min, int32_t act_max) {
  int32_t x, y;
  __asm__("smmulr %0, %1, %2" : "=r"(x) : "r"((int32_t)((uint32_t)acc << left1)), "r"(m));
  __asm__("add %0, %1, %2, lsl #1\n\tsub %0, %0, %2, lsr #31" : "=&r"(y) : "r"(round), "r"(x));
  y >>= right1;
  __asm__("ssat %0, #8, %1" : "=r"(y) : "r"(y));
  if (act_min > -128) y = y < act_min ? act_min : y;
  if (act_max < 127) y = y > act_max ? act_max : y;
  return y;
}

/*
 * Requantizes and stores the positions of a pass with the fast
 * requantization: acc[j] to o[j * step] (j < n), and acc[4 + j] to
 * o[j * step + 1] when qb is not NULL. act_min and act_max are the layer's
 * (literals in the generated code, so the clamp folds away where SSAT does it).
 */
static inline __attribute__((always_inline)) void snn_sparse_store_fast(const int32_t acc[8], int8_t *o, int32_t step, int32_t n, const snn_sparse_frq *qa, const snn_sparse_frq *qb, int32_t act_min, int32_t act_max) {
  const int32_t ma = qa->multiplier, la = qa->left1, ra = qa->round, sa = qa->right1;
  for (int32_t j = 0; j < n; j++) o[j * step] = (int8_t)snn_sparse_out_fast(acc[j], ma, la, ra, sa, act_min, act_max);
  if (qb != 0) {
    const int32_t mb = qb->multiplier, lb = qb->left1, rb = qb->round, sb = qb->right1;
    for (int32_t j = 0; j < n; j++) o[j * step + 1] = (int8_t)snn_sparse_out_fast(acc[4 + j], mb, lb, rb, sb, act_min, act_max);
  }
}

/*
 * snn_sparse_store_fast for a whole pass of both channels (n = 4, qb not
 * NULL), written out so that the accumulators need not go through memory.
 */
static inline __attribute__((always_inline)) void snn_sparse_store4_fast(const int32_t acc[8], int8_t *o, int32_t step, const snn_sparse_frq *qa, const snn_sparse_frq *qb, int32_t act_min, int32_t act_max) {
  const int32_t ma = qa->multiplier, la = qa->left1, ra = qa->round, sa = qa->right1;
  o[0] = (int8_t)snn_sparse_out_fast(acc[0], ma, la, ra, sa, act_min, act_max);
  o[step] = (int8_t)snn_sparse_out_fast(acc[1], ma, la, ra, sa, act_min, act_max);
  o[2 * step] = (int8_t)snn_sparse_out_fast(acc[2], ma, la, ra, sa, act_min, act_max);
  o[3 * step] = (int8_t)snn_sparse_out_fast(acc[3], ma, la, ra, sa, act_min, act_max);
  const int32_t mb = qb->multiplier, lb = qb->left1, rb = qb->round, sb = qb->right1;
  o[1] = (int8_t)snn_sparse_out_fast(acc[4], mb, lb, rb, sb, act_min, act_max);
  o[step + 1] = (int8_t)snn_sparse_out_fast(acc[5], mb, lb, rb, sb, act_min, act_max);
  o[2 * step + 1] = (int8_t)snn_sparse_out_fast(acc[6], mb, lb, rb, sb, act_min, act_max);
  o[3 * step + 1] = (int8_t)snn_sparse_out_fast(acc[7], mb, lb, rb, sb, act_min, act_max);
}

/*
 * Unit k (0..7) of a block (pass below; e points 20 bytes before the block,
 * so that unit 7's writeback lands on the next block's same point). Unit 0:
 * its offset was loaded and p added at the end of the previous block;
 * weights, then the first input at [a], pipelined. Units 1-7: LDRSH offset,
 * the two weight words (pipelined), the first input at [p, a] (pipelined:
 * its address register was written two instructions before), then a += p
 * between the loads. The last two input loads are back to back (the second
 * pipelines) and the last lands in a, dead after it. Encodings are fixed
 * (.w / .n) so every unit is a whole number of words and the pipelined
 * 32-bit loads sit at word addresses.
 */
#define SNN_SPARSE_INPUTS(S)                   \
  "smlad %[c0], %[w], %[x], %[c0]\n\t"          \
  "smlad %[d0], %[v], %[x], %[d0]\n\t"          \
  "ldr.w %[x], [%[a], #(" #S ")]\n\t"           \
  "smlad %[c1], %[w], %[x], %[c1]\n\t"          \
  "smlad %[d1], %[v], %[x], %[d1]\n\t"          \
  "ldr.w %[x], [%[a], #(2 * " #S ")]\n\t"       \
  "ldr.w %[a], [%[a], #(3 * " #S ")]\n\t"       \
  "smlad %[c2], %[w], %[x], %[c2]\n\t"          \
  "smlad %[d2], %[v], %[x], %[d2]\n\t"          \
  "smlad %[c3], %[w], %[a], %[c3]\n\t"          \
  "smlad %[d3], %[v], %[a], %[d3]\n\t"
#define SNN_SPARSE_UNIT0(S)                     \
  "ldr.w %[w], [%[e], #20]\n\t"                 \
  "ldr.n %[v], [%[e], #24]\n\t"                 \
  "ldr.n %[x], [%[a]]\n\t" SNN_SPARSE_INPUTS(S)
#define SNN_SPARSE_UNIT(K, S)                   \
  "ldrsh.w %[a], [%[e], #(84 + 2 * " #K ")]\n\t" \
  "ldr.n %[w], [%[e], #(20 + 8 * " #K ")]\n\t" \
  "ldr.n %[v], [%[e], #(24 + 8 * " #K ")]\n\t" \
  "ldr.n %[x], [%[p], %[a]]\n\t"               \
  "add.n %[a], %[p]\n\t" SNN_SPARSE_INPUTS(S)
/* Bytes of unit 0's code and of units 1 to 6's (unit k > 0 starts 52 + 56 (k - 1) bytes into the loop; see pack.ts). */
#define SNN_SPARSE_UNIT0_BYTES 52
#define SNN_SPARSE_UNIT_BYTES 56
/* Unit 7 loads its second weight word with writeback: e = e + 80, the next block. */
#define SNN_SPARSE_UNIT7(S)                     \
  "ldrsh.w %[a], [%[e], #98]\n\t"               \
  "ldr.w %[w], [%[e], #76]\n\t"                 \
  "ldr.w %[v], [%[e], #80]!\n\t"                \
  "ldr.n %[x], [%[p], %[a]]\n\t"               \
  "add.n %[a], %[p]\n\t" SNN_SPARSE_INPUTS(S)

/*
 * Defines `static void name(entries, p0, acc)`: one pass over a channel
 * pair's SRAM entries for the 4 positions at p0, p0 + S bytes, ...;
 * acc[0..3] channel 2q at the four positions, acc[4..7] channel 2q + 1 (in:
 * bias, out: sums). S is a literal (bytes between positions, at most 1365).
 * Entries come in blocks of eight units (80 bytes: eight pairs of widened
 * weight words, then eight int16 offsets); a block whose first offset is -1
 * ends the list: the offset plus p0 then carries out of 32 bits (p0 > 0),
 * which ends the loop without a compare. A list whose unit count is not a
 * multiple of 8 starts with a partial block, its units in the last slots:
 * the first block's first offset is then ~D (negative), D the byte distance
 * from label 1 to the first kept slot's code (SNN_SPARSE_SLOT_BYTES), and
 * the entry jumps there (MVNS, ADD PC) instead of running padding units.
 * Registers allocated by hand: 8 accumulators, entry pointer, patch
 * pointer, offset and address, the two weight words, input pair = all 14.
 */
#define SNN_SPARSE_PASS(name, S)                                                                               \
  static inline __attribute__((always_inline)) void name(const uint32_t *entries, const int16_t *p0, int32_t acc[8]) { \
    register const uint32_t *e __asm__("r0") = entries - 5;                                                    \
    register int32_t a __asm__("r1");                                                                          \
    register int32_t x __asm__("r2");                                                                          \
    register uint32_t w __asm__("r3");                                                                         \
    register uint32_t v __asm__("r4");                                                                         \
    register const int16_t *p __asm__("r5") = p0;                                                              \
    register int32_t c0 __asm__("r6") = acc[0];                                                                \
    register int32_t c1 __asm__("r7") = acc[1];                                                                \
    register int32_t c2 __asm__("r8") = acc[2];                                                                \
    register int32_t c3 __asm__("r9") = acc[3];                                                                \
    register int32_t d0 __asm__("r10") = acc[4];                                                               \
    register int32_t d1 __asm__("r11") = acc[5];                                                               \
    register int32_t d2 __asm__("r12") = acc[6];                                                               \
    register int32_t d3 __asm__("lr") = acc[7];                                                                \
    __asm__ volatile(".p2align 2\n\t"                                                                          \
                     "ldrsh.w %[x], [%[e], #84]\n\t"                                                           \
                     "adds.w %[a], %[x], %[p]\n\t"                                                             \
                     "bcc.n 1f\n\t"                                                                            \
                     "mvns.n %[x], %[x]\n\t"                                                                   \
                     "add.n pc, %[x]\n\t"                                                                      \
                     ".p2align 2\n"                                                                            \
                     "1:\n\t" SNN_SPARSE_UNIT0(S) SNN_SPARSE_UNIT(1, S) SNN_SPARSE_UNIT(2, S) SNN_SPARSE_UNIT(3, S) \
                         SNN_SPARSE_UNIT(4, S) SNN_SPARSE_UNIT(5, S) SNN_SPARSE_UNIT(6, S) SNN_SPARSE_UNIT7(S)      \
                     "ldrsh.w %[a], [%[e], #84]\n\t"                                                           \
                     "adds.n %[a], %[a], %[p]\n\t"                                                             \
                     "bcc.w 1b\n"                                                                              \
                     : [e] "+l"(e), [a] "=&l"(a), [x] "=&l"(x), [w] "=&l"(w), [v] "=&l"(v), [c0] "+r"(c0),    \
                       [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3), [d0] "+r"(d0), [d1] "+r"(d1),             \
                       [d2] "+r"(d2), [d3] "+r"(d3)                                                            \
                     : [p] "l"(p)                                                                              \
                     : "cc", "memory");                                                                        \
    acc[0] = c0;                                                                                               \
    acc[1] = c1;                                                                                               \
    acc[2] = c2;                                                                                               \
    acc[3] = c3;                                                                                               \
    acc[4] = d0;                                                                                               \
    acc[5] = d1;                                                                                               \
    acc[6] = d2;                                                                                               \
    acc[7] = d3;                                                                                               \
  }

/* Copies n words (n >= 1) from s to d with LDM / STM of four and single words for the rest. */
static inline void snn_sparse_copy_words(int32_t *dst, const int32_t *src, int32_t n) {
  register int32_t *d __asm__("r0") = dst;
  register const int32_t *s __asm__("r1") = src;
  register int32_t k __asm__("r2") = n;
  __asm__ volatile("subs %[k], #4\n\t"
                   "bmi 2f\n"
                   "1:\n\t"
                   "ldm %[s]!, {r3, r4, r5, r6}\n\t"
                   "stm %[d]!, {r3, r4, r5, r6}\n\t"
                   "subs %[k], #4\n\t"
                   "bpl 1b\n"
                   "2:\n\t"
                   "adds %[k], #4\n\t"
                   "beq 4f\n"
                   "3:\n\t"
                   "ldr r3, [%[s]], #4\n\t"
                   "str r3, [%[d]], #4\n\t"
                   "subs %[k], #1\n\t"
                   "bne 3b\n"
                   "4:\n"
                   : [d] "+l"(d), [s] "+l"(s), [k] "+l"(k)
                   :
                   : "r3", "r4", "r5", "r6", "cc", "memory");
}

/*
 * Defines `static void name(list, p0, acc)`: the half units of one channel
 * over the 4 positions at p0, p0 + S bytes, ... (acc[0..3]: in, the sums so
 * far; out, with the half units added). A half unit is one channel's SMLAD
 * pair of a 2x2 unit whose other channel the mask skipped: per unit one
 * weight word (already the int16 pair), 4 input loads, 4 SMLAD. The list
 * (src/kernels/sparse/pack.ts packHalves): the first offset, then per unit
 * its weight word and the next unit's offset, -1 last, an even number of
 * units (an odd count ends with a unit of weight 0 at offset 0); an offset
 * plus p0 carries out of 32 bits only for that -1 (p0 > 0), which ends the
 * loop. Two units per iteration, every instruction 32-bit and the loop word
 * aligned, so each load after a load pipelines (TRM 3.3).
 */
#define SNN_SPARSE_HALF_PASS(name, S)                                                                          \
  static inline __attribute__((always_inline)) void name(const int32_t *list, const int16_t *p0, int32_t acc[4]) { \
    const int32_t *e = list;                                                                                   \
    int32_t a, b, x, y, z;                                                                                     \
    uint32_t w;                                                                                                \
    int32_t c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];                                                \
    __asm__ volatile(".p2align 2\n\t"                                                                          \
                     "ldr.w %[a], [%[e]], #4\n\t"                                                              \
                     "adds.w %[a], %[a], %[p]\n\t"                                                             \
                     "bcs.w 2f\n\t"                                                                            \
                     ".p2align 2\n"                                                                            \
                     "1:\n\t"                                                                                  \
                     "ldr.w %[w], [%[e]], #16\n\t"                                                             \
                     "ldr.w %[x], [%[a]]\n\t"                                                                  \
                     "ldr.w %[y], [%[a], #(" #S ")]\n\t"                                                       \
                     "ldr.w %[z], [%[a], #(2 * " #S ")]\n\t"                                                   \
                     "ldr.w %[b], [%[e], #-12]\n\t"                                                            \
                     "ldr.w %[a], [%[a], #(3 * " #S ")]\n\t"                                                   \
                     "smlad %[c0], %[w], %[x], %[c0]\n\t"                                                      \
                     "smlad %[c1], %[w], %[y], %[c1]\n\t"                                                      \
                     "add.w %[b], %[b], %[p]\n\t"                                                              \
                     "smlad %[c2], %[w], %[z], %[c2]\n\t"                                                      \
                     "smlad %[c3], %[w], %[a], %[c3]\n\t"                                                      \
                     "ldr.w %[w], [%[e], #-8]\n\t"                                                             \
                     "ldr.w %[x], [%[b]]\n\t"                                                                  \
                     "ldr.w %[y], [%[b], #(" #S ")]\n\t"                                                       \
                     "ldr.w %[z], [%[b], #(2 * " #S ")]\n\t"                                                   \
                     "ldr.w %[a], [%[e], #-4]\n\t"                                                             \
                     "ldr.w %[b], [%[b], #(3 * " #S ")]\n\t"                                                   \
                     "smlad %[c0], %[w], %[x], %[c0]\n\t"                                                      \
                     "smlad %[c1], %[w], %[y], %[c1]\n\t"                                                      \
                     "adds.w %[a], %[a], %[p]\n\t"                                                             \
                     "smlad %[c2], %[w], %[z], %[c2]\n\t"                                                      \
                     "smlad %[c3], %[w], %[b], %[c3]\n\t"                                                      \
                     "bcc.w 1b\n"                                                                              \
                     "2:\n"                                                                                     \
                     : [e] "+r"(e), [a] "=&r"(a), [b] "=&r"(b), [x] "=&r"(x), [y] "=&r"(y), [z] "=&r"(z),     \
                       [w] "=&r"(w), [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3)                \
                     : [p] "r"(p0)                                                                             \
                     : "cc", "memory");                                                                        \
    acc[0] = c0;                                                                                               \
    acc[1] = c1;                                                                                               \
    acc[2] = c2;                                                                                               \
    acc[3] = c3;                                                                                               \
  }

#endif
