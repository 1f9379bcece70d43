/*
 * sim-dse native int8 engine: the kernels of the reference engine's `native`
 * backend (src/model/engine/executor.ts), bit-exact with the WebAssembly and
 * scalar backends. Every kernel works on one arena (the executor's tensor
 * memory) addressed by byte offsets, as the WebAssembly kernels do.
 *
 * CONV_2D and FULLY_CONNECTED are an im2col into unsigned bytes (x + 128;
 * padding holds the input zero point + 128) and a u8 x s8 -> int32 GEMM. The
 * zero point correction is folded into the bias once per weight packing:
 *   sum_k w (x - zp) = sum_k w (x + 128) - (zp + 128) sum_k w
 * (all int32 arithmetic wraps, as TFLite's int32 accumulator does modulo 2^32).
 * The GEMM has AVX-512 VNNI, AVX-VNNI, AVX2 and portable C variants, picked at
 * run time from CPUID (se_isa: the best level; se_supports: whether the CPU runs a level).
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H
#include <stdint.h>

/* Instruction-set levels of the GEMM, best last. */
enum { SE_PORTABLE = 0, SE_AVX2 = 1, SE_AVXVNNI = 2, SE_AVX512VNNI = 3 };

/* Output channels per packed block (vector lanes) of an ISA level. */
int se_lanes(int isa);
/*
 * TFLite MultiplyByQuantizedMultiplier: int32-wrapping left shift, gemmlowp
 * SaturatingRoundingDoublingHighMul, RoundingDivideByPOT (ties away from 0).
 * The high multiply's "nudge then truncate toward zero" equals
 * floor((x * m + 2^30) / 2^31) for every product, which is what is computed.
 */
static inline int32_t se_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  int32_t xs = (int32_t)((uint32_t)x << left);
  int32_t h;
  if (xs == INT32_MIN && multiplier == INT32_MIN) h = INT32_MAX;
  else h = (int32_t)(((int64_t)xs * multiplier + (1LL << 30)) >> 31);
  if (right == 0) return h;
  int32_t mask = right >= 31 ? 0x7fffffff : (int32_t)((1u << right) - 1);
  int32_t rem = h & mask, threshold = (mask >> 1) + (h < 0 ? 1 : 0);
  return (h >> right) + (rem > threshold ? 1 : 0);
}

/* Parameter entries per array for oc channels (a multiple of 16, the widest vector). */
static inline uint32_t se_opad(uint32_t oc) { return (oc + 15) / 16 * 16; }
void se_pack(int isa, const int8_t *w, const int32_t *bias, const int32_t *mult, const int32_t *shift, uint32_t oc, uint32_t k, uint32_t kp,
             int32_t inZp, int8_t *wp, int32_t *prm);

/* Packed weight bytes for oc channels of kp (multiple of 4) bytes at an ISA level. */
uint32_t se_packed_bytes(int isa, uint32_t oc, uint32_t kp);
void se_gemm_portable(const uint8_t *a, const int8_t *w, const int32_t *prm, int8_t *out, uint32_t rows, uint32_t oc, uint32_t kp, int32_t zp, int32_t mn, int32_t mx);
void se_gemm_avx2(const uint8_t *a, const int8_t *w, const int32_t *prm, int8_t *out, uint32_t rows, uint32_t oc, uint32_t kp, int32_t zp, int32_t mn, int32_t mx);
void se_gemm_avxvnni(const uint8_t *a, const int8_t *w, const int32_t *prm, int8_t *out, uint32_t rows, uint32_t oc, uint32_t kp, int32_t zp, int32_t mn, int32_t mx);
void se_gemm_avx512vnni(const uint8_t *a, const int8_t *w, const int32_t *prm, int8_t *out, uint32_t rows, uint32_t oc, uint32_t kp, int32_t zp, int32_t mn, int32_t mx);

/* Vector ADD loops (gemm.c): params azp bzp amult ashift bmult bshift omult oshift ozp min max leftShift; return elements done. */
uint32_t se_add_avx512(const int8_t *x, const int8_t *y, int8_t *out, uint32_t count, const int32_t *p);
uint32_t se_add_avx2(const int8_t *x, const int8_t *y, int8_t *out, uint32_t count, const int32_t *p);

/* Requantizes `lanes` int32 accumulators (bias already added) of channels o0.. into out. */
static inline void se_store(const int32_t *acc, uint32_t count, const int32_t *mult, const int32_t *shift, int8_t *out, int32_t zp, int32_t mn, int32_t mx) {
  for (uint32_t i = 0; i < count; i++) {
    int32_t v = se_mbqm(acc[i], mult[i], shift[i]) + zp;
    out[i] = (int8_t)(v < mn ? mn : v > mx ? mx : v);
  }
}
#endif
