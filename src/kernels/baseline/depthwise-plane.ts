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
 * Code bytes of the plane path a layer unit brings (snn_depthwise_3x3.h, arm-none-eabi-gcc 12 -O2): 2,244 to
 * 2,392 measured in the three depthwise layers of the generated 128x128 MobileNet-style model
 * (bench/fit-estimate.bench.mjs), 3,952 in an earlier form of the path.
 */
export const DW_PLANE_CODE_BYTES = 2400;

/** Words of plane data per group of four channels (biases, requantization pairs, weight words). */
export const DW_PLANE_GROUP_WORDS = 36;

/** Scratch bytes of the plane path for a band of `rows` output rows (as snn_depthwise_3x3.h lays it out). */
export function depthwisePlaneBytes(g: Geometry, rows: number): number {
  const wp = (g.ow - 1) * g.strideW + 3;
  return (g.strideW === 1 ? 16 * Math.ceil(wp / 2) : 4 * wp) * ((rows - 1) * g.strideH + 3);
}

/**
 * Output rows per band of the plane path: all of them when their plane fits DW_PLANE_MAX_BYTES,
 * else as many as fit; 0 when the path does not apply (it takes multiplier 1, channels a multiple
 * of 4, undilated 3x3, stride_w 1 or 2, the fast requantization).
 */
export function depthwiseBandRows(g: Geometry, depthMultiplier: number, fast: boolean): number {
  if (!fast || depthMultiplier !== 1 || g.c % 4 !== 0 || g.kh !== 3 || g.kw !== 3) return 0;
  if (g.dilationH !== 1 || g.dilationW !== 1 || (g.strideW !== 1 && g.strideW !== 2)) return 0;
  let rows = g.oh;
  while (rows > 0 && depthwisePlaneBytes(g, rows) > DW_PLANE_MAX_BYTES) rows--;
  return rows;
}

/** Two int16 halves [lo, hi] as one int32 word. */
const pair = (lo: number, hi: number): number => ((lo & 0xffff) | (hi << 16)) | 0;

/**
 * The plane path's constant data, DW_PLANE_GROUP_WORDS words per group of four channels (the
 * layout of dw_group in snn_depthwise_3x3.h): 2 * bias of the four channels (stride 2: plus
 * 2 * in_offset * the channel's weight sum, the input offset folded), then (multiplier, ~shift)
 * per channel, then 24 weight words of doubled int16 halves: stride 1, per kernel row and channel
 * [w0, w1], [w1, w2]; stride 2, per tap [w0, w2], [w1, w3] (channels), 6 words unused.
 * `weights`: [3][3][C] (the layer's, masked).
 */
export function depthwisePlaneData(p: PreparedWeighted, weights: Int8Array): Int32Array {
  const g = p.geometry;
  const c = g.c;
  const out = new Int32Array((c / 4) * DW_PLANE_GROUP_WORDS);
  const offset = -p.inZp;
  const w = (t: number, ch: number): number => 2 * weights[t * c + ch];
  for (let grp = 0; grp < c / 4; grp++) {
    const o = grp * DW_PLANE_GROUP_WORDS;
    const ch = 4 * grp;
    for (let i = 0; i < 4; i++) {
      let sum = 0;
      for (let t = 0; t < 9; t++) sum += weights[t * c + ch + i];
      const fold = g.strideW === 1 ? 0 : Math.imul(2 * offset, sum);
      out[o + i] = (Math.imul(2, p.bias[ch + i]) + fold) | 0;
      out[o + 4 + 2 * i] = p.requant.multiplier[ch + i];
      out[o + 5 + 2 * i] = ~p.requant.shift[ch + i];
    }
    for (let k = 0; k < 24; k++) {
      let v = 0;
      if (g.strideW === 1) {
        const ky = k >> 3, i = (k & 7) >> 1;
        v = k & 1 ? pair(w(3 * ky + 1, ch + i), w(3 * ky + 2, ch + i)) : pair(w(3 * ky, ch + i), w(3 * ky + 1, ch + i));
      } else if (k < 18) {
        const t = k >> 1, i = k & 1;
        v = pair(w(t, ch + i), w(t, ch + i + 2));
      }
      out[o + 12 + k] = v;
    }
  }
  return out;
}
