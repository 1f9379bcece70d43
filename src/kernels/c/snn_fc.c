/*
 * FULLY_CONNECTED, int8: a vector-by-matrix product over the input with
 * SMLAD, four output rows at a time (then two, then one); with in_features a
 * multiple of 4 the emitter interleaves each block of four rows by word, so
 * one pointer reads the block (fc_block_4). Each word of four inputs is widened once
 * with SXTB16 (pairs [x0, x2] and [x1, x3]) and used for both rows; each
 * weight word is widened the same way, so the pairs line up without
 * re-packing. The input offset is folded into the bias by the emitter, so the
 * raw int8 inputs are multiplied directly. snn_fc_s8 takes any layer;
 * snn_fc_fast_s8 (at the end) the per-tensor, fast-requantized ones with
 * in_features a multiple of 4, over the emitter's packed stream.
 */
#include "snn.h"
#include "snn_dsp.h"
#include "snn_output.h"

/* The int8 output of row o for accumulator acc. */
static inline int8_t fc_out(const snn_fc_params *p, int32_t acc, int32_t o) {
  const snn_channel_requant *q = &p->rq;
  const int32_t zp = q->out_zp;
  if (p->fast_rq) return snn_out8_fast(acc, q->multiplier[o], -q->shift[o], zp, q->act_min, q->act_max);
  return snn_out8(acc, q->multiplier[o], q->shift[o], q->act_min - zp, q->act_max - zp, zp);
}

/* Rows o .. o + 3 of one batch: each input word is widened once for four rows. */
static void __attribute__((noinline)) fc_rows_4(const snn_fc_params *p, const int8_t *x, int32_t o, int8_t *y) {
  const int32_t n = p->in_features;
  const int8_t *w0 = p->weights + o * n;
  const int8_t *w1 = w0 + n;
  const int8_t *w2 = w1 + n;
  const int8_t *w3 = w2 + n;
  const int8_t *xp = x;
  int32_t a0 = p->bias[o], a1 = p->bias[o + 1], a2 = p->bias[o + 2], a3 = p->bias[o + 3];
  for (int32_t i = n >> 2; i > 0; i--) {
    const uint32_t v = snn_ld32(xp);
    xp += 4;
    const uint32_t v02 = snn_sxtb16(v);
    const uint32_t v13 = snn_sxtb16_ror8(v);
    uint32_t w = snn_ld32(w0);
    w0 += 4;
    a0 = snn_smlad(snn_sxtb16(w), v02, a0);
    a0 = snn_smlad(snn_sxtb16_ror8(w), v13, a0);
    w = snn_ld32(w1);
    w1 += 4;
    a1 = snn_smlad(snn_sxtb16(w), v02, a1);
    a1 = snn_smlad(snn_sxtb16_ror8(w), v13, a1);
    w = snn_ld32(w2);
    w2 += 4;
    a2 = snn_smlad(snn_sxtb16(w), v02, a2);
    a2 = snn_smlad(snn_sxtb16_ror8(w), v13, a2);
    w = snn_ld32(w3);
    w3 += 4;
    a3 = snn_smlad(snn_sxtb16(w), v02, a3);
    a3 = snn_smlad(snn_sxtb16_ror8(w), v13, a3);
  }
  for (int32_t t = 0; t < (n & 3); t++) {
    a0 += w0[t] * xp[t];
    a1 += w1[t] * xp[t];
    a2 += w2[t] * xp[t];
    a3 += w3[t] * xp[t];
  }
  y[o] = fc_out(p, a0, o);
  y[o + 1] = fc_out(p, a1, o + 1);
  y[o + 2] = fc_out(p, a2, o + 2);
  y[o + 3] = fc_out(p, a3, o + 3);
}

/*
 * Rows o .. o + 3 of one batch from an interleaved block (wp: 16 bytes per
 * input word, the four rows' words together; n a multiple of 4): one pointer
 * and four consecutive loads per input word.
 */
