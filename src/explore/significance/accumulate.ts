/**
 * Per-layer accumulators of the data-driven metrics. Each takes one
 * calibration image's input activation of the layer (int8 NHWC bytes) and
 * walks every output position with an im2col column of operands
 * x = (input - inZp), padding taps 0, in conv column order
 * (ky * KW + kx) * C + c. All sums are float64 over exact integers or
 * ratios, in a fixed order: the result is deterministic.
 */
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import { columnLength, forEachPosition } from '../../model/engine/reduction-column.js';
import { layoutOf, operandIndex, type LayerLayout } from './layout.js';

/** Accumulates one layer's statistics over calibration images; `finish` gives the per-operand values. */
export interface LayerAccumulator {
  add(input: Int8Array): void;
  finish(): Float32Array;
}

/**
 * `contribution`: sig(o, k) = sum |w x_k| / sum_j sum |w x_j| over all
 * positions and images (a ratio of means: the counts cancel). Only the
 * column sums of |x| are accumulated, since w does not vary with position.
 */
export function contributionAccumulator(p: PreparedWeighted): LayerAccumulator {
  const layout = layoutOf(p);
  const col = new Int32Array(columnLength(p));
  const absSum = new Float64Array(col.length);
  const visit = (): void => {
    for (let j = 0; j < col.length; j++) absSum[j] += Math.abs(col[j]);
  };
  return {
    add(input) {
      forEachPosition(p, input, col, visit);
    },
    finish() {
      const out = new Float32Array(p.weights.length);
      const c = p.geometry.c;
      const m = p.depthMultiplier;
      const term = new Float64Array(layout.reduction);
      for (let o = 0; o < layout.channels; o++) {
        let total = 0;
        for (let k = 0; k < layout.reduction; k++) {
          const j = layout.kind === 'depthwise' ? k * c + Math.floor(o / m) : k;
          term[k] = Math.abs(p.weights[operandIndex(layout, o, k)]) * absSum[j];
          total += term[k];
        }
        if (total > 0) for (let k = 0; k < layout.reduction; k++) out[operandIndex(layout, o, k)] = term[k] / total;
      }
      return out;
    },
  };
}

/**
 * `seed`: at every position, the channel's products are accumulated in
 * ascending reduction order (the order a 2x2 SMLAD tile consumes them, pair
 * by pair: (0,1), (2,3), ...); operand
 * k gets |S_k| / sum_j |S_j| where S_k is the running partial sum after it
 * (products only, no bias). Averaged over images and positions; a position
 * whose partial sums are all 0 is left out of that channel's average.
 */
export function seedAccumulator(p: PreparedWeighted): LayerAccumulator {
  const layout: LayerLayout = layoutOf(p);
  const k = layout.reduction;
  const oc = layout.channels;
  const col = new Int32Array(columnLength(p));
  const partial = new Int32Array(k);
  const acc = new Float64Array(p.weights.length);
  const count = new Float64Array(oc);
  const w = p.weights;
  const c = p.geometry.c;
  const m = p.depthMultiplier;
  const depthwise = layout.kind === 'depthwise';
  const visit = (): void => {
    for (let o = 0; o < oc; o++) {
      let s = 0;
      let total = 0;
      if (depthwise) {
        const ic = Math.floor(o / m);
        for (let r = 0; r < k; r++) {
          s = (s + w[r * oc + o] * col[r * c + ic]) | 0;
          const a = s < 0 ? -s : s;
          partial[r] = a;
          total += a;
        }
        if (total === 0) continue;
        const inv = 1 / total;
        for (let r = 0; r < k; r++) acc[r * oc + o] += partial[r] * inv;
      } else {
        const base = o * k;
        for (let j = 0; j < k; j++) {
          s = (s + w[base + j] * col[j]) | 0;
          const a = s < 0 ? -s : s;
          partial[j] = a;
          total += a;
        }
        if (total === 0) continue;
        const inv = 1 / total;
        for (let j = 0; j < k; j++) acc[base + j] += partial[j] * inv;
      }
      count[o]++;
    }
  };
  return {
    add(input) {
      forEachPosition(p, input, col, visit);
    },
    finish() {
      const out = new Float32Array(acc.length);
      for (let o = 0; o < oc; o++) {
        if (count[o] === 0) continue;
        for (let r = 0; r < k; r++) {
          const i = operandIndex(layout, o, r);
          out[i] = acc[i] / count[o];
        }
      }
      return out;
    },
  };
}

/** `magnitude`: |w_i| over the sum of |w_j| of the channel (no data). */
export function magnitudeValues(p: PreparedWeighted): Float32Array {
  const layout = layoutOf(p);
  const out = new Float32Array(p.weights.length);
  for (let o = 0; o < layout.channels; o++) {
    let total = 0;
    for (let k = 0; k < layout.reduction; k++) total += Math.abs(p.weights[operandIndex(layout, o, k)]);
    if (total === 0) continue;
    for (let k = 0; k < layout.reduction; k++) {
      const i = operandIndex(layout, o, k);
      out[i] = Math.abs(p.weights[i]) / total;
    }
  }
  return out;
}
