import { operandIndex, type ModelSignificance } from '../../src/explore/significance/index.js';

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
