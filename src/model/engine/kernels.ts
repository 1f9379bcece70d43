/**
 * Pure-TS int8 kernels, one per prepared operator, written as TFLite's
 * integer reference loops. They are the engine's oracle (the scalar backend
 * runs all of them) and the WASM backend uses all but the weighted ones.
 * Buffers are flat NHWC typed arrays; nothing here allocates per call.
 */
import type { PreparedOp, PreparedWeighted } from './prepare.js';
import { weakMemo } from '../../util/weak-memo.js';
import {
  expOnNegativeValues,
  getReciprocal,
  multiplyByQuantizedMultiplier,
  roundFloat32,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from './fixed-point.js';

/** CONV_2D (TFLite ConvPerChannel) with the given (possibly masked) OHWI weights. */
export function convScalar(p: PreparedWeighted, weights: Int8Array, input: Int8Array, output: Int8Array): void {
  const g = p.geometry;
  const { multiplier, shift, outZp, actMin, actMax } = p.requant;
  const k = g.kh * g.kw * g.c;
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        const outBase = ((n * g.oh + oy) * g.ow + ox) * g.oc;
        for (let oc = 0; oc < g.oc; oc++) {
          let acc = 0;
          for (let ky = 0; ky < g.kh; ky++) {
            const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
            if (iy < 0 || iy >= g.h) continue;
            for (let kx = 0; kx < g.kw; kx++) {
              const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
              if (ix < 0 || ix >= g.w) continue;
              const inBase = ((n * g.h + iy) * g.w + ix) * g.c;
              const wBase = oc * k + (ky * g.kw + kx) * g.c;
              for (let ic = 0; ic < g.c; ic++) acc += weights[wBase + ic] * (input[inBase + ic] - p.inZp);
            }
          }
          acc = (acc + p.bias[oc]) | 0;
          let v = multiplyByQuantizedMultiplier(acc, multiplier[oc], shift[oc]) + outZp;
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          output[outBase + oc] = v;
        }
      }
    }
  }
}

/** DEPTHWISE_CONV_2D (TFLite DepthwiseConvPerChannel) with 1HWC weights. */
export function depthwiseScalar(p: PreparedWeighted, weights: Int8Array, input: Int8Array, output: Int8Array): void {
  const g = p.geometry;
  const m = p.depthMultiplier;
  const { multiplier, shift, outZp, actMin, actMax } = p.requant;
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        for (let ic = 0; ic < g.c; ic++) {
          for (let mi = 0; mi < m; mi++) {
            const oc = ic * m + mi;
            let acc = 0;
            for (let ky = 0; ky < g.kh; ky++) {
              const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
              if (iy < 0 || iy >= g.h) continue;
              for (let kx = 0; kx < g.kw; kx++) {
                const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
                if (ix < 0 || ix >= g.w) continue;
                acc += weights[(ky * g.kw + kx) * g.oc + oc] * (input[((n * g.h + iy) * g.w + ix) * g.c + ic] - p.inZp);
              }
            }
            acc = (acc + p.bias[oc]) | 0;
            let v = multiplyByQuantizedMultiplier(acc, multiplier[oc], shift[oc]) + outZp;
            v = v < actMin ? actMin : v > actMax ? actMax : v;
            output[((n * g.oh + oy) * g.ow + ox) * g.oc + oc] = v;
          }
        }
      }
    }
  }
}

/** FULLY_CONNECTED (TFLite integer FullyConnected) with [O, I] weights. */
export function fullyConnectedScalar(p: PreparedWeighted, weights: Int8Array, input: Int8Array, output: Int8Array): void {
  const g = p.geometry;
  const { multiplier, shift, outZp, actMin, actMax } = p.requant;
  for (let b = 0; b < g.n; b++) {
    for (let o = 0; o < g.oc; o++) {
      let acc = 0;
      for (let i = 0; i < g.c; i++) acc += weights[o * g.c + i] * (input[b * g.c + i] - p.inZp);
      acc = (acc + p.bias[o]) | 0;
      let v = multiplyByQuantizedMultiplier(acc, multiplier[o], shift[o]) + outZp;
      v = v < actMin ? actMin : v > actMax ? actMax : v;
      output[b * g.oc + o] = v;
    }
  }
}

