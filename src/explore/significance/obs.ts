/**
 * The `obs` metric's accumulator: keeps each calibration image's input
 * activation of a CONV_2D or FULLY_CONNECTED layer, then sums the layer's
 * Gram matrix, inverts it with the compensation's damping and ranks the
 * SMLAD pairs by their Optimal Brain Surgeon saliency after refitting
 * (src/model/compensation/saliency.ts), exactly as `--compensate` refits.
 */
import { DEFAULT_DAMPING, gramInverse, obsSaliency, reductionGram } from '../../model/compensation/index.js';
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { LayerAccumulator } from './accumulate.js';
import { layoutOf, pairPartner } from './layout.js';

/** The `obs` accumulator of a non-depthwise layer. */
export function obsAccumulator(p: PreparedWeighted): LayerAccumulator {
  const activations: Uint8Array[] = [];
  const layout = layoutOf(p);
  return {
    add(input) {
      activations.push(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    },
    finish() {
      const gram = reductionGram(p, activations);
      return obsSaliency(p, gramInverse(gram, DEFAULT_DAMPING), gram.rows, (k) => pairPartner(layout, k));
    },
  };
}
