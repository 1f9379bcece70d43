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
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BoardProfile } from '../emulator/board.js';
import { CYCLES_LIBRARY } from '../emulator/unicorn/ffi.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { cacheDir } from '../util/cache-dir.js';
import { hashCodeTree } from '../util/code-hash.js';
import type { FirmwareTiming } from './image-timing.js';

/** The emulator's code: decoding, timing tables and rules (src/emulator), beside the native library. */
const EMULATOR_DIR = fileURLToPath(new URL('../emulator', import.meta.url));

let cycleModel: string | undefined;

/** Hash of the cycle model, its code and the native library (read once per thread): a changed model never reads an old timing. */
function cycleModelHash(): string {
  if (cycleModel === undefined) {
    const h = createHash('sha256');
    hashCodeTree(h, EMULATOR_DIR);
    cycleModel = h.update(readFileSync(CYCLES_LIBRARY)).digest('hex');
  }
  return cycleModel;
}

/** Cache key of timing `elf` on `board`. */
export function timingKey(elf: Uint8Array, board: BoardProfile): string {
  const h = createHash('sha256');
  for (const part of ['firmware-timing 1', cycleModelHash(), JSON.stringify(board)]) h.update(part).update('\0');
  return h.update(elf).digest('hex');
}

const isCount = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
const isCounts = (x: unknown, n: number): boolean => Array.isArray(x) && x.length === n && x.every(isCount);

/** Whether a parsed entry has the shape of a {@link FirmwareTiming}. */
function isFirmwareTiming(x: FirmwareTiming): boolean {
  return (
    typeof x === 'object' && x !== null && typeof x.board === 'string' && isCount(x.images) && x.images > 0 && isCount(x.flashBytes) &&
    isCounts(x.inference, x.images) && Array.isArray(x.layers) && x.layers.every((l) => typeof l?.name === 'string' && isCounts(l.cycles, x.images))
  );
}

const entryPath = (key: string): string => join(cacheDir('firmware-timings', key.slice(0, 2)), `${key}.json`);

/** The cached timing of `key`, or null (none, unreadable or malformed). */
export function cachedTiming(key: string): FirmwareTiming | null {
  const path = entryPath(key);
  if (!existsSync(path)) return null;
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as FirmwareTiming;
    return isFirmwareTiming(entry) ? entry : null;
  } catch {
    return null;
  }
}

/** Stores the timing of `key`. */
export function storeTiming(key: string, timing: FirmwareTiming): void {
  writeFileAtomic(entryPath(key), JSON.stringify(timing) + '\n');
}