/** Dispatches a weighted layer to its scalar kernel. */
export function weightedScalar(p: PreparedWeighted, weights: Int8Array, input: Int8Array, output: Int8Array): void {
  if (p.kind === 'conv') convScalar(p, weights, input, output);
  else if (p.kind === 'depthwise') depthwiseScalar(p, weights, input, output);
  else fullyConnectedScalar(p, weights, input, output);
}

type PoolOp = Extract<PreparedOp, { kind: 'maxpool' | 'avgpool' }>;

/** MAX_POOL_2D and AVERAGE_POOL_2D (rounded division by the count of valid taps). */
export function pool(p: PoolOp, input: Int8Array, output: Int8Array): void {
  const { n: nb, h, w, c, oh, ow, kh, kw, strideH, strideW, padTop, padLeft } = p.geometry;
  const isMax = p.kind === 'maxpool';
  const actMin = p.actMin;
  const actMax = p.actMax;
  for (let n = 0; n < nb; n++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * strideH - padTop;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(kh, h - y0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * strideW - padLeft;
        const fx0 = Math.max(0, -x0);
        const fx1 = Math.min(kw, w - x0);
        const count = (fy1 - fy0) * (fx1 - fx0);
        const half = Math.trunc(count / 2);
        const outBase = ((n * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let acc = isMax ? -128 : 0;
          for (let fy = fy0; fy < fy1; fy++) {
            let idx = ((n * h + y0 + fy) * w + x0 + fx0) * c + ch;
            for (let fx = fx0; fx < fx1; fx++, idx += c) {
              const v = input[idx];
              if (isMax) {
                if (v > acc) acc = v;
              } else acc += v;
            }
          }
          if (!isMax) acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          output[outBase + ch] = acc < actMin ? actMin : acc > actMax ? actMax : acc;
        }
      }
    }
  }
}

type AddOp = Extract<PreparedOp, { kind: 'add' }>;

/** ADD (TFLite int8 Add: both inputs shifted left by 20, rescaled, summed, requantized). */
export function add(p: AddOp, a: Int8Array, b: Int8Array, output: Int8Array): void {
  const ls = 1 << p.leftShift;
  for (let i = 0; i < p.count; i++) {
    const sa = multiplyByQuantizedMultiplier(((a[i] - p.aZp) * ls) | 0, p.aMult, p.aShift);
    const sb = multiplyByQuantizedMultiplier(((b[i] - p.bZp) * ls) | 0, p.bMult, p.bShift);
    let v = multiplyByQuantizedMultiplier((sa + sb) | 0, p.outMult, p.outShift) + p.outZp;
    v = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
    output[i] = v;
  }
}

type PadOp = Extract<PreparedOp, { kind: 'pad' }>;

/** PAD with the output zero point (any rank). */
export function pad(p: PadOp, input: Int8Array, output: Int8Array): void {
  output.fill(p.value);
  const rank = p.inShape.length;
  const count = input.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < count; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o = o * p.outShape[d] + idx[d] + p.before[d];
    output[o] = input[i];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < p.inShape[d]) break;
      idx[d] = 0;
    }
  }
}

type MeanOp = Extract<PreparedOp, { kind: 'mean' }>;

/** MEAN over H and W (TFLite integer Mean: sum, requantize, rounded division by H*W). */
export function mean(p: MeanOp, input: Int8Array, output: Int8Array): void {
  const count = p.h * p.w;
  const half = Math.trunc(count / 2);
  for (let n = 0; n < p.n; n++) {
    for (let c = 0; c < p.c; c++) {
      let acc = 0;
      for (let i = 0; i < count; i++) acc += input[(n * count + i) * p.c + c] - p.inZp;
      acc = multiplyByQuantizedMultiplier(acc, p.multiplier, p.shift);
      acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
      acc += p.outZp;
      output[n * p.c + c] = acc < -128 ? -128 : acc > 127 ? 127 : acc;
    }
  }
}

