/**
 * The layer emitters of sim-dse: baseline (CMSIS-NN-style library kernels,
 * weights as data) and unpacked (weights as code constants, skip-aware).
 */
import { emitBaselineLayer } from './baseline/emit.js';
import { baselineLibrarySources } from './baseline/library.js';
import type { LayerEmitters } from './network/assemble.js';
import { emitUnpackedLayer } from './unpacked/emit.js';

/** The emitters every build uses. */
export function defaultEmitters(): LayerEmitters {
  return {
    baseline: emitBaselineLayer,
    unpacked: emitUnpackedLayer,
    librarySources: baselineLibrarySources,
  };
}
