/**
 * The layer emitters of sim-dse: baseline (CMSIS-NN-style library kernels,
 * weights as data), unpacked (weights as code constants, skip-aware) and
 * sparse (skip-aware loop over kept weight units, CONV_2D).
 */
import { emitBaselineLayer } from './baseline/emit.js';
import { baselineLibrarySources } from './baseline/library.js';
import type { LayerEmitters } from './network/assemble.js';
import { emitSparseLayer, hasSparsePath } from './sparse/emit.js';
import { emitUnpackedLayer } from './unpacked/emit.js';

/** The emitters every build uses. */
export function defaultEmitters(): LayerEmitters {
  return {
    baseline: emitBaselineLayer,
    unpacked: emitUnpackedLayer,
    sparse: (op, fn, mask) => (hasSparsePath(op) ? emitSparseLayer(op, fn, mask) : null),
    librarySources: baselineLibrarySources,
  };
}
