/*
 * The u8 x s8 -> int32 GEMM with TFLite requantization fused into the store,
 * in four instruction-set variants that compute the same bytes:
 *
 *   out[r * oc + o] = clamp(MBQM(bias'[o] + sum_k A[r][k] * W[o][k], mult[o], shift[o]) + zp, mn, mx)
 *
 * A is rows x kp unsigned bytes (im2col.c), kp a multiple of 4. W is packed
 * by se_pack for the same ISA level: blocks of L output channels (L = vector
 * lanes: 16 for AVX-512, 8 for AVX2 / AVX-VNNI, 1 portable), each block
 * [kp / 4][L][4] signed bytes, so one 32-bit lane holds the 4 weights that
 * one vpdpbusd step multiplies by 4 bytes of A broadcast to every lane.
 * prm holds three int32 arrays of se_opad(oc) entries: bias', mult, shift.
 */
#include <limits.h>
#include <string.h>
#include <immintrin.h>
#include "engine.h"

int se_lanes(int isa) {
  return isa == SE_AVX512VNNI ? 16 : isa == SE_PORTABLE ? 1 : 8;
}

uint32_t se_packed_bytes(int isa, uint32_t oc, uint32_t kp) {
  uint32_t l = (uint32_t)se_lanes(isa);
  return (oc + l - 1) / l * l * kp;
}

static inline int32_t load4(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

/*
 * Packs [oc][k] signed weights for an ISA level and writes the parameter
 * block: bias' = bias - (inZp + 128) * sum_k w (int32 wrap), mult, shift.
 */
void se_pack(int isa, const int8_t *w, const int32_t *bias, const int32_t *mult, const int32_t *shift, uint32_t oc, uint32_t k, uint32_t kp,
             int32_t inZp, int8_t *wp, int32_t *prm) {
  uint32_t l = (uint32_t)se_lanes(isa);
  uint32_t blocks = (oc + l - 1) / l;
  uint32_t opad = se_opad(oc);
  memset(wp, 0, (size_t)blocks * l * kp);
  memset(prm, 0, (size_t)opad * 3 * 4);
  for (uint32_t o = 0; o < oc; o++) {
    uint32_t b = o / l, lane = o % l;
    uint32_t sum = 0;
    for (uint32_t j = 0; j < k; j++) {
      int8_t v = w[(size_t)o * k + j];
      sum += (uint32_t)(int32_t)v;
      wp[(size_t)b * l * kp + (size_t)(j / 4) * l * 4 + lane * 4 + j % 4] = v;
    }
    prm[o] = (int32_t)((uint32_t)bias[o] - (uint32_t)(inZp + 128) * sum);
    prm[opad + o] = mult[o];
    prm[2 * opad + o] = shift[o];
  }
}

void se_gemm_portable(const uint8_t *a, const int8_t *w, const int32_t *prm, int8_t *out, uint32_t rows, uint32_t oc, uint32_t kp, int32_t zp, int32_t mn, int32_t mx) {
  uint32_t opad = se_opad(oc);
  const int32_t *bias = prm, *mult = prm + opad, *shift = prm + 2 * opad;
  for (uint32_t r = 0; r < rows; r++) {
    const uint8_t *ar = a + (size_t)r * kp;
    for (uint32_t o = 0; o < oc; o++) {
      const int8_t *wo = w + (size_t)o * kp;
      uint32_t acc = (uint32_t)bias[o];
      for (uint32_t j = 0; j < kp; j++) acc += (uint32_t)((int32_t)ar[j] * (int32_t)wo[j]);
      int32_t t = (int32_t)acc;
      se_store(&t, 1, mult + o, shift + o, out + (size_t)r * oc + o, zp, mn, mx);
    }
  }
}

/*
 * se_mbqm on 16 lanes. The high multiply is floor((x m + 2^30) / 2^31) (see
 * se_mbqm) on the 64-bit even and odd lane products; then the rounding right shift.
 */
__attribute__((target("avx512f,avx512bw,avx512vl"))) static inline __m512i mbqm16(__m512i acc, __m512i m, __m512i s) {
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
  __m512i left = _mm512_max_epi32(s, zero), right = _mm512_max_epi32(_mm512_sub_epi32(zero, s), zero);
  __m512i x = _mm512_sllv_epi32(acc, left);
  const __m512i half = _mm512_set1_epi64(1LL << 30);
  __m512i even = _mm512_srai_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, m), half), 31);
  __m512i odd = _mm512_srai_epi64(_mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(m, 32)), half), 31);
  __m512i h = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  const __m512i imin = _mm512_set1_epi32(INT32_MIN);
  __mmask16 sat = _mm512_cmpeq_epi32_mask(x, imin) & _mm512_cmpeq_epi32_mask(m, imin);
  h = _mm512_mask_mov_epi32(h, sat, _mm512_set1_epi32(INT32_MAX));
  __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
  __m512i rem = _mm512_and_si512(h, mask);
  __m512i thr = _mm512_sub_epi32(_mm512_srai_epi32(mask, 1), _mm512_srai_epi32(h, 31));
  __m512i v = _mm512_srav_epi32(h, right);
  return _mm512_mask_add_epi32(v, _mm512_cmpgt_epi32_mask(rem, thr), v, one);
}

