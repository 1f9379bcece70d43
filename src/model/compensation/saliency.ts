/**
 * Optimal Brain Surgeon saliency of skip units (Hassibi and Stork 1993), in
 * the greedy per-channel order of Optimal Brain Compression (Frantar and
 * Alistarh 2022): how much a channel's output error grows when a unit (an
 * SMLAD pair, or a lone operand) is skipped and the channel's kept weights
 * and bias are refitted by least squares (./compensate.ts). For removal set S
 * with current weights w and Hinv the inverse of the damped Gram matrix over
 * the kept operands, the accumulator error grows by
 *
 *     L(S) = w_S^T (Hinv[S, S])^-1 w_S
 *
 * Each channel removes, greedily, the unit of least L, then refits w and
 * conditions Hinv on the removal (Hinv -= Hinv[:, S] (Hinv[S, S])^-1 Hinv[S, :]),
 * starting with its zero weights (they stay 0, free). A unit's value is the
 * largest L of its channel's steps so far, scaled to output units: times the
 * channel's requantization scale squared, over the calibration rows, so a
 * value is the rise of the mean squared output error (output LSB^2 per
 * output) that skipping it and everything of the channel ranked before it
 * costs after refitting, comparable across channels. After half of a
 * channel's units the remaining ones keep their saliency at that point
 * (never below the last step's): the greedy walk costs O(n^3 / 8) per channel
 * as written, and no-loss skip levels lie well below half.
 *
 * Hinv is never updated in place: the steps' rank-1 and rank-2 downdates are
 * kept as vectors V (Hinv_t = Hinv_0 - sum V V^T), the diagonal and the pair
 * entries are updated per step, and a column is formed when a step needs it.
 * Pure and deterministic (fixed loop order; ties go to the first unit).
 */
import type { PreparedWeighted } from '../engine/prepare.js';
import { ModelError } from '../errors.js';
import type { GramInverse } from './compensate.js';

/** Fraction of a channel's units the greedy walk removes one by one; the rest keep their saliency at that point. */
export const GREEDY_FRACTION = 0.5;

/**
 * The saliency of every weight of `layer` (one value per weight in storage order; both members of a pair
 * share their unit's value; zero weights get 0): see the module comment. `partner(k)` is operand k's pair
 * partner in the reduction (-1 when it has none), `rows` the calibration rows the Gram matrix summed.
 * @throws ModelError for a depthwise layer or an inverse that does not fit the layer
 */
export function obsSaliency(layer: PreparedWeighted, inverse: GramInverse, rows: number, partner: (k: number) => number): Float32Array {
  if (layer.kind === 'depthwise') throw new ModelError(`op ${layer.opIndex}: OBS saliency of DEPTHWISE_CONV_2D layers is not supported`);
  const n = inverse.size;
  const reduction = n - 1;
  const channels = layer.geometry.oc;
  if (channels * reduction !== layer.weights.length || inverse.opIndex !== layer.opIndex) {
    throw new ModelError(`op ${layer.opIndex}: inverse of size ${n} does not fit ${layer.weights.length} weights`);
  }
  const out = new Float32Array(layer.weights.length);
  const pairOf = Int32Array.from({ length: reduction }, (_, k) => partner(k));
  for (let o = 0; o < channels; o++) {
    const scale = layer.requant.multiplier[o] * 2 ** (layer.requant.shift[o] - 31);
    const perRow = (scale * scale) / Math.max(1, rows);
    channelSaliency(layer.weights.subarray(o * reduction, (o + 1) * reduction), inverse.values, n, pairOf, perRow, out.subarray(o * reduction, (o + 1) * reduction));
  }
  return out;
}

