/*
 * sim-dse baseline kernels: exact int8 operators in the style of CMSIS-NN's
 * s8 path, written here from the published algorithms (im2col into int16,
 * a 2x2 SMLAD matrix-multiply core, TFLite integer requantization). Every
 * kernel produces the bytes the host reference engine (src/model/engine)
 * produces for the same parameters, which the emitter (src/kernels/baseline/
 * emit.ts) copies from the engine's PreparedOp.
 *
 * Activations are int8 NHWC; all parameter structs are compile-time data of
 * the layer's translation unit (flash).
 */
#ifndef SNN_H
#define SNN_H

#include <stdint.h>

/* A sliding window over an NHWC tensor: convolution, depthwise and pooling geometry. */
typedef struct {
  int32_t batches;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left;
} snn_window;

/*
 * Per-output-channel requantization: real scale ~= multiplier * 2^(shift - 31);
 * the output is clamp(requantized + out_zp, act_min, act_max).
 */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t out_zp;
  int32_t act_min;
  int32_t act_max;
} snn_channel_requant;

/*
 * CONV_2D. weights: OHWI int8, each output channel's row of k_h * k_w * in_c
 * followed by zeros up to K, a multiple of 4 (out_c rows of K); each pair of
 * rows (2i, 2i + 1) interleaved by word (row 2i's word j, then row 2i + 1's,
 * at 2iK + 8j), an odd last row left as it is.
 */
typedef struct {
  snn_window win;
  int32_t in_offset; /* minus the input zero point */
  const int8_t *weights;
  const int32_t *bias;
  snn_channel_requant rq;
  /* 1: the emitter proved |accumulator| < 2^30 and every shift <= -1 (snn_out8_fast applies). */
  int32_t fast_rq;
} snn_conv_params;

/* K: the reduction length k_h * k_w * in_c rounded up to a multiple of 4. */
#define SNN_CONV_K(kh, kw, c) ((((kh) * (kw) * (c)) + 3) & ~3)

/*
 * Scratch bytes snn_conv_s8 needs: two int16 columns of K, plus, when in_c
 * is not a multiple of 4, an int8 patch of K bytes.
 */
#define SNN_CONV_SCRATCH_BYTES(kh, kw, c) (2 * 2 * SNN_CONV_K(kh, kw, c) + (((c) & 3) != 0 ? SNN_CONV_K(kh, kw, c) : 0))

/* Position pairs per pass of the pointwise (1x1) convolution, and the largest in_c it takes. */
#define SNN_PW_PAIRS 8
#define SNN_PW_MAX_K 64
/* Scratch bytes of snn_conv_1x1_s8: SNN_PW_PAIRS pairs of int16 columns of in_c. */
#define SNN_PW_SCRATCH_BYTES(c) (SNN_PW_PAIRS * 2 * 2 * (c))

/* CONV_2D: im2col (int16, input offset applied, padding 0) and the 2x2 SMLAD core. */
void snn_conv_s8(const snn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch);

/*
 * CONV_2D, the pointwise path (the emitter chooses it): a 1x1 undilated
 * kernel without padding, in_c a multiple of 16 up to SNN_PW_MAX_K, out_c
 * and out_h * out_w even, fast_rq set; scratch SNN_PW_SCRATCH_BYTES(in_c).
 */
void snn_conv_1x1_s8(const snn_conv_params *p, const int8_t *in, int8_t *out, int16_t *scratch);

/* DEPTHWISE_CONV_2D. weights: [1, k_h, k_w, out_c], out_c = in_c * depth_multiplier. */
typedef struct {
  snn_window win;
  int32_t in_offset;
  int32_t depth_multiplier;
  const int8_t *weights;
  const int32_t *bias;
  snn_channel_requant rq;
  /* 1: the emitter proved |accumulator| < 2^30 and every shift <= -1 (snn_out8_fast applies). */
  int32_t fast_rq;
} snn_depthwise_params;

void snn_depthwise_s8(const snn_depthwise_params *p, const int8_t *in, int8_t *out);

/*
 * FULLY_CONNECTED. weights: [out_features, in_features] (or blocks of four rows interleaved, see
 * `interleaved`). The input offset is
 * folded into `bias` ahead of time (bias[o] - in_zp * sum_i weights[o][i],
 * int32 wrapping), so the kernel multiplies raw int8 inputs.
 */
