/**
 * Whole-firmware timings cached by content. A timing is a pure function of
 * the linked image's bytes (network, runtime and embedded test images), the
 * board profile and the cycle model (the emulator's code and the native
 * library's bytes), so a run
 * whose firmware phase meets an image timed before (a warm rerun, another
 * run directory, a second board's front sharing a point) reads the timing
 * instead of emulating every image again. An unreadable or malformed entry
 * is timed again and overwritten.
 */
import { createHash } from 'node:crypto';
import type { BoardProfile } from '../emulator/board.js';
import { cycleModelHash } from '../emulator/cycle-model-hash.js';
import { readJsonEntry, writeJsonEntry } from '../util/json-entries.js';
import type { FirmwareTiming } from './image-timing.js';

/** Cache key of timing `elf` on `board`. */
export function timingKey(elf: Uint8Array, board: BoardProfile): string {
  const h = createHash('sha256');
  for (const part of ['firmware-timing 1', cycleModelHash(), JSON.stringify(board)]) h.update(part).update('\0');
  return h.update(elf).digest('hex');
}

const isCount = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
const isCounts = (x: unknown, n: number): boolean => Array.isArray(x) && x.length === n && x.every(isCount);

/** Whether a parsed entry has the shape of a {@link FirmwareTiming}. */
export function isFirmwareTiming(x: FirmwareTiming): boolean {
  return (
    typeof x === 'object' && x !== null && typeof x.board === 'string' && isCount(x.images) && x.images > 0 && isCount(x.flashBytes) &&
    isCounts(x.inference, x.images) && Array.isArray(x.layers) && x.layers.every((l) => typeof l?.name === 'string' && isCounts(l.cycles, x.images))
  );
}

/** The cached timing of `key`, or null (none, unreadable or malformed). */
export function cachedTiming(key: string): FirmwareTiming | null {
  return readJsonEntry('firmware-timings', key, isFirmwareTiming);
}

/** Stores the timing of `key`. */
export function storeTiming(key: string, timing: FirmwareTiming): void {
  writeJsonEntry('firmware-timings', key, timing);
}