/* mbqm16 on 8 lanes with AVX2 (no 64-bit arithmetic shift: a 2^62 offset keeps the products non-negative). */
__attribute__((target("avx2"))) static inline __m256i mbqm8(__m256i acc, __m256i m, __m256i s) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  __m256i left = _mm256_max_epi32(s, zero), right = _mm256_max_epi32(_mm256_sub_epi32(zero, s), zero);
  __m256i x = _mm256_sllv_epi32(acc, left);
  const __m256i off = _mm256_set1_epi64x((1LL << 30) + (1LL << 62));
  __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, m), off), 31);
  __m256i odd = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)), off), 31);
  __m256i h = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  const __m256i imin = _mm256_set1_epi32(INT32_MIN);
  h = _mm256_xor_si256(h, imin); /* removes the 2^62 / 2^31 offset */
  __m256i sat = _mm256_and_si256(_mm256_cmpeq_epi32(x, imin), _mm256_cmpeq_epi32(m, imin));
  h = _mm256_blendv_epi8(h, _mm256_set1_epi32(INT32_MAX), sat);
  __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  __m256i rem = _mm256_and_si256(h, mask);
  __m256i thr = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_srai_epi32(h, 31));
  __m256i v = _mm256_srav_epi32(h, right);
  return _mm256_sub_epi32(v, _mm256_cmpgt_epi32(rem, thr));
}

/* Requantizes 16 accumulators, adds zp, clamps and stores `count` bytes. */
__attribute__((target("avx512f,avx512bw,avx512vl"))) static inline void store16(__m512i acc, const int32_t *mult, const int32_t *shift, int8_t *out,
                                                                                uint32_t count, int32_t zp, int32_t mn, int32_t mx) {
  __m512i v = mbqm16(acc, _mm512_loadu_si512(mult), _mm512_loadu_si512(shift));
  v = _mm512_add_epi32(v, _mm512_set1_epi32(zp));
  v = _mm512_min_epi32(_mm512_max_epi32(v, _mm512_set1_epi32(mn)), _mm512_set1_epi32(mx));
  _mm_mask_storeu_epi8(out, (__mmask16)((1u << count) - 1), _mm512_cvtepi32_epi8(v));
}

/* store16 on 8 lanes. */
__attribute__((target("avx2"))) static inline void store8(__m256i acc, const int32_t *mult, const int32_t *shift, int8_t *out, uint32_t count,
                                                          int32_t zp, int32_t mn, int32_t mx) {
  __m256i v = mbqm8(acc, _mm256_loadu_si256((const __m256i *)mult), _mm256_loadu_si256((const __m256i *)shift));
  v = _mm256_add_epi32(v, _mm256_set1_epi32(zp));
  v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(mn)), _mm256_set1_epi32(mx));
  int32_t t[8];
  _mm256_storeu_si256((__m256i *)t, v);
  for (uint32_t i = 0; i < count; i++) out[i] = (int8_t)t[i];
}

/*
 * ADD's element loop (TFLite int8 Add) on 16 lanes (AVX-512) or 8 (AVX2);
 * returns how many elements it did, the rest is left to the scalar loop.
 */
__attribute__((target("avx512f,avx512bw,avx512vl"))) uint32_t se_add_avx512(const int8_t *x, const int8_t *y, int8_t *out, uint32_t count,
                                                                            const int32_t *p) {
  const __m512i azp = _mm512_set1_epi32(p[0]), bzp = _mm512_set1_epi32(p[1]), am = _mm512_set1_epi32(p[2]), as = _mm512_set1_epi32(p[3]);
  const __m512i bm = _mm512_set1_epi32(p[4]), bs = _mm512_set1_epi32(p[5]), om = _mm512_set1_epi32(p[6]), os = _mm512_set1_epi32(p[7]);
  const __m512i ozp = _mm512_set1_epi32(p[8]), mn = _mm512_set1_epi32(p[9]), mx = _mm512_set1_epi32(p[10]), ls = _mm512_set1_epi32(p[11]);
  uint32_t i = 0;
  for (; i + 16 <= count; i += 16) {
    __m512i a = _mm512_sllv_epi32(_mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(x + i))), azp), ls);
    __m512i b = _mm512_sllv_epi32(_mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(y + i))), bzp), ls);
    __m512i v = _mm512_add_epi32(mbqm16(_mm512_add_epi32(mbqm16(a, am, as), mbqm16(b, bm, bs)), om, os), ozp);
    v = _mm512_min_epi32(_mm512_max_epi32(v, mn), mx);
    _mm_storeu_si128((__m128i *)(out + i), _mm512_cvtepi32_epi8(v));
  }
  return i;
}

