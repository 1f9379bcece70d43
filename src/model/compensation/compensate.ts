/**
 * Compensation of skipped weights (Optimal Brain Surgeon, Hassibi and Stork
 * 1993, applied layer by layer as in Frantar and Alistarh's SparseGPT, 2023):
 * when a mask skips weights of an output channel, the channel's kept weights
 * and its bias are changed so that its accumulator over the calibration rows
 * stays as close as possible to the exact one. With H the layer's Gram matrix
 * (./gram.ts) damped on the weights' diagonal and S the operands forced to 0
 * (the skipped weights and the weights that already are 0, which stay 0 so
 * that they still cost nothing), the least-squares change is
 *
 *     d = -Hinv[:, S] (Hinv[S, S])^-1 w_S        (d_S = -w_S)
 *
 * with Hinv the inverse of the damped H, computed once per layer. The new
 * weights are rounded to the nearest int8 in [-127, 127] and the bias change
 * to the nearest int32. Pure and deterministic.
 */
import type { PreparedWeighted } from '../engine/prepare.js';
import type { SkipMask } from '../ir.js';
import { ModelError } from '../errors.js';
import type { ReductionGram } from './gram.js';
import { cholesky, choleskySolve, spdInverse } from './spd.js';

/** Damping added to each weight's diagonal entry of H, as a fraction of their mean (GPTQ's default). */
export const DEFAULT_DAMPING = 0.01;

/** The inverse of a layer's damped Gram matrix: computed once, used for every mask of the layer. */
export interface GramInverse {
  readonly opIndex: number;
  readonly size: number;
  readonly values: Float64Array;
}

/** A layer's weights and bias after compensation (skipped weights are 0). */
export interface CompensatedLayer {
  readonly weights: Int8Array;
  readonly bias: Int32Array;
}

/**
 * The inverse of `gram` with `damping` x (mean weight diagonal) added to every weight's diagonal entry (an
 * input never seen nonzero then still has a positive pivot; the bias entry, the row count, is left alone).
 */
export function gramInverse(gram: ReductionGram, damping: number = DEFAULT_DAMPING): GramInverse {
  const n = gram.size;
  const a = Float64Array.from(gram.values);
  let mean = 0;
  for (let i = 0; i < n - 1; i++) mean += a[i * n + i];
  mean /= Math.max(1, n - 1);
  const add = damping * (mean > 0 ? mean : 1);
  for (let i = 0; i < n - 1; i++) a[i * n + i] += add;
  if (!(a[(n - 1) * n + (n - 1)] > 0)) a[(n - 1) * n + (n - 1)] = 1;
  return { opIndex: gram.opIndex, size: n, values: spdInverse(a, n) };
}

const clampInt8 = (x: number): number => Math.max(-127, Math.min(127, x));
const INT32_MAX = 2147483647;

/**
 * The weights and bias of `layer` under `mask`, compensated with `inverse` (its layer's {@link gramInverse}).
 * Channels with nothing skipped keep their weights and bias.
 * @throws ModelError when the mask or the inverse does not fit the layer, or a bias leaves the int32 range
 */
export function compensateLayer(layer: PreparedWeighted, mask: SkipMask, inverse: GramInverse): CompensatedLayer {
  if (layer.kind === 'depthwise') throw new ModelError(`op ${layer.opIndex}: compensation of DEPTHWISE_CONV_2D layers is not supported`);
  const n = inverse.size;
  const reduction = n - 1;
  const channels = layer.geometry.oc;
  if (mask.length !== layer.weights.length || channels * reduction !== layer.weights.length || inverse.opIndex !== layer.opIndex) {
    throw new ModelError(`op ${layer.opIndex}: mask of ${mask.length} bytes or inverse of size ${n} does not fit ${layer.weights.length} weights`);
  }
  const hinv = inverse.values;
  const weights = Int8Array.from(layer.weights);
  const bias = Int32Array.from(layer.bias);
  const forced: number[] = [];
  for (let o = 0; o < channels; o++) {
    const w0 = o * reduction;
    let any = false;
    forced.length = 0;
    for (let k = 0; k < reduction; k++) {
      if (mask[w0 + k]) any = true;
      if (mask[w0 + k] || layer.weights[w0 + k] === 0) forced.push(k);
    }
    if (!any) continue;
    const s = forced.length;
    const m = new Float64Array(s * s);
    const ws = new Float64Array(s);
    for (let i = 0; i < s; i++) {
      ws[i] = layer.weights[w0 + forced[i]];
      const row = forced[i] * n;
      for (let j = 0; j < s; j++) m[i * s + j] = hinv[row + forced[j]];
    }
    const z = choleskySolve(cholesky(m, s), s, ws);
    const isForced = new Uint8Array(reduction);
    for (const k of forced) isForced[k] = 1;
    for (let k = 0; k <= reduction; k++) {
      if (k < reduction && isForced[k]) {
        weights[w0 + k] = 0;
        continue;
      }
      let d = 0;
      const row = k * n;
      for (let i = 0; i < s; i++) d -= hinv[row + forced[i]] * z[i];
      if (k < reduction) weights[w0 + k] = clampInt8(Math.round(layer.weights[w0 + k] + d));
      else {
        const b = Math.round(layer.bias[o] + d);
        if (Math.abs(b) > INT32_MAX) throw new ModelError(`op ${layer.opIndex}: compensated bias of channel ${o} (${b}) leaves the int32 range`);
        bias[o] = b;
      }
    }
  }
  return { weights, bias };
}
