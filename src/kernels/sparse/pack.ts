/**
 * Packs the kept units of each output channel pair into the word stream the
 * sparse kernel walks (src/kernels/c/snn_sparse_conv.h): blocks of three
 * words holding two units (weights w0, w1, then offsets off0 | off1 << 16),
 * an odd count padded with a unit of weights 0, and a terminating block whose
 * first offset is -1. Six bytes per unit, every load aligned. Pure.
 */
import { SimDseError } from '../../util/errors.js';
import type { SparseEntry } from './units.js';

/** Largest patch byte offset a unit may have (offsets are int16; -1 ends a list). */
export const MAX_UNIT_OFFSET = 32767;

/** The packed entries of a layer: all channel pairs' word streams, and where each starts. */
export interface PackedEntries {
  readonly words: Uint32Array;
  /** Word index of channel pair q's stream; `start[pairs]` = words.length. */
  readonly start: readonly number[];
  /** Words of the longest stream (the SRAM copy buffer's size). */
  readonly maxWords: number;
}

/** Words of one pair's stream: blocks of two units plus the end block. */
export function streamWords(units: number): number {
  return 3 * (Math.ceil(units / 2) + 1);
}

/** Packs the channel pairs' entries (see the module comment). */
export function packEntries(pairs: readonly (readonly SparseEntry[])[]): PackedEntries {
  const total = pairs.reduce((n, p) => n + streamWords(p.length), 0);
  const words = new Uint32Array(total);
  const start: number[] = [];
  let at = 0;
  let maxWords = 0;
  for (const entries of pairs) {
    start.push(at);
    for (let i = 0; i < entries.length; i += 2) {
      const a = entries[i];
      const b = entries[i + 1] ?? { offset: 0, word: 0 };
      for (const u of [a, b]) {
        if (u.offset < 0 || u.offset > MAX_UNIT_OFFSET || u.offset % 4 !== 0) {
          throw new SimDseError('kernels', `sparse unit offset ${u.offset} is not a word offset from 0 to ${MAX_UNIT_OFFSET}`);
        }
      }
      words[at] = a.word >>> 0;
      words[at + 1] = b.word >>> 0;
      words[at + 2] = (a.offset | (b.offset << 16)) >>> 0;
      at += 3;
    }
    words[at + 2] = 0xffff;
    at += 3;
    maxWords = Math.max(maxWords, streamWords(entries.length));
  }
  start.push(at);
  return { words, start, maxWords };
}
