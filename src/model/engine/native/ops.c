/*
 * The engine's exported entry points (all on one arena addressed by byte
 * offsets) and its non-GEMM kernels, written as TFLite's integer reference
 * loops: im2col for the GEMM, depthwise convolution, MAX_POOL_2D, AVERAGE_POOL_2D, ADD and
 * QUANTIZE (float32 -> int8). Integer arithmetic wraps (built with -fwrapv).
 */
#include <string.h>
#include "engine.h"

/* 16 bytes as one vector (GCC vector extension: SSE2 and up, any clone). */
typedef uint8_t v16u8 __attribute__((vector_size(16)));
typedef int8_t v16i8 __attribute__((vector_size(16)));

/* max(a, b) and min(a, b) per byte (signed). */
static inline v16i8 max16(v16i8 a, v16i8 b) {
  v16i8 gt = a > b;
  return (a & gt) | (b & ~gt);
}

static inline v16i8 min16(v16i8 a, v16i8 b) {
  v16i8 gt = a > b;
  return (b & gt) | (a & ~gt);
}

/* Element-wise loops are compiled for AVX-512, AVX2 and baseline x86-64 and picked by the loader (integer results do not depend on it). */
#if defined(__x86_64__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/*
 * Whether this CPU (and OS, for AVX-512 state) runs a GEMM level. The levels are not nested: AVX-512 VNNI
 * parts without AVX-VNNI (AMD Zen 4, Intel Ice Lake and Sapphire Rapids servers before AVX-VNNI) exist.
 */
int se_supports(int isa) {
  __builtin_cpu_init();
  switch (isa) {
    case SE_PORTABLE: return 1;
    case SE_AVX2: return __builtin_cpu_supports("avx2") != 0;
    case SE_AVXVNNI: return __builtin_cpu_supports("avxvnni") && __builtin_cpu_supports("avx2");
    case SE_AVX512VNNI: return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    default: return 0;
  }
}

/* Best GEMM level this CPU supports. */
int se_isa(void) {
  for (int isa = SE_AVX512VNNI; isa > SE_PORTABLE; isa--)
    if (se_supports(isa)) return isa;
  return SE_PORTABLE;
}

/* Packs a weighted layer's [oc][k] masked weights and parameters into the arena. */
void se_pack_layer(uint8_t *arena, int isa, const int8_t *w, const int32_t *bias, const int32_t *mult, const int32_t *shift, uint32_t oc,
                   uint32_t k, uint32_t kp, int32_t inZp, uint32_t wOff, uint32_t prmOff) {
  se_pack(isa, w, bias, mult, shift, oc, k, kp, inZp, (int8_t *)(arena + wOff), (int32_t *)(arena + prmOff));
}

/* Copies a depthwise layer's [taps][oc] masked weights and its bias, mult, shift (se_opad(oc) each). */
void se_pack_depthwise(uint8_t *arena, const int8_t *w, const int32_t *bias, const int32_t *mult, const int32_t *shift, uint32_t oc,
                       uint32_t taps, uint32_t wOff, uint32_t prmOff) {
  uint32_t opad = se_opad(oc);
  int32_t *prm = (int32_t *)(arena + prmOff);
  memcpy(arena + wOff, w, (size_t)taps * oc);
  memset(prm, 0, (size_t)opad * 3 * 4);
  memcpy(prm, bias, oc * 4);
  memcpy(prm + opad, mult, oc * 4);
  memcpy(prm + 2 * opad, shift, oc * 4);
}

/*
 * dst[0, n) = src[0, n) ^ 0x80, in whole 16-byte chunks: it reads and writes up to 15 bytes past n.
 * im2col allows it: a row's later runs, its [k, kp) zeros and the next row are written after it,
 * the A buffer has more than a row of room after the last, and the input is read inside the arena.
 * One 16-byte vector per chunk (a run of 9 to 96 bytes ran mostly byte by byte).
 */
static inline void flip_run(uint8_t *dst, const uint8_t *src, int32_t n) {
  const v16u8 top = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
  for (int32_t i = 0; i < n; i += 16) {
    v16u8 v;
    memcpy(&v, src + i, 16);
    v ^= top;
    memcpy(dst + i, &v, 16);
  }
}

