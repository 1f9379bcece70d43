/**
 * Per-channel requantization parameters of a weighted layer, and the output
 * of a channel without multiply-accumulate sites. Shared by the C and asm
 * forms of the unpacked generator. Pure.
 */
import { multiplyByQuantizedMultiplier } from '../../model/engine/fixed-point.js';
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { ChannelRequant } from './reduction-c.js';
import type { ChannelSites } from './sites.js';

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
