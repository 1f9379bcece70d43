/**
 * Per-channel requantization parameters of a weighted layer, and the output
 * of a channel without multiply-accumulate sites. Shared by the C and asm
 * forms of the unpacked generator. Pure.
 */
import { multiplyByQuantizedMultiplier } from '../../model/engine/fixed-point.js';
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import { weakMemo } from '../../util/weak-memo.js';
import { type ChannelRequant, fastRequantFits } from './reduction-c.js';
import { type ChannelSites, type PatchStrides, channelSites } from './sites.js';

/** Requantization of output channel `ch`. */
export function requantOf(op: PreparedWeighted, ch: number): ChannelRequant {
  const r = op.requant;
  return { multiplier: r.multiplier[ch], shift: r.shift[ch], outZp: r.outZp, actMin: r.actMin, actMax: r.actMax };
}

/** Output value of a channel without sites: requantized folded bias, the same at every position. */
export function constantOutput(ch: ChannelSites, q: ChannelRequant): number {
  const v = multiplyByQuantizedMultiplier(ch.foldedBias, q.multiplier, q.shift) + q.outZp;
  return v < q.actMin ? q.actMin : v > q.actMax ? q.actMax : v;
}

const anyMaskFast = weakMemo<PreparedWeighted, readonly boolean[]>();

/**
 * Per output channel, whether the short requantization is exact under every skip mask:
 * |bias| + (|inZp| + 128) * (sum of |w| over all the channel's weights) bounds
 * |folded bias| + 128 * (sum of |w| over the kept ones) for any kept subset, so the
 * choice, and the C that depends on it, does not change with the mask. Once per layer
 * (the strides only place the sites, which the bound does not read).
 */
export function fastRequantAnyMask(op: PreparedWeighted, strides: PatchStrides): readonly boolean[] {
  return anyMaskFast(op, () =>
    channelSites(op, undefined, strides).map((ch) => {
      let sum = 0;
      for (const s of ch.sites) sum += Math.abs(s.weight);
      return fastRequantFits(Math.abs(op.bias[ch.channel]) + (Math.abs(op.inZp) + 128) * sum, requantOf(op, ch.channel));
    }),
  );
}
