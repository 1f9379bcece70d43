/**
 * The exact references of the emulated provider (whole baseline, unpacked and
 * sparse networks compiled and emulated, and what a point's sum of layers
 * adds to them), cached by what they are computed from: the prepared graph,
 * the representative input, the board, the compiler and its flags, the
 * kernel C library, the generators' code and the cycle model. A warm run then
 * reads one small file instead of emitting, linking and emulating three whole
 * networks on its main thread (about 1.5 s of a warm LeNet run).
 */
import { createHash } from 'node:crypto';
import type { BoardProfile } from '../../emulator/board.js';
import { cycleModelHash } from '../../emulator/cycle-model-hash.js';
import { libraryHash } from '../../kernels/compile/compile.js';
import { CFLAGS, LDFLAGS, requireCompiler } from '../../kernels/compile/toolchain.js';
import type { PreparedGraph } from '../../model/engine/prepare.js';
import { hashedJson } from '../../util/hashed-json.js';
import { readJsonEntry, writeJsonEntry } from '../../util/json-entries.js';
import type { Cost, ReferenceCost } from './latency-types.js';
import { generatorsHash } from './variant-index.js';

/** The exact references and the fixed parts of every point (see emulated-latency.ts). */
export interface ExactReferences {
  readonly baseline: Cost;
  readonly unpackedExact: ReferenceCost;
  /** Cycles of the runtime and fixed layers beyond the maskable layers timed alone. */
  readonly overhead: number;
  /** Flash bytes of the image besides the maskable layers. */
  readonly baseFlash: number;
  /** Flash bytes of the kernel library's code. */
  readonly libraryFlash: number;
  /** SRAM bytes besides the scratch buffer and anything placed (arena, stack, buffers). */
  readonly fixedSram: number;
}

/** Index key of the references of `prepared` on `board`, timed on `input`. */
export function referencesKey(prepared: PreparedGraph, input: Uint8Array, board: BoardProfile): string {
  const h = createHash('sha256');
  const parts = ['references 1', requireCompiler(), CFLAGS.join(' '), LDFLAGS.join(' '), libraryHash(), generatorsHash(), cycleModelHash(), JSON.stringify(board), hashedJson(prepared)];
  for (const part of parts) h.update(part).update('\0');
  return h.update(input).digest('hex');
}

const isCount = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
const isCost = (c: Cost | undefined): boolean => typeof c === 'object' && c !== null && isCount(c.cycles) && isCount(c.flashBytes);

/** Whether a parsed entry has the shape of {@link ExactReferences}. */
function isReferences(x: ExactReferences): boolean {
  const unpacked = x?.unpackedExact as (Cost & { built?: false; flashEstimate?: number }) | undefined;
  const unpackedOk = unpacked !== undefined && (unpacked.built === false ? isCount(unpacked.flashEstimate) : isCost(unpacked));
  return typeof x === 'object' && x !== null && isCost(x.baseline) && unpackedOk && Number.isInteger(x.overhead) && Number.isInteger(x.baseFlash) && isCount(x.libraryFlash) && isCount(x.fixedSram);
}

/** The indexed references of `key`, or null (none, unreadable or malformed: computed again and overwritten). */
export function indexedReferences(key: string): ExactReferences | null {
  return readJsonEntry('references', key, isReferences);
}

/** Stores the references of `key`. */
export function storeReferences(key: string, references: ExactReferences): void {
  writeJsonEntry('references', key, references);
}