static void __attribute__((noinline)) fc_block_4(const snn_fc_params *p, const int8_t *x, const uint32_t *wp, int32_t o, int8_t *y) {
  const int8_t *xp = x;
  const int8_t *end = x + p->in_features;
  int32_t a0 = p->bias[o], a1 = p->bias[o + 1], a2 = p->bias[o + 2], a3 = p->bias[o + 3];
  while (xp != end) {
    const uint32_t v = snn_ld32(xp);
    xp += 4;
    const uint32_t v02 = snn_sxtb16(v);
    const uint32_t v13 = snn_sxtb16_ror8(v);
    const uint32_t w0 = wp[0], w1 = wp[1], w2 = wp[2], w3 = wp[3];
    wp += 4;
    a0 = snn_smlad(snn_sxtb16(w0), v02, a0);
    a0 = snn_smlad(snn_sxtb16_ror8(w0), v13, a0);
    a1 = snn_smlad(snn_sxtb16(w1), v02, a1);
    a1 = snn_smlad(snn_sxtb16_ror8(w1), v13, a1);
    a2 = snn_smlad(snn_sxtb16(w2), v02, a2);
    a2 = snn_smlad(snn_sxtb16_ror8(w2), v13, a2);
    a3 = snn_smlad(snn_sxtb16(w3), v02, a3);
    a3 = snn_smlad(snn_sxtb16_ror8(w3), v13, a3);
  }
  y[o] = fc_out(p, a0, o);
  y[o + 1] = fc_out(p, a1, o + 1);
  y[o + 2] = fc_out(p, a2, o + 2);
  y[o + 3] = fc_out(p, a3, o + 3);
}

/* Rows o and o + 1 of one batch. */
static void __attribute__((noinline)) fc_rows_2(const snn_fc_params *p, const int8_t *x, int32_t o, int8_t *y) {
  const int32_t n = p->in_features;
  const int8_t *wa = p->weights + o * n;
  const int8_t *wb = wa + n;
  const int8_t *xp = x;
  int32_t a = p->bias[o];
  int32_t b = p->bias[o + 1];
  for (int32_t i = n >> 2; i > 0; i--) {
    const uint32_t v = snn_ld32(xp);
    xp += 4;
    const uint32_t v02 = snn_sxtb16(v);
    const uint32_t v13 = snn_sxtb16_ror8(v);
    uint32_t w = snn_ld32(wa);
    wa += 4;
    a = snn_smlad(snn_sxtb16(w), v02, a);
    a = snn_smlad(snn_sxtb16_ror8(w), v13, a);
    w = snn_ld32(wb);
    wb += 4;
    b = snn_smlad(snn_sxtb16(w), v02, b);
    b = snn_smlad(snn_sxtb16_ror8(w), v13, b);
  }
  for (int32_t t = 0; t < (n & 3); t++) {
    a += wa[t] * xp[t];
    b += wb[t] * xp[t];
  }
  y[o] = fc_out(p, a, o);
  y[o + 1] = fc_out(p, b, o + 1);
}

/* Row o of one batch (the odd last row). */
static void __attribute__((noinline)) fc_row_1(const snn_fc_params *p, const int8_t *x, int32_t o, int8_t *y) {
  const int32_t n = p->in_features;
  const int8_t *wa = p->weights + o * n;
  const int8_t *xp = x;
  int32_t a = p->bias[o];
  for (int32_t i = n >> 2; i > 0; i--) {
    const uint32_t v = snn_ld32(xp);
    const uint32_t w = snn_ld32(wa);
    xp += 4;
    wa += 4;
    a = snn_smlad(snn_sxtb16(w), snn_sxtb16(v), a);
    a = snn_smlad(snn_sxtb16_ror8(w), snn_sxtb16_ror8(v), a);
  }
  for (int32_t t = 0; t < (n & 3); t++) a += wa[t] * xp[t];
  y[o] = fc_out(p, a, o);
}

void snn_fc_s8(const snn_fc_params *flash_params, const int8_t *in, int8_t *out) {
  const snn_fc_params params = *flash_params; /* fields read from SRAM, not flash, in the row loops */
  const snn_fc_params *p = &params;
  for (int32_t bt = 0; bt < p->batches; bt++) {
    const int8_t *x = in + bt * p->in_features;
    int8_t *y = out + bt * p->out_features;
    int32_t o = 0;
    if (p->interleaved) {
      for (; o + 4 <= p->out_features; o += 4) fc_block_4(p, x, (const uint32_t *)(const void *)(p->weights + o * p->in_features), o, y);
    } else {
      for (; o + 4 <= p->out_features; o += 4) fc_rows_4(p, x, o, y);
    }
    for (; o + 2 <= p->out_features; o += 2) fc_rows_2(p, x, o, y);
    if (o < p->out_features) fc_row_1(p, x, o, y);
  }
}

/*
 * snn_fc_fast_s8: the whole layer in one assembly function (a naked one: the
 * register allocation is by hand). Registers in the reductions: r0 the
 * stream, r1-r4 weight words, r5-r7 and r10 the widened input and weight
 * halves, r8-r11 the accumulators, r12 the input, lr the word count. The
 * frame (sp-relative): 0 multiplier, 4 exp_m1, 8 zp2, 12 lo4, 16 hi4 (the
 * requantization, one LDM into r1-r5), 20 the batch's input, 24 the next
 * output, 28 in_words, 32 blocks4, 36 rest, 40 batches left, 44 stream, 48
 * blocks left in the pass.
 */

