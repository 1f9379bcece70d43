/**
 * Whole-firmware timings of design points, indexed by what the firmware is
 * built from: the prepared graph, the point's masks, per-layer kernels and
 * placement, the embedded test images, the firmware board, the compiler and
 * its flags, the kernel C library, the generators' and the firmware
 * runtime's code, and the cycle model. The timing cache behind it
 * (src/firmware/timing-cache.ts) keys on the linked image, so each of its
 * hits still emitted the whole network's C on the run's main thread and
 * linked it (about 1 s of a warm LeNet run's 12 points); an index hit
 * builds nothing.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { cycleModelHash } from '../../emulator/cycle-model-hash.js';
import { FIRMWARE_C_DIR } from '../../firmware/export.js';
import type { FirmwareBoard } from '../../firmware/firmware-boards.js';
import type { FirmwareTimingOutcome } from '../../firmware/image-timing.js';
import type { EmbeddedImages } from '../../firmware/images-source.js';
import { isFirmwareTiming } from '../../firmware/timing-cache.js';
import { libraryHash } from '../../kernels/compile/compile.js';
import { CFLAGS, LDFLAGS, requireCompiler } from '../../kernels/compile/toolchain.js';
import type { KernelStyle } from '../../kernels/network/assemble.js';
import { formatPlacement, type Placement } from '../../kernels/placement/placement.js';
import type { PreparedGraph } from '../../model/engine/prepare.js';
import type { SkipMasks } from '../../model/ir.js';
import { hashCodeTree } from '../../util/code-hash.js';
import { hashedJson } from '../../util/hashed-json.js';
import { readJsonEntry, writeJsonEntry } from '../../util/json-entries.js';
import { generatorsHash } from './variant-index.js';

let firmwareMemo: string | undefined;

/** Hash of the firmware runtime: its generators' code and its C sources (read once per thread). */
function firmwareCodeHash(): string {
  if (firmwareMemo === undefined) {
    const h = createHash('sha256');
    hashCodeTree(h, fileURLToPath(new URL('../../firmware', import.meta.url)));
    hashCodeTree(h.update('c/'), FIRMWARE_C_DIR);
    firmwareMemo = h.digest('hex');
  }
  return firmwareMemo;
}

/** Hash of the embedded test images (inputs and labels). */
export function imagesHash(images: EmbeddedImages): string {
  const h = createHash('sha256');
  for (const x of images.inputs) h.update(x).update('\0');
  return h.update(JSON.stringify(images.labels)).digest('hex');
}

/** What a point's firmware is built from. */
export interface FirmwarePoint {
  readonly prepared: PreparedGraph;
  readonly masks: SkipMasks;
  readonly kernels: ReadonlyMap<number, KernelStyle>;
  readonly placement?: Placement;
  /** {@link imagesHash} of the embedded images. */
  readonly images: string;
  readonly board: FirmwareBoard;
}

/** Index key of a point's firmware timing. */
export function firmwareIndexKey(point: FirmwarePoint): string {
  const h = createHash('sha256');
  const masks = [...point.masks.entries()].sort((a, b) => a[0] - b[0]);
  const kernels = [...point.kernels.entries()].sort((a, b) => a[0] - b[0]);
  const parts = [
    'firmware-index 1',
    requireCompiler(),
    CFLAGS.join(' '),
    LDFLAGS.join(' '),
    libraryHash(),
    generatorsHash(),
    firmwareCodeHash(),
    cycleModelHash(),
    JSON.stringify(point.board),
    hashedJson(point.prepared),
    hashedJson(masks),
    JSON.stringify(kernels),
    point.placement && point.placement.size > 0 ? formatPlacement(point.placement) : 'flash',
    point.images,
  ];
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex');
}

/** Whether a parsed entry has the shape of a {@link FirmwareTimingOutcome}. */
function isOutcome(x: FirmwareTimingOutcome): boolean {
  if (typeof x !== 'object' || x === null) return false;
  return x.kind === 'timed' ? isFirmwareTiming(x.timing) : x.kind === 'too-large' && typeof x.reason === 'string';
}

/** The indexed outcome of `key`, or null (none, unreadable or malformed: timed again and overwritten). */
export function indexedFirmware(key: string): FirmwareTimingOutcome | null {
  return readJsonEntry('firmware-index', key, isOutcome);
}

/** Stores the outcome of `key`. */
export function storeFirmware(key: string, outcome: FirmwareTimingOutcome): void {
  writeJsonEntry('firmware-index', key, outcome);
}
