/**
 * Packs the kept units of each output channel pair into the word stream the
 * sparse kernel walks (src/kernels/c/snn_sparse_conv.h): blocks of twelve
 * words holding eight units (weight words w0..w7, then int16 offsets
 * off0..off7), a count that is not a multiple of 8 padded with units of
 * weights 0 and offset 0, and a terminating block whose first offset is -1.
 * Six bytes per unit in flash, every load aligned; the kernel widens the
 * weights when it copies a pair's blocks to SRAM ({@link SRAM_BLOCK_WORDS}).
 * Pure.
 */
import { SimDseError } from '../../util/errors.js';
import type { HalfEntry, SparseEntry } from './units.js';

/** Largest patch byte offset a unit may have (offsets are int16; -1 ends a list). */
export const MAX_UNIT_OFFSET = 32767;

/** The packed entries of a layer: all channel pairs' word streams, and where each starts. */
export interface PackedEntries {
  readonly words: Uint32Array;
  /** Word index of channel pair q's stream; `start[pairs]` = words.length. */
  readonly start: readonly number[];
  /** Words of the longest stream. */
  readonly maxWords: number;
  /** Blocks (end block included) of the longest stream: the SRAM copy buffer holds that many {@link SRAM_BLOCK_WORDS}-word blocks. */
  readonly maxBlocks: number;
}

/** Units per block. */
export const BLOCK_UNITS = 8;

/** Words of one block in flash: eight weight words and eight int16 offsets. */
export const BLOCK_WORDS = 12;

/** Words of one block in the SRAM copy: each weight word widened to two (SXTB16, SXTB16 ROR #8), then the offsets. */
export const SRAM_BLOCK_WORDS = 20;

/**
 * Bytes from the pass loop's start to the code of unit slot k (1..7) of a
 * block: unit 0's code is 52 bytes, units 1 to 6's 56 each (the fixed
 * encodings of SNN_SPARSE_UNIT0 / SNN_SPARSE_UNIT in snn_sparse_conv.h). A
 * partial first block stores ~slotCodeBytes(k) as its first offset, and the
 * pass jumps there.
 */
export function slotCodeBytes(k: number): number {
  return 52 + 56 * (k - 1);
}

/** Words of one pair's stream: blocks of eight units plus the end block. */
export function streamWords(units: number): number {
  return BLOCK_WORDS * (Math.max(1, Math.ceil(units / BLOCK_UNITS)) + 1);
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
    // the first block's empty slots (a count not a multiple of 8; one zero unit for an empty pair) come first
    const first = entries.length === 0 ? 1 : ((entries.length - 1) % BLOCK_UNITS) + 1;
    const skip = BLOCK_UNITS - first;
    const slots: (SparseEntry | null)[] = [...new Array<null>(skip).fill(null), ...(entries.length === 0 ? [{ offset: 0, word: 0 }] : entries)];
    for (let i = 0; i < slots.length; i += BLOCK_UNITS) {
      for (let k = 0; k < BLOCK_UNITS; k++) {
        const u = slots[i + k];
        if (u === null) continue;
        if (u.offset < 0 || u.offset > MAX_UNIT_OFFSET || u.offset % 4 !== 0) {
          throw new SimDseError('kernels', `sparse unit offset ${u.offset} is not a word offset from 0 to ${MAX_UNIT_OFFSET}`);
        }
        words[at + k] = u.word >>> 0;
        words[at + BLOCK_UNITS + (k >> 1)] |= u.offset << (16 * (k & 1));
      }
      if (i === 0 && skip > 0) words[at + BLOCK_UNITS] |= ~slotCodeBytes(skip) & 0xffff;
      at += BLOCK_WORDS;
    }
    words[at + BLOCK_UNITS] = 0xffff;
    at += BLOCK_WORDS;
    maxWords = Math.max(maxWords, streamWords(entries.length));
  }
  start.push(at);
  return { words, start, maxWords, maxBlocks: maxWords / BLOCK_WORDS };
}

/** The packed half units of a layer: one list per channel (2q, then 2q + 1, per pair), and where each starts. */
export interface PackedHalves {
  readonly words: Uint32Array;
  /** Word index of list k (channel pair k >> 1, its channel k & 1); `start[2 * pairs]` = words.length. */
  readonly start: readonly number[];
}

/**
 * Packs half-unit lists for SNN_SPARSE_HALF_PASS: per list the first unit's
 * patch byte offset, then per unit its weight word and the next unit's offset,
 * the last "next offset" -1 (0xffffffff, which carries out of the pass's ADDS
 * and ends the list); an odd count gets a last unit of weight 0 at offset 0
 * (the pass runs two units per iteration); an empty list is that -1 alone.
 */
export function packHalves(halves: readonly (readonly [readonly HalfEntry[], readonly HalfEntry[]])[]): PackedHalves {
  const lists = halves.flatMap((h) => [h[0], h[1]]);
  const words = new Uint32Array(lists.reduce((n, l) => n + 2 * (l.length + (l.length % 2)) + 1, 0));
  const start: number[] = [];
  let at = 0;
  for (const list of lists) {
    start.push(at);
    for (const u of list.length % 2 === 1 ? [...list, { offset: 0, word: 0 }] : list) {
      if (u.offset < 0 || u.offset > MAX_UNIT_OFFSET || u.offset % 4 !== 0) {
        throw new SimDseError('kernels', `sparse unit offset ${u.offset} is not a word offset from 0 to ${MAX_UNIT_OFFSET}`);
      }
      words[at++] = u.offset;
      words[at++] = u.word >>> 0;
    }
    words[at++] = 0xffffffff;
  }
  start.push(at);
  return { words, start };
}
