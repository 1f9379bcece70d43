/**
 * Whole-firmware timing: the board image of an exported project, built
 * through sim-dse's object cache exactly as the project's Makefile builds it
 * (same units, order, flags and linker script, so the same addresses), run
 * from reset in the emulator, its per-layer DWT measurements read from the
 * lines it prints. These are the cycles `sim-dse emulate-firmware` prints for
 * the exported project, image for image; the DSE stores them as the
 * prediction a board's measurements are validated against.
 */
import { parseElf } from '../emulator/elf.js';
import { compileAndLink } from '../kernels/compile/compile.js';
import { imageSizes } from '../kernels/compile/image-size.js';
import type { ElfImage } from '../emulator/elf.js';
import { isErrorKind, SimDseError } from '../util/errors.js';
import { emulateFirmwareImage } from './emulate.js';
import { boardImageInputs, type ProjectRequest } from './export.js';
import { readFirmwareRun } from './firmware-run.js';
import { cachedTiming, storeTiming, timingKey } from './timing-cache.js';

/** Test images an export embeds by default, and the images the DSE times its front points on. */
export const DEFAULT_FIRMWARE_IMAGES = 10;

/** Flash length the image is linked with before its size is checked against the board's (so an overflow links). */
const WIDE_FLASH = 64 * 1024 * 1024;

/** One layer's cycles in a firmware run, per embedded image. */
export interface LayerTiming {
  readonly name: string;
  /** Cycles of the layer in image i's timed inference. */
  readonly cycles: readonly number[];
}

/** What a firmware's emulated run measured. */
export interface FirmwareTiming {
  readonly board: string;
  /** Embedded images timed (the first N CIFAR-10 test images). */
  readonly images: number;
  readonly layers: readonly LayerTiming[];
  /** Cycles of each image's whole inference (the firmware's `image` lines). */
  readonly inference: readonly number[];
  /** Flash bytes of the whole firmware image (code, constants, images, .data). */
  readonly flashBytes: number;
}

/** A timed firmware, or why none could be timed. */
export type FirmwareTimingOutcome =
  | { readonly kind: 'timed'; readonly timing: FirmwareTiming }
  /** Not even one embedded image fits the board's flash beside the network. */
  | { readonly kind: 'too-large'; readonly reason: string };

/**
 * Times the firmware of `request`; when its images make it overflow the
 * board's flash, with as many of the first images as fit (the images are
 * linked last, so the network's timing does not change).
 */
export async function timeFittingFirmware(request: ProjectRequest): Promise<FirmwareTimingOutcome> {
  let images = request.images;
  for (;;) {
    try {
      return { kind: 'timed', timing: await timeFirmware({ ...request, images }) };
    } catch (err) {
      if (!isErrorKind(err, 'too-large') || err.data.region !== 'flash') throw err;
      const perImage = request.network.inputBytes + 1;
      // the bytes over, plus the images section's alignment (8)
      const fewer = images.inputs.length - Math.ceil((err.data.bytesOver + 8) / perImage);
      if (fewer < 1 || fewer >= images.inputs.length) return { kind: 'too-large', reason: err.message };
      images = { inputs: images.inputs.slice(0, fewer), labels: images.labels.slice(0, fewer) };
    }
  }
}

/** Bytes of flash an image loads: from the flash origin to the end of the last segment loaded there. */
function flashExtent(image: ElfImage, flashBase: number): number {
  let end = flashBase;
  for (const s of image.segments) if (s.paddr >= flashBase && s.paddr < flashBase + WIDE_FLASH) end = Math.max(end, s.paddr + s.data.length);
  return end - flashBase;
}

/**
 * Builds the board image of the project `request` describes (objects from
 * the cache where they exist) and times it in the emulator (or reads the
 * timing of the same image bytes, board and cycle model from the cache,
 * ./timing-cache.ts). The image is
 * linked with the flash opened wide (same origin, so the same addresses as
 * the project's own script) and then checked against the board's flash.
 * @throws SimDseError (`too-large`, with the bytes over) when it overflows the board's flash,
 *   (`compiler`) when it does not build, (`fault`) when the run faults
 */
export async function timeFirmware(request: ProjectRequest): Promise<FirmwareTiming> {
  const inputs = boardImageInputs(request, WIDE_FLASH);
  const board = request.board.profile;
  const { elf } = await compileAndLink({ sources: [...inputs.headers, ...inputs.units], board, linkScript: inputs.linkScript });
  const name = `firmware for ${board.id}`;
  const image = parseElf(elf, name);
  const flash = board.regions.find((r) => r.kind === 'flash')!;
  const used = flashExtent(image, flash.base);
  if (used > flash.size) {
    throw new SimDseError('too-large', `${name} needs ${used} bytes of flash, the board has ${flash.size} (${used - flash.size} over)`, {
      unit: name,
      region: 'flash',
      bytesOver: used - flash.size,
    });
  }
  const key = timingKey(elf, board);
  const cached = cachedTiming(key);
  if (cached !== null) return cached;
  const result = emulateFirmwareImage(image, board);
  if (result.kind === 'fault') throw new SimDseError('fault', `${name}: ${result.message}`, { unit: name, pc: result.pc, address: result.address });
  const run = readFirmwareRun(result.uart, board.id);
  const timing: FirmwareTiming = {
    board: board.id,
    images: run.images.length,
    layers: request.network.layerNames.map((layerName, k) => ({ name: layerName, cycles: run.images.map((m) => m.layers[k].cycles) })),
    inference: run.images.map((m) => m.cycles),
    flashBytes: imageSizes(image, 0).flash,
  };
  storeTiming(key, timing);
  return timing;
}
