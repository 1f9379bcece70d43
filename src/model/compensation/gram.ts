/**
 * The Gram matrix of a layer's reduction inputs over calibration images:
 * H = sum over every output position (and batch row) of v v^T, where v holds
 * the reduction's inputs minus the input zero point, in weight storage order
 * (a convolution's patch: tap (ky, kx), then input channel; a fully
 * connected layer's input vector), followed by a constant 1 for the bias.
 * Padding taps read the zero point, so they contribute 0, as in the engine.
 * H is what the least-squares compensation of ./compensate.ts needs: the
 * accumulator error of a weight change d over the calibration rows is d^T H d.
 */
import type { PreparedWeighted } from '../engine/prepare.js';
import { ModelError } from '../errors.js';
import { columnLength, forEachPosition } from '../engine/reduction-column.js';

/** The Gram matrix of one layer. */
export interface ReductionGram {
  readonly opIndex: number;
  /** Reduction length plus one (the bias). */
  readonly size: number;
  /** size x size, row-major, symmetric; the last row and column belong to the constant 1. */
  readonly values: Float64Array;
  /** Rows summed (output positions x batch rows x calibration images). */
  readonly rows: number;
}

/** Adds v v^T over the nonzero entries `idx[0..nnz)` of v (upper triangle only). */
function addOuter(h: Float64Array, size: number, idx: Int32Array, val: Float64Array, nnz: number): void {
  for (let a = 0; a < nnz; a++) {
    const row = idx[a] * size;
    const va = val[a];
    for (let b = a; b < nnz; b++) h[row + idx[b]] += va * val[b];
  }
}

/**
 * The Gram matrix of `layer` (CONV_2D or FULLY_CONNECTED) over `activations`: each the bytes of the layer's
 * input tensor (int8) for one calibration image. Depthwise layers are refused (each channel has its own inputs).
 * @throws ModelError for a depthwise layer or an activation of the wrong size
 */
export function reductionGram(layer: PreparedWeighted, activations: readonly Uint8Array[]): ReductionGram {
  if (layer.kind === 'depthwise') throw new ModelError(`op ${layer.opIndex}: compensation of DEPTHWISE_CONV_2D layers is not supported`);
  const g = layer.geometry;
  const reduction = columnLength(layer);
  const size = reduction + 1;
  const inputBytes = g.n * (layer.kind === 'fc' ? g.c : g.h * g.w * g.c);
  const h = new Float64Array(size * size);
  const col = new Int32Array(reduction);
  const idx = new Int32Array(size);
  const val = new Float64Array(size);
  let rows = 0;
  // one row: the column's nonzero operands (ascending), then the constant 1 of the bias
  const visit = (): void => {
    let nnz = 0;
    for (let k = 0; k < reduction; k++) if (col[k] !== 0) (idx[nnz] = k), (val[nnz++] = col[k]);
    (idx[nnz] = reduction), (val[nnz++] = 1);
    addOuter(h, size, idx, val, nnz);
    rows++;
  };
  for (const act of activations) {
    if (act.length !== inputBytes) throw new ModelError(`op ${layer.opIndex}: calibration activation of ${act.length} bytes, expected ${inputBytes}`);
    forEachPosition(layer, new Int8Array(act.buffer, act.byteOffset, act.length), col, visit);
  }
  for (let a = 0; a < size; a++) for (let b = 0; b < a; b++) h[a * size + b] = h[b * size + a];
  return { opIndex: layer.opIndex, size, values: h, rows };
}