typedef struct {
  int32_t batches;
  int32_t in_features;
  int32_t out_features;
  const int8_t *weights;
  const int32_t *bias;
  snn_channel_requant rq;
  /* 1: the emitter proved |accumulator| < 2^30 and every shift <= -1 (snn_out8_fast applies). */
  int32_t fast_rq;
  /*
   * 1: in_features is a multiple of 4 and each block of four rows is interleaved by word (the
   * words i of rows 4b .. 4b + 3 together, 16 bytes); the last out_features % 4 rows row after row.
   */
  int32_t interleaved;
} snn_fc_params;

void snn_fc_s8(const snn_fc_params *p, const int8_t *in, int8_t *out);

/*
 * FULLY_CONNECTED when the emitter proved the fast requantization exact, the
 * multiplier and shift are per tensor and in_features is a multiple of 4 (the
 * input word-aligned). `stream` holds, per batch pass, for each block of four
 * rows their four biases then, for every input word i, the words i of the four
 * rows; then, when out_features % 4 >= 2, two biases and the next two rows
 * interleaved by word; then, when out_features is odd, the last bias and row.
 * The field order is the kernel's (snn_fc.c loads them with one LDM).
 */
typedef struct {
  int32_t multiplier;
  int32_t exp_m1;   /* -shift - 1 (>= 0) */
  int32_t zp2;      /* 2 * out_zp + 1 */
  uint32_t lo4;     /* (act_min & 0xff) in every byte */
  uint32_t hi4;     /* (act_max & 0xff) in every byte */
  int32_t in_words; /* in_features / 4 (>= 1) */
  int32_t blocks4;  /* out_features / 4 */
  int32_t rest;     /* out_features % 4 */
  int32_t batches;
  const int32_t *stream;
} snn_fc_fast_params;

void snn_fc_fast_s8(const snn_fc_fast_params *p, const int8_t *in, int8_t *out);

/* MAX_POOL_2D and AVERAGE_POOL_2D (out_c == in_c; input and output share quantization). */
typedef struct {
  snn_window win;
  int32_t act_min;
  int32_t act_max;
} snn_pool_params;

void snn_max_pool_s8(const snn_pool_params *p, const int8_t *in, int8_t *out);
void snn_avg_pool_s8(const snn_pool_params *p, const int8_t *in, int8_t *out);

/*
 * ADD (same shapes): both inputs shifted left, rescaled to a common scale, summed, requantized.
 * With `table` set (512 int32: the rescaled a, then b, by unsigned byte; exact for every pair,
 * see snn_add.c) the kernel needs SNN_ADD_SCRATCH_BYTES of scratch; else none.
 */
#define SNN_ADD_SCRATCH_BYTES 2048
typedef struct {
  int32_t count;
  int32_t a_zp, b_zp;
  int32_t a_mult, a_shift;
  int32_t b_mult, b_shift;
  int32_t out_mult, out_shift;
  int32_t left_shift;
  int32_t out_zp;
  int32_t act_min, act_max;
  const int32_t *table;
  int32_t table_shift;    /* e = -out_shift */
  int32_t table_rounding; /* 2^(e-1) + out_zp * 2^e */
} snn_add_params;

void snn_add_s8(const snn_add_params *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t *scratch);

/* PAD of any rank up to SNN_PAD_MAX_RANK with a constant (the output zero point). */
#define SNN_PAD_MAX_RANK 6
typedef struct {
  int32_t rank;
  int32_t in_shape[SNN_PAD_MAX_RANK];
  int32_t out_shape[SNN_PAD_MAX_RANK];
  int32_t before[SNN_PAD_MAX_RANK];
  int32_t value;
} snn_pad_params;

void snn_pad_s8(const snn_pad_params *p, const int8_t *in, int8_t *out);

/* MEAN over H and W of an NHWC tensor. */
typedef struct {
  int32_t batches, h, w, c;
  int32_t in_zp, out_zp;
  int32_t multiplier, shift;
} snn_mean_params;

void snn_mean_s8(const snn_mean_params *p, const int8_t *in, int8_t *out);

/* SOFTMAX int8 -> int8 (output scale 1/256, zero point -128) over the last axis. */
typedef struct {
  int32_t outer;
  int32_t depth;
  int32_t input_multiplier;
  int32_t input_left_shift;
  int32_t diff_min;
} snn_softmax_params;

void snn_softmax_s8(const snn_softmax_params *p, const int8_t *in, int8_t *out);

/* QUANTIZE between int8 tensors: requantize to another scale and zero point. */
typedef struct {
  int32_t count;
  int32_t in_zp, out_zp;
  int32_t multiplier, shift;
} snn_requantize_params;

void snn_requantize_s8(const snn_requantize_params *p, const int8_t *in, int8_t *out);

#endif