/** One channel's greedy walk (see the module comment); writes `out` (the channel's weights' values). */
function channelSaliency(weights: Int8Array, h0: Float64Array, n: number, pairOf: Int32Array, perRow: number, out: Float32Array): void {
  const reduction = n - 1;
  const w = Float64Array.from(weights);
  const diag = new Float64Array(reduction);
  const cross = new Float64Array(reduction); // Hinv[k, pairOf[k]] (0 without a partner)
  for (let k = 0; k < reduction; k++) {
    diag[k] = h0[k * n + k];
    if (pairOf[k] >= 0) cross[k] = h0[k * n + pairOf[k]];
  }
  const downdates: Float64Array[] = [];
  // columns a and b (b < 0: a only) of the current Hinv, in one pass over the downdates
  const columns = (a: number, b: number): [Float64Array, Float64Array] => {
    const ca = h0.slice(a * n, a * n + n);
    const cb = b < 0 ? ca : h0.slice(b * n, b * n + n);
    for (const v of downdates) {
      const fa = v[a];
      const fb = b < 0 ? 0 : v[b];
      if (fb === 0) {
        if (fa !== 0) for (let k = 0; k < n; k++) ca[k] -= fa * v[k];
      } else {
        for (let k = 0; k < n; k++) {
          const x = v[k];
          ca[k] -= fa * x;
          cb[k] -= fb * x;
        }
      }
    }
    return [ca, cb];
  };
  const addDowndate = (v: Float64Array): void => {
    downdates.push(v);
    for (let k = 0; k < reduction; k++) {
      diag[k] -= v[k] * v[k];
      if (pairOf[k] >= 0) cross[k] -= v[k] * v[pairOf[k]];
    }
  };
  // removes operand a alone (rank 1) or the pair (a, b) (rank 2): refit w, downdate Hinv
  const remove = (a: number, b: number): void => {
    const [ca, cb] = columns(a, b);
    if (b < 0) {
      const f = w[a] / diag[a];
      for (let k = 0; k < n; k++) w[k] -= ca[k] * f;
      const r = 1 / Math.sqrt(diag[a]);
      addDowndate(ca.map((x) => x * r));
      w[a] = 0;
      return;
    }
    const haa = diag[a];
    const hbb = diag[b];
    const hab = cross[a];
    const det = haa * hbb - hab * hab;
    const za = (hbb * w[a] - hab * w[b]) / det;
    const zb = (haa * w[b] - hab * w[a]) / det;
    for (let k = 0; k < n; k++) w[k] -= ca[k] * za + cb[k] * zb;
    // (Hinv[S,S])^-1 = L L^T with L lower triangular: V = [ca cb] L
    const l11 = Math.sqrt(hbb / det);
    const l21 = -hab / det / l11;
    const l22 = Math.sqrt(haa / det - l21 * l21);
    const v1 = new Float64Array(n);
    const v2 = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      v1[k] = ca[k] * l11 + cb[k] * l21;
      v2[k] = cb[k] * l22;
    }
    addDowndate(v1);
    addDowndate(v2);
    w[a] = 0;
    w[b] = 0;
  };
  for (let k = 0; k < reduction; k++) if (weights[k] === 0) remove(k, -1);
  // units: a nonzero operand with its nonzero partner (first operand first), or alone
  const first: number[] = [];
  const second: number[] = [];
  for (let k = 0; k < reduction; k++) {
    if (weights[k] === 0) continue;
    const p = pairOf[k];
    if (p >= 0 && p < k && weights[p] !== 0) continue;
    first.push(k);
    second.push(p > k && weights[p] !== 0 ? p : -1);
  }
  const loss = (u: number): number => {
    const a = first[u];
    const b = second[u];
    if (b < 0) return (w[a] * w[a]) / diag[a];
    const det = diag[a] * diag[b] - cross[a] * cross[a];
    return (diag[b] * w[a] * w[a] - 2 * cross[a] * w[a] * w[b] + diag[a] * w[b] * w[b]) / det;
  };
  const alive = Array.from(first.keys());
  const steps = Math.ceil(first.length * GREEDY_FRACTION);
  let level = 0;
  const setValue = (u: number, value: number): void => {
    out[first[u]] = value;
    if (second[u] >= 0) out[second[u]] = value;
  };
  for (let step = 0; step < steps; step++) {
    let best = 0;
    let bestLoss = Infinity;
    for (let i = 0; i < alive.length; i++) {
      const l = loss(alive[i]);
      if (l < bestLoss) (bestLoss = l), (best = i);
    }
    const u = alive[best];
    alive.splice(best, 1);
    level = Math.max(level, bestLoss * perRow);
    setValue(u, level);
    remove(first[u], second[u]);
  }
  for (const u of alive) setValue(u, Math.max(level, loss(u) * perRow));
}