/* Rows of (n, oy, ox) by [ky][kx][c] unsigned bytes (x + 128), padding inZp + 128, [k, kp) zero. */
VECTOR_CLONES void se_im2col(uint8_t *arena, uint32_t inOff, uint32_t aOff, int32_t n, int32_t h, int32_t w, int32_t c, int32_t kh, int32_t kw, int32_t sh,
               int32_t sw, int32_t dh, int32_t dw, int32_t pt, int32_t pl, int32_t oh, int32_t ow, int32_t inZp, uint32_t kp) {
  const uint8_t *in = arena + inOff;
  uint8_t *a = arena + aOff;
  uint8_t padv = (uint8_t)(inZp + 128);
  uint32_t k = (uint32_t)(kh * kw * c);
  for (int32_t b = 0; b < n; b++)
    for (int32_t oy = 0; oy < oh; oy++)
      for (int32_t ox = 0; ox < ow; ox++) {
        uint8_t *row = a + (size_t)((b * oh + oy) * ow + ox) * kp;
        uint8_t *dst = row;
        int32_t x0 = ox * sw - pl;
        /* the taps of a kernel row are one run of kw * c input bytes when undilated and inside the image */
        int32_t span = dw == 1 && x0 >= 0 && x0 + kw <= w;
        for (int32_t ky = 0; ky < kh; ky++) {
          int32_t iy = oy * sh - pt + ky * dh;
          if (span && iy >= 0 && iy < h) {
            flip_run(dst, in + (size_t)((b * h + iy) * w + x0) * c, kw * c);
            dst += kw * c;
            continue;
          }
          for (int32_t kx = 0; kx < kw; kx++, dst += c) {
            int32_t ix = ox * sw - pl + kx * dw;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              memset(dst, padv, (size_t)c);
              continue;
            }
            const uint8_t *src = in + (size_t)((b * h + iy) * w + ix) * c;
            for (int32_t i = 0; i < c; i++) dst[i] = src[i] ^ 0x80;
          }
        }
        memset(row + k, 0, kp - k);
      }
}

/* The GEMM of a packed layer at an ISA level (gemm.c). */
void se_gemm(uint8_t *arena, int isa, uint32_t aOff, uint32_t wOff, uint32_t prmOff, uint32_t outOff, uint32_t rows, uint32_t oc, uint32_t kp,
             int32_t zp, int32_t mn, int32_t mx) {
  const uint8_t *a = arena + aOff;
  const int8_t *w = (const int8_t *)(arena + wOff);
  const int32_t *prm = (const int32_t *)(arena + prmOff);
  int8_t *out = (int8_t *)(arena + outOff);
  switch (isa) {
    case SE_AVX512VNNI: se_gemm_avx512vnni(a, w, prm, out, rows, oc, kp, zp, mn, mx); break;
    case SE_AVXVNNI: se_gemm_avxvnni(a, w, prm, out, rows, oc, kp, zp, mn, mx); break;
    case SE_AVX2: se_gemm_avx2(a, w, prm, out, rows, oc, kp, zp, mn, mx); break;
    default: se_gemm_portable(a, w, prm, out, rows, oc, kp, zp, mn, mx); break;
  }
}

/* DEPTHWISE_CONV_2D (TFLite DepthwiseConvPerChannel), weights [kh*kw][oc], any depth multiplier m. */
VECTOR_CLONES void se_depthwise(uint8_t *arena, uint32_t inOff, uint32_t wOff, uint32_t prmOff, uint32_t outOff, int32_t n, int32_t h, int32_t w, int32_t c,
                  int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t dh, int32_t dw, int32_t pt, int32_t pl, int32_t oh, int32_t ow, int32_t m,
                  int32_t inZp, int32_t zp, int32_t mn, int32_t mx) {
  const int8_t *in = (const int8_t *)(arena + inOff);
  const int8_t *wt = (const int8_t *)(arena + wOff);
  int8_t *out = (int8_t *)(arena + outOff);
  int32_t oc = c * m;
  uint32_t opad = se_opad((uint32_t)oc);
  const int32_t *bias = (const int32_t *)(arena + prmOff), *mult = bias + opad, *shift = bias + 2 * opad;
  int32_t acc[oc];
  for (int32_t b = 0; b < n; b++)
    for (int32_t oy = 0; oy < oh; oy++)
      for (int32_t ox = 0; ox < ow; ox++) {
        memcpy(acc, bias, (size_t)oc * 4);
        for (int32_t ky = 0; ky < kh; ky++) {
          int32_t iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (int32_t kx = 0; kx < kw; kx++) {
            int32_t ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= w) continue;
            const int8_t *src = in + (size_t)((b * h + iy) * w + ix) * c;
            const int8_t *wk = wt + (size_t)(ky * kw + kx) * oc;
            if (m == 1)
              for (int32_t i = 0; i < c; i++) acc[i] += (int32_t)wk[i] * ((int32_t)src[i] - inZp);
            else
              for (int32_t i = 0; i < oc; i++) acc[i] += (int32_t)wk[i] * ((int32_t)src[i / m] - inZp);
          }
        }
        se_store(acc, (uint32_t)oc, mult, shift, out + (size_t)((b * oh + oy) * ow + ox) * oc, zp, mn, mx);
      }
}

