import { operandIndex, type LayerSignificance, type ModelSignificance } from '../../src/explore/significance/index.js';

/** Values outside [0, 1], and the largest distance of a channel's sum from 1, over every layer. */
export function channelSums(s: ModelSignificance): { outOfRange: number; worst: number } {
  let outOfRange = 0;
  let worst = 0;
  for (const l of s.layers) {
    for (let o = 0; o < l.channels; o++) {
      let sum = 0;
      for (let k = 0; k < l.reduction; k++) {
        const v = l.values[operandIndex(l, o, k)];
        if (!(v >= 0 && v <= 1)) outOfRange++;
        sum += v;
      }
      worst = Math.max(worst, Math.abs(sum - 1));
    }
  }
  return { outOfRange, worst };
}

/** A toy layer for mask tests: 1x1 conv, op 4, 2 output x 5 input channels; weights at storage 1, 7 and 8 are zero. */
export const TOY_CONV: LayerSignificance = {
  opIndex: 4,
  kind: 'conv',
  channels: 2,
  reduction: 5,
  inputChannels: 5,
  weights: Int8Array.from([3, 0, 1, 2, -1, 1, 1, 0, 0, 4]),
  values: Float32Array.from([0.4, 0.1, 0.05, 0.3, 0.15, 0.002, 0.5, 0.2, 0.1, 0.198]),
};
