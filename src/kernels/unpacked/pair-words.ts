/**
 * The SMLAD operands of an unpacked layer at pair granularity: for every
 * output channel, its kept weights grouped by word-aligned pairs of patch
 * elements (offsets 2k, 2k + 1). A pair with one kept weight still costs one
 * SMLAD (its other half is 0); a pair costs nothing only when both weights
 * are skipped or zero. Pure: no I/O.
 */
import type { ChannelSites } from './sites.js';
import { pairConstant } from './reduction-c.js';

/** One SMLAD of a channel: patch word `index` (elements 2 index, 2 index + 1) times a packed weight pair. */
export interface PairWord {
  /** Patch word index (element offset / 2). */
  readonly index: number;
  /** Weight at the lower element in the bottom halfword, at the upper one in the top (see {@link pairConstant}). */
  readonly word: number;
}

/** The pair words of one channel, in increasing index order (sites must be sorted by offset, as channelSites gives them). */
export function pairWords(ch: ChannelSites): PairWord[] {
  const out: PairWord[] = [];
  for (let i = 0; i < ch.sites.length; i++) {
    const s = ch.sites[i];
    const index = s.offset >> 1;
    if (s.offset % 2 === 1) {
      out.push({ index, word: pairConstant(0, s.weight) });
      continue;
    }
    const next = ch.sites[i + 1];
    if (next !== undefined && next.offset === s.offset + 1) {
      out.push({ index, word: pairConstant(s.weight, next.weight) });
      i++;
    } else out.push({ index, word: pairConstant(s.weight, 0) });
  }
  return out;
}