__attribute__((target("avx2"))) uint32_t se_add_avx2(const int8_t *x, const int8_t *y, int8_t *out, uint32_t count, const int32_t *p) {
  const __m256i azp = _mm256_set1_epi32(p[0]), bzp = _mm256_set1_epi32(p[1]), am = _mm256_set1_epi32(p[2]), as = _mm256_set1_epi32(p[3]);
  const __m256i bm = _mm256_set1_epi32(p[4]), bs = _mm256_set1_epi32(p[5]), om = _mm256_set1_epi32(p[6]), os = _mm256_set1_epi32(p[7]);
  const __m256i ozp = _mm256_set1_epi32(p[8]), mn = _mm256_set1_epi32(p[9]), mx = _mm256_set1_epi32(p[10]);
  const __m128i ls = _mm_cvtsi32_si128(p[11]);
  uint32_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m256i a = _mm256_sll_epi32(_mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(x + i))), azp), ls);
    __m256i b = _mm256_sll_epi32(_mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(y + i))), bzp), ls);
    __m256i v = _mm256_add_epi32(mbqm8(_mm256_add_epi32(mbqm8(a, am, as), mbqm8(b, bm, bs)), om, os), ozp);
    v = _mm256_min_epi32(_mm256_max_epi32(v, mn), mx);
    int32_t t[8];
    _mm256_storeu_si256((__m256i *)t, v);
    for (int j = 0; j < 8; j++) out[i + j] = (int8_t)t[j];
  }
  return i;
}

/* AVX2 without VNNI: A's bytes split into nibbles so vpmaddubsw cannot saturate. */
__attribute__((target("avx2"))) static inline __m256i dp_avx2(__m256i acc, __m256i a, __m256i b) {
  const __m256i nib = _mm256_set1_epi8(0x0f);
  __m256i lo = _mm256_and_si256(a, nib);
  __m256i hi = _mm256_and_si256(_mm256_srli_epi32(a, 4), nib);
  __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, b), _mm256_set1_epi16(1));
  __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, b), _mm256_set1_epi16(16));
  return _mm256_add_epi32(acc, _mm256_add_epi32(plo, phi));
}

__attribute__((target("avxvnni,avx2"))) static inline __m256i dp_avxvnni(__m256i acc, __m256i a, __m256i b) {
  return _mm256_dpbusd_avx_epi32(acc, a, b);
}

#define STORE8(accv, r) store8((accv), mult + o0, shift + o0, out + (size_t)(r) * oc + o0, cnt, zp, mn, mx)

/* One 8-lane GEMM body; DP is the 4-byte dot-product step. Rows in blocks of 4. */
#define GEMM8(DP)                                                                              \
  uint32_t opad = se_opad(oc), kg = kp / 4;                                                    \
  const int32_t *bias = prm, *mult = prm + opad, *shift = prm + 2 * opad;                      \
  for (uint32_t ob = 0; ob * 8 < oc; ob++) {                                                   \
    const int8_t *wb = w + (size_t)ob * kg * 32;                                               \
    uint32_t o0 = ob * 8, cnt = oc - o0 < 8 ? oc - o0 : 8;                                     \
    __m256i bv = _mm256_loadu_si256((const __m256i *)(bias + o0));                             \
    uint32_t r = 0;                                                                            \
    for (; r + 4 <= rows; r += 4) {                                                            \
      const uint8_t *a0 = a + (size_t)r * kp, *a1 = a0 + kp, *a2 = a1 + kp, *a3 = a2 + kp;     \
      __m256i c0 = bv, c1 = bv, c2 = bv, c3 = bv;                                              \
      for (uint32_t j = 0; j < kg; j++) {                                                      \
        __m256i b = _mm256_loadu_si256((const __m256i *)(wb + (size_t)j * 32));                \
        c0 = DP(c0, _mm256_set1_epi32(load4(a0 + 4 * j)), b);                                 \
        c1 = DP(c1, _mm256_set1_epi32(load4(a1 + 4 * j)), b);                                 \
        c2 = DP(c2, _mm256_set1_epi32(load4(a2 + 4 * j)), b);                                 \
        c3 = DP(c3, _mm256_set1_epi32(load4(a3 + 4 * j)), b);                                 \
      }                                                                                        \
      STORE8(c0, r);                                                                           \
      STORE8(c1, r + 1);                                                                       \
      STORE8(c2, r + 2);                                                                       \
      STORE8(c3, r + 3);                                                                       \
    }                                                                                          \
    for (; r < rows; r++) {                                                                    \
      const uint8_t *a0 = a + (size_t)r * kp;                                                  \
      __m256i c0 = bv;                                                                         \
      for (uint32_t j = 0; j < kg; j++)                                                        \
        c0 = DP(c0, _mm256_set1_epi32(load4(a0 + 4 * j)), _mm256_loadu_si256((const __m256i *)(wb + (size_t)j * 32))); \
      STORE8(c0, r);                                                                           \
    }                                                                                          \
  }

