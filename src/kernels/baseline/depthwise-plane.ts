/**
 * The depthwise plane path's emitter side (snn_depthwise_3x3_s8 in
 * src/kernels/c/snn_depthwise_3x3.h): whether a layer takes it, the output
 * rows per band of its scratch plane, the scratch bytes, and its per-group
 * constant data. Pure.
 */
import type { Geometry, PreparedWeighted } from '../../model/engine/prepare.js';

/** Largest scratch the depthwise plane path takes (its band of input rows). */
export const DW_PLANE_MAX_BYTES = 8192;

/**
 * Code bytes of the plane path a layer unit brings (snn_depthwise_3x3.h, arm-none-eabi-gcc 12 -O2; a unit
 * compiles one stride's pass only): 1,296 to 1,368 measured in the three depthwise layers of the generated
 * 128x128 MobileNet-style model (two stride 2, one stride 1); 2,244 to 2,392 when every unit held both
 * strides' passes, 3,952 in an earlier form of the path.
 */
export const DW_PLANE_CODE_BYTES = 1400;

/** Words of plane data per group of four channels (biases, requantization pairs, weight words). */
export const DW_PLANE_GROUP_WORDS = 36;

/**
 * Plane pixels per row (SNN_DW_PLANE_W): stride 1 the row's windows; stride 2 those of whole quads
 * of positions and the pixel pair their last column starts.
 */
export function depthwisePlaneWidth(g: Geometry): number {
  return g.strideW === 1 ? g.ow + 2 : 8 * Math.ceil(g.ow / 4) + 2;
}

/** Scratch bytes of the plane path for a band of `rows` output rows (as snn_depthwise_3x3.h lays it out). */
export function depthwisePlaneBytes(g: Geometry, rows: number): number {
  return 16 * Math.ceil(depthwisePlaneWidth(g) / 2) * ((rows - 1) * g.strideH + 3);
}

/**
 * The macros a stride-2 unit defines before including snn_depthwise_3x3.h (its pass takes the
 * channels and the plane's row bytes as immediates); '' for stride 1.
 */
export function depthwisePlaneDefines(g: Geometry): string {
  return g.strideW === 2 ? `#define SNN_DW2_CB ${g.c}\n#define SNN_DW2_RB ${8 * depthwisePlaneWidth(g)}\n` : '';
}

/**
 * Output rows per band of the plane path: all of them when their plane fits DW_PLANE_MAX_BYTES,
 * else as many as fit; 0 when the path does not apply (it takes multiplier 1, channels a multiple
 * of 4, undilated 3x3, stride_w 1 or 2, the fast requantization; stride 2 at most 1,020 channels
 * and 31 quads of positions per row).
 */
export function depthwiseBandRows(g: Geometry, depthMultiplier: number, fast: boolean): number {
  if (!fast || depthMultiplier !== 1 || g.c % 4 !== 0 || g.kh !== 3 || g.kw !== 3) return 0;
  if (g.dilationH !== 1 || g.dilationW !== 1 || (g.strideW !== 1 && g.strideW !== 2)) return 0;
  // stride 2: the immediate offsets of dw_quads (4 positions of output, 3 kernel rows of the plane)
  if (g.strideW === 2 && (4 * g.c > 4095 || 16 * depthwisePlaneWidth(g) + 68 > 4095)) return 0;
  let rows = g.oh;
  while (rows > 0 && depthwisePlaneBytes(g, rows) > DW_PLANE_MAX_BYTES) rows--;
  return rows;
}

/** Two int16 halves [lo, hi] as one int32 word. */
const pair = (lo: number, hi: number): number => ((lo & 0xffff) | (hi << 16)) | 0;

/**
 * The plane path's constant data, DW_PLANE_GROUP_WORDS words per group of four channels (the
 * layout of dw_group / dw_group2 in snn_depthwise_3x3.h), weights and biases doubled. Stride 1:
 * 2 * bias of the four channels, (multiplier, ~shift) per channel, then 24 weight words of int16
 * halves, per kernel row and channel [w0, w1], [w1, w2]. Stride 2: per half (channels 0, 1, then
 * 2, 3) 15 words: 2 * bias of both, (multiplier, ~shift) of each, then per kernel row [w0, w1] of
 * each and [w2, w2] of both; 6 words unused.
 * `weights`: [3][3][C] (the layer's, masked).
 */
export function depthwisePlaneData(p: PreparedWeighted, weights: Int8Array): Int32Array {
  const g = p.geometry;
  const c = g.c;
  const out = new Int32Array((c / 4) * DW_PLANE_GROUP_WORDS);
  const w = (t: number, ch: number): number => 2 * weights[t * c + ch];
  for (let grp = 0; grp < c / 4; grp++) {
    const o = grp * DW_PLANE_GROUP_WORDS;
    const ch = 4 * grp;
    if (g.strideW !== 1) {
      for (let h = 0; h < 2; h++) {
        const b = o + 15 * h, a = ch + 2 * h;
        for (let l = 0; l < 2; l++) {
          out[b + l] = Math.imul(2, p.bias[a + l]) | 0;
          out[b + 2 + 2 * l] = p.requant.multiplier[a + l];
          out[b + 3 + 2 * l] = ~p.requant.shift[a + l];
        }
        for (let ky = 0; ky < 3; ky++) {
          out[b + 6 + 3 * ky] = pair(w(3 * ky, a), w(3 * ky + 1, a));
          out[b + 7 + 3 * ky] = pair(w(3 * ky, a + 1), w(3 * ky + 1, a + 1));
          out[b + 8 + 3 * ky] = pair(w(3 * ky + 2, a), w(3 * ky + 2, a + 1));
        }
      }
      continue;
    }
    for (let i = 0; i < 4; i++) {
      out[o + i] = Math.imul(2, p.bias[ch + i]) | 0;
      out[o + 4 + 2 * i] = p.requant.multiplier[ch + i];
      out[o + 5 + 2 * i] = ~p.requant.shift[ch + i];
    }
    for (let k = 0; k < 24; k++) {
      const ky = k >> 3, i = (k & 7) >> 1;
      out[o + 12 + k] = k & 1 ? pair(w(3 * ky + 1, ch + i), w(3 * ky + 2, ch + i)) : pair(w(3 * ky, ch + i), w(3 * ky + 1, ch + i));
    }
  }
  return out;
}