/* One input word against the next four interleaved weight words (four rows): 16 multiply-accumulates. */
#define FC_W4                  \
  "ldr r6, [r12], #4\n\t"      \
  "ldmia r0!, {r1-r4}\n\t"     \
  "sxtb16 r5, r6\n\t"          \
  "sxtb16 r6, r6, ror #8\n\t"  \
  "sxtb16 r7, r1\n\t"          \
  "smlad r8, r7, r5, r8\n\t"   \
  "sxtb16 r1, r1, ror #8\n\t"  \
  "smlad r8, r1, r6, r8\n\t"   \
  "sxtb16 r7, r2\n\t"          \
  "smlad r9, r7, r5, r9\n\t"   \
  "sxtb16 r2, r2, ror #8\n\t"  \
  "smlad r9, r2, r6, r9\n\t"   \
  "sxtb16 r7, r3\n\t"          \
  "smlad r10, r7, r5, r10\n\t" \
  "sxtb16 r3, r3, ror #8\n\t"  \
  "smlad r10, r3, r6, r10\n\t" \
  "sxtb16 r7, r4\n\t"          \
  "smlad r11, r7, r5, r11\n\t" \
  "sxtb16 r4, r4, ror #8\n\t"  \
  "smlad r11, r4, r6, r11\n\t"

/* One input word (widened into r5, r6) against two weight words (rows of r8, r9) in wa, wb. */
#define FC_W2(wa, wb, lo, hi)                    \
  "sxtb16 r7, " wa "\n\t"                        \
  "smlad r8, r7, " lo ", r8\n\t"                 \
  "sxtb16 " wa ", " wa ", ror #8\n\t"            \
  "smlad r8, " wa ", " hi ", r8\n\t"             \
  "sxtb16 r7, " wb "\n\t"                        \
  "smlad r9, r7, " lo ", r9\n\t"                 \
  "sxtb16 " wb ", " wb ", ror #8\n\t"            \
  "smlad r9, " wb ", " hi ", r9\n\t"

/* The fast requantization of accumulator a in place (r1 multiplier, r2 exp_m1, r3 zp2), saturated to int8. */
#define FC_RQ(a)                       \
  "add " a ", " a ", " a "\n\t"        \
  "smmulr " a ", " a ", r1\n\t"        \
  "add " a ", " a ", " a ", asr #31\n\t" \
  "asr " a ", " a ", r2\n\t"           \
  "add " a ", " a ", r3\n\t"           \
  "ssat " a ", #8, " a ", asr #1\n\t"

/* r8's byte lanes clamped to [lo4 (r4), hi4 (r5)], lane by lane. */
#define FC_CLAMP               \
  "ssub8 r6, r8, r4\n\t"       \
  "sel r8, r8, r4\n\t"         \
  "ssub8 r6, r5, r8\n\t"       \
  "sel r8, r8, r5\n\t"

/*
 * The fast requantization is snn_out8_fast with the rounding term and the
 * zero point folded: ((x >> (e - 1)) + 1) >> 1 + zp == ((x >> (e - 1)) + 2 zp + 1) >> 1,
 * the last shift inside SSAT. Per block of four rows: the biases by one LDM,
 * the reduction (an odd first word, then two words per iteration: per word
 * one input load, one LDM of four weight words, ten SXTB16, eight SMLAD), the
 * four outputs requantized, packed by BFI, clamped per byte lane and stored as
 * one word. Two remaining rows: two input words (LDRD) against one LDM of four
 * weight words per iteration; one remaining row: word by word.
 */