/* A pooling window's top-left input pixel (y0, x0) and its taps inside the image, rows [fy0, fy1) and columns [fx0, fx1). */
typedef struct {
  int32_t y0, x0, fy0, fy1, fx0, fx1;
} pool_window;

static inline pool_window window_at(int32_t oy, int32_t ox, int32_t h, int32_t w, int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t pt, int32_t pl) {
  int32_t y0 = oy * sh - pt, x0 = ox * sw - pl;
  return (pool_window){y0, x0, y0 < 0 ? -y0 : 0, kh < h - y0 ? kh : h - y0, x0 < 0 ? -x0 : 0, kw < w - x0 ? kw : w - x0};
}

/* MAX_POOL_2D over the valid taps, clamped to [mn, mx]. */
VECTOR_CLONES void se_maxpool(uint8_t *arena, uint32_t inOff, uint32_t outOff, int32_t n, int32_t h, int32_t w, int32_t c, int32_t kh, int32_t kw, int32_t sh,
                int32_t sw, int32_t pt, int32_t pl, int32_t oh, int32_t ow, int32_t mn, int32_t mx) {
  const int8_t *in = (const int8_t *)(arena + inOff);
  int8_t *out = (int8_t *)(arena + outOff);
  int8_t best[c];
  /* the clamp as bytes (best is int8 already, so bounds outside [-128, 127] change nothing) */
  const int8_t lo8 = (int8_t)(mn < -128 ? -128 : mn > 127 ? 127 : mn), hi8 = (int8_t)(mx > 127 ? 127 : mx < -128 ? -128 : mx);
  const v16i8 lo = {lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8, lo8};
  const v16i8 hi = {hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8, hi8};
  for (int32_t b = 0; b < n; b++)
    for (int32_t oy = 0; oy < oh; oy++)
      for (int32_t ox = 0; ox < ow; ox++) {
        pool_window t = window_at(oy, ox, h, w, kh, kw, sh, sw, pt, pl);
        memset(best, -128, (size_t)c);
        for (int32_t fy = t.fy0; fy < t.fy1; fy++)
          for (int32_t fx = t.fx0; fx < t.fx1; fx++) {
            const int8_t *src = in + (size_t)((b * h + t.y0 + fy) * w + t.x0 + fx) * c;
            int32_t i = 0;
            for (; i + 16 <= c; i += 16) { /* whole 16-channel chunks as vectors */
              v16i8 x, y;
              memcpy(&x, src + i, 16);
              memcpy(&y, best + i, 16);
              y = max16(x, y);
              memcpy(best + i, &y, 16);
            }
            for (; i < c; i++) best[i] = src[i] > best[i] ? src[i] : best[i];
          }
        int8_t *dst = out + (size_t)((b * oh + oy) * ow + ox) * c;
        int32_t i = 0;
        for (; i + 16 <= c; i += 16) {
          v16i8 y;
          memcpy(&y, best + i, 16);
          y = min16(max16(y, lo), hi);
          memcpy(dst + i, &y, 16);
        }
        for (; i < c; i++) dst[i] = (int8_t)(best[i] < mn ? mn : best[i] > mx ? mx : best[i]);
      }
}