__attribute__((target("avx2"))) void se_gemm_avx2(const uint8_t *a, const int8_t *w, const int32_t *prm, int8_t *out, uint32_t rows, uint32_t oc,
                                                   uint32_t kp, int32_t zp, int32_t mn, int32_t mx) {
  GEMM8(dp_avx2)
}

__attribute__((target("avxvnni,avx2"))) void se_gemm_avxvnni(const uint8_t *a, const int8_t *w, const int32_t *prm, int8_t *out, uint32_t rows,
                                                              uint32_t oc, uint32_t kp, int32_t zp, int32_t mn, int32_t mx) {
  GEMM8(dp_avxvnni)
}

#define DP512(acc, p) _mm512_dpbusd_epi32((acc), _mm512_set1_epi32(load4(p)), b)

/* AVX-512 VNNI: 16 lanes, rows in blocks of 6 (6 accumulators, one weight load per step). */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) void se_gemm_avx512vnni(const uint8_t *a, const int8_t *w, const int32_t *prm,
                                                                                         int8_t *out, uint32_t rows, uint32_t oc, uint32_t kp,
                                                                                         int32_t zp, int32_t mn, int32_t mx) {
  uint32_t opad = se_opad(oc), kg = kp / 4;
  const int32_t *bias = prm, *mult = prm + opad, *shift = prm + 2 * opad;
  for (uint32_t ob = 0; ob * 16 < oc; ob++) {
    const int8_t *wb = w + (size_t)ob * kg * 64;
    uint32_t o0 = ob * 16, cnt = oc - o0 < 16 ? oc - o0 : 16;
    __m512i bv = _mm512_loadu_si512(bias + o0);
    uint32_t r = 0;
    for (; r + 6 <= rows; r += 6) {
      const uint8_t *a0 = a + (size_t)r * kp, *a1 = a0 + kp, *a2 = a1 + kp, *a3 = a2 + kp, *a4 = a3 + kp, *a5 = a4 + kp;
      __m512i c0 = bv, c1 = bv, c2 = bv, c3 = bv, c4 = bv, c5 = bv;
      for (uint32_t j = 0; j < kg; j++) {
        __m512i b = _mm512_loadu_si512(wb + (size_t)j * 64);
        c0 = DP512(c0, a0 + 4 * j);
        c1 = DP512(c1, a1 + 4 * j);
        c2 = DP512(c2, a2 + 4 * j);
        c3 = DP512(c3, a3 + 4 * j);
        c4 = DP512(c4, a4 + 4 * j);
        c5 = DP512(c5, a5 + 4 * j);
      }
      store16(c0, mult + o0, shift + o0, out + (size_t)(r) * oc + o0, cnt, zp, mn, mx);
      store16(c1, mult + o0, shift + o0, out + (size_t)(r + 1) * oc + o0, cnt, zp, mn, mx);
      store16(c2, mult + o0, shift + o0, out + (size_t)(r + 2) * oc + o0, cnt, zp, mn, mx);
      store16(c3, mult + o0, shift + o0, out + (size_t)(r + 3) * oc + o0, cnt, zp, mn, mx);
      store16(c4, mult + o0, shift + o0, out + (size_t)(r + 4) * oc + o0, cnt, zp, mn, mx);
      store16(c5, mult + o0, shift + o0, out + (size_t)(r + 5) * oc + o0, cnt, zp, mn, mx);
    }
    for (; r < rows; r++) {
      const uint8_t *a0 = a + (size_t)r * kp;
      __m512i c0 = bv;
      for (uint32_t j = 0; j < kg; j++) {
        __m512i b = _mm512_loadu_si512(wb + (size_t)j * 64);
        c0 = DP512(c0, a0 + 4 * j);
      }
      store16(c0, mult + o0, shift + o0, out + (size_t)(r) * oc + o0, cnt, zp, mn, mx);
    }
  }
}