type SoftmaxOp = Extract<PreparedOp, { kind: 'softmax' }>;

/**
 * exp(diff) of each input minus the row's maximum, diff = 0, -1, .., -255 (index -diff), as TFLite's int8
 * SOFTMAX computes it (input scaled by the multiplier, gemmlowp exp on [-32, 0) with 5 integer bits), and
 * that value over 2^12 (what the sum adds); -1 where diff is below diffMin (the term is left out).
 * The function of diff is all the per-element work, so one row of 256 entries per operator serves every image.
 */
interface SoftmaxTable {
  readonly exp: Int32Array;
  readonly term: Int32Array;
}
const softmaxTables = weakMemo<SoftmaxOp, SoftmaxTable>();
const SOFTMAX_ACCUMULATION_BITS = 12;

function softmaxTable(p: SoftmaxOp): SoftmaxTable {
  return softmaxTables(p, () => {
    const exp = new Int32Array(256).fill(-1);
    const term = new Int32Array(256);
    for (let d = 0; d < 256; d++) {
      const diff = -d;
      if (diff < p.diffMin) continue;
      exp[d] = expOnNegativeValues(saturatingRoundingDoublingHighMul((diff * (1 << p.inputLeftShift)) | 0, p.inputMultiplier), 5);
      term[d] = roundingDivideByPOT(exp[d], SOFTMAX_ACCUMULATION_BITS);
    }
    return { exp, term };
  });
}

/** SOFTMAX int8 -> int8 (TFLite reference fixed-point path: Q5.26 diffs, Q12.19 sum). */
export function softmax(p: SoftmaxOp, input: Int8Array, output: Int8Array): void {
  const { exp, term } = softmaxTable(p);
  for (let i = 0; i < p.outer; i++) {
    const base = i * p.depth;
    let max = -128;
    for (let c = 0; c < p.depth; c++) if (input[base + c] > max) max = input[base + c];
    let sum = 0;
    for (let c = 0; c < p.depth; c++) {
      const d = max - input[base + c];
      if (exp[d] >= 0) sum = (sum + term[d]) | 0;
    }
    const { scale, bitsOverUnit } = getReciprocal(sum, SOFTMAX_ACCUMULATION_BITS);
    for (let c = 0; c < p.depth; c++) {
      const e = exp[max - input[base + c]];
      if (e >= 0) {
        const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(scale, e), bitsOverUnit + 31 - 8);
        const v = unsat - 128;
        output[base + c] = v > 127 ? 127 : v < -128 ? -128 : v;
      } else {
        output[base + c] = -128;
      }
    }
  }
}

/** QUANTIZE float32 -> int8: round half away from zero of x / scale (float32 division), plus zp, clamped (NaN gives zp). */
export function quantize(count: number, scale: number, zp: number, input: Float32Array, output: Int8Array): void {
  const s = Math.fround(scale);
  for (let i = 0; i < count; i++) {
    const r = roundFloat32(input[i] / s);
    const v = (r === r ? Math.max(-1e9, Math.min(1e9, r)) : 0) + zp;
    output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

/** QUANTIZE int8 -> int8 (requantize to another scale / zero point). */
export function requantize(p: Extract<PreparedOp, { kind: 'requantize' }>, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < p.count; i++) {
    const v = multiplyByQuantizedMultiplier(input[i] - p.inZp, p.multiplier, p.shift) + p.outZp;
    output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

/** DEQUANTIZE int8 -> float32: float(scale * (q - zp)) computed in double. */
export function dequantize(count: number, scale: number, zp: number, input: Int8Array, output: Float32Array): void {
  for (let i = 0; i < count; i++) output[i] = scale * (input[i] - zp);
}