/* AVERAGE_POOL_2D over the valid taps: the sum divided by their count, rounded half away from zero (C's division truncates as TFLite's does), clamped to [mn, mx]. */
VECTOR_CLONES void se_avgpool(uint8_t *arena, uint32_t inOff, uint32_t outOff, int32_t n, int32_t h, int32_t w, int32_t c, int32_t kh, int32_t kw, int32_t sh,
                int32_t sw, int32_t pt, int32_t pl, int32_t oh, int32_t ow, int32_t mn, int32_t mx) {
  const int8_t *in = (const int8_t *)(arena + inOff);
  int8_t *out = (int8_t *)(arena + outOff);
  int32_t sum[c];
  for (int32_t b = 0; b < n; b++)
    for (int32_t oy = 0; oy < oh; oy++)
      for (int32_t ox = 0; ox < ow; ox++) {
        pool_window t = window_at(oy, ox, h, w, kh, kw, sh, sw, pt, pl);
        int32_t count = (t.fy1 - t.fy0) * (t.fx1 - t.fx0), half = count / 2;
        memset(sum, 0, (size_t)c * 4);
        for (int32_t fy = t.fy0; fy < t.fy1; fy++)
          for (int32_t fx = t.fx0; fx < t.fx1; fx++) {
            const int8_t *src = in + (size_t)((b * h + t.y0 + fy) * w + t.x0 + fx) * c;
            for (int32_t i = 0; i < c; i++) sum[i] += src[i];
          }
        int8_t *dst = out + (size_t)((b * oh + oy) * ow + ox) * c;
        for (int32_t i = 0; i < c; i++) {
          int32_t v = sum[i] > 0 ? (sum[i] + half) / count : (sum[i] - half) / count;
          dst[i] = (int8_t)(v < mn ? mn : v > mx ? mx : v);
        }
      }
}

/* ADD at an ISA level (vector loops in gemm.c) (TFLite int8 Add: inputs shifted left by leftShift, rescaled, summed, requantized). */
void se_add(uint8_t *arena, int isa, uint32_t aOff, uint32_t bOff, uint32_t outOff, uint32_t count, int32_t aZp, int32_t bZp, int32_t aMult, int32_t aShift,
            int32_t bMult, int32_t bShift, int32_t outMult, int32_t outShift, int32_t outZp, int32_t mn, int32_t mx, int32_t leftShift) {
  const int8_t *x = (const int8_t *)(arena + aOff), *y = (const int8_t *)(arena + bOff);
  int8_t *out = (int8_t *)(arena + outOff);
  const int32_t p[12] = {aZp, bZp, aMult, aShift, bMult, bShift, outMult, outShift, outZp, mn, mx, leftShift};
  uint32_t i = isa == SE_AVX512VNNI ? se_add_avx512(x, y, out, count, p) : isa >= SE_AVX2 ? se_add_avx2(x, y, out, count, p) : 0;
  for (; i < count; i++) {
    int32_t sa = se_mbqm((int32_t)((uint32_t)(x[i] - aZp) << leftShift), aMult, aShift);
    int32_t sb = se_mbqm((int32_t)((uint32_t)(y[i] - bZp) << leftShift), bMult, bShift);
    int32_t v = se_mbqm(sa + sb, outMult, outShift) + outZp;
    out[i] = (int8_t)(v < mn ? mn : v > mx ? mx : v);
  }
}

/* QUANTIZE float32 -> int8: round half away from zero of x / scale (float32), plus zp, clamped; NaN gives zp. */
VECTOR_CLONES void se_quantize(uint8_t *arena, uint32_t inOff, uint32_t outOff, uint32_t count, float scale, int32_t zp) {
  const float *in = (const float *)(arena + inOff);
  int8_t *out = (int8_t *)(arena + outOff);
  for (uint32_t i = 0; i < count; i++) {
    float q = in[i] / scale;
    int32_t r;
    if (q != q) r = 0;
    else if (q <= -1e9f) r = -1000000000;
    else if (q >= 1e9f) r = 1000000000;
    else {
      /* round half away from zero: q - trunc(q) is exact below 2^23, and q is an integer above it */
      r = (int32_t)q;
      float frac = q - (float)r;
      r += frac >= 0.5f ? 1 : frac <= -0.5f ? -1 : 0;
    }
    int32_t v = r + zp;
    out[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}