void __attribute__((naked)) snn_fc_fast_s8(const snn_fc_fast_params *p, const int8_t *in, int8_t *out) {
  (void)p;
  (void)in;
  (void)out;
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "sub sp, sp, #52\n\t"
      "ldm r0, {r3-r12}\n\t"
      "stm sp, {r3-r7}\n\t"
      "strd r1, r2, [sp, #20]\n\t"
      "add r3, sp, #28\n\t"
      "stm r3, {r8-r12}\n"
      ".Lfc_batch:\n\t"
      "ldr r0, [sp, #44]\n\t"
      "ldr r1, [sp, #32]\n\t"
      "cmp r1, #0\n\t"
      "beq.w .Lfc_rest\n\t"
      "str r1, [sp, #48]\n"
      ".Lfc_block4:\n\t"
      "ldmia r0!, {r8-r11}\n\t"
      "ldr r12, [sp, #20]\n\t"
      "ldr lr, [sp, #28]\n\t"
      "tst lr, #1\n\t"
      "beq 1f\n\t" FC_W4
      "1:\n\t"
      "asrs lr, lr, #1\n\t"
      "beq 3f\n\t"
      ".p2align 2\n"
      "2:\n\t" FC_W4 FC_W4
      "subs lr, lr, #1\n\t"
      "bne 2b\n"
      "3:\n\t"
      "ldm sp, {r1-r5}\n\t" FC_RQ("r8") FC_RQ("r9") FC_RQ("r10") FC_RQ("r11")
      "bfi r8, r9, #8, #8\n\t"
      "bfi r8, r10, #16, #8\n\t"
      "bfi r8, r11, #24, #8\n\t" FC_CLAMP
      "ldr r6, [sp, #24]\n\t"
      "str r8, [r6], #4\n\t"
      "str r6, [sp, #24]\n\t"
      "ldr r6, [sp, #48]\n\t"
      "subs r6, r6, #1\n\t"
      "str r6, [sp, #48]\n\t"
      "bne.w .Lfc_block4\n"
      ".Lfc_rest:\n\t"
      "ldr r1, [sp, #36]\n\t"
      "cmp r1, #2\n\t"
      "blt .Lfc_one\n\t"
      "ldmia r0!, {r8, r9}\n\t"
      "ldr r12, [sp, #20]\n\t"
      "ldr lr, [sp, #28]\n\t"
      "tst lr, #1\n\t"
      "beq 1f\n\t"
      "ldr r6, [r12], #4\n\t"
      "ldmia r0!, {r1, r2}\n\t"
      "sxtb16 r5, r6\n\t"
      "sxtb16 r6, r6, ror #8\n\t" FC_W2("r1", "r2", "r5", "r6")
      "1:\n\t"
      "asrs lr, lr, #1\n\t"
      "beq 3f\n\t"
      ".p2align 2\n"
      "2:\n\t"
      "ldrd r6, r10, [r12], #8\n\t"
      "ldmia r0!, {r1-r4}\n\t"
      "sxtb16 r5, r6\n\t"
      "sxtb16 r6, r6, ror #8\n\t" FC_W2("r1", "r2", "r5", "r6")
      "sxtb16 r5, r10\n\t"
      "sxtb16 r10, r10, ror #8\n\t" FC_W2("r3", "r4", "r5", "r10")
      "subs lr, lr, #1\n\t"
      "bne 2b\n"
      "3:\n\t"
      "ldm sp, {r1-r5}\n\t" FC_RQ("r8") FC_RQ("r9")
      "bfi r8, r9, #8, #8\n\t" FC_CLAMP
      "ldr r6, [sp, #24]\n\t"
      "strh r8, [r6], #2\n\t"
      "str r6, [sp, #24]\n\t"
      "ldr r1, [sp, #36]\n"
      ".Lfc_one:\n\t"
      "tst r1, #1\n\t"
      "beq .Lfc_next\n\t"
      "ldr r8, [r0], #4\n\t"
      "ldr r12, [sp, #20]\n\t"
      "ldr lr, [sp, #28]\n"
      "2:\n\t"
      "ldr r6, [r12], #4\n\t"
      "ldr r1, [r0], #4\n\t"
      "sxtb16 r5, r6\n\t"
      "sxtb16 r6, r6, ror #8\n\t"
      "sxtb16 r7, r1\n\t"
      "smlad r8, r7, r5, r8\n\t"
      "sxtb16 r1, r1, ror #8\n\t"
      "smlad r8, r1, r6, r8\n\t"
      "subs lr, lr, #1\n\t"
      "bne 2b\n\t"
      "ldm sp, {r1-r5}\n\t" FC_RQ("r8") FC_CLAMP
      "ldr r6, [sp, #24]\n\t"
      "strb r8, [r6], #1\n\t"
      "str r6, [sp, #24]\n"
      ".Lfc_next:\n\t"
      "ldrd r1, r2, [sp, #20]\n\t"
      "ldr r3, [sp, #28]\n\t"
      "add r1, r1, r3, lsl #2\n\t"
      "str r1, [sp, #20]\n\t"
      "ldr r1, [sp, #40]\n\t"
      "subs r1, r1, #1\n\t"
      "str r1, [sp, #40]\n\t"
      "bne.w .Lfc_batch\n\t"
      "add sp, sp, #52\n\t"
      "pop {r4-r11, pc}\n\t");
}

#undef FC_W4
#undef FC_W2
#undef FC_RQ
#undef FC_CLAMP
