/**
 * The fit check that runs before anything is compiled: flash and SRAM of a
 * network image estimated from its generated sources alone, and a verdict
 * against the board that refuses only what cannot fit even at the estimate's
 * largest measured overestimate (so a variant that would fit is never
 * refused, and one that cannot is never compiled).
 *
 * Flash, per translation unit:
 *  - an unpacked layer in assembly: the byte estimate its planner writes in
 *    the unit's header (4 bytes per instruction, its weight tables, its
 *    output stores);
 *  - any other unit: its `static const` tables (elements x element size)
 *    plus {@link UNIT_CODE_BYTES} of code;
 *  plus {@link RUNTIME_FLASH_BYTES} for the vector table, startup, C
 *  library and the shared parts of the kernel library the link adds.
 * SRAM: the static activation arena, the layers' scratch, the input and
 * output buffers of an inference, and the stack the call harness keeps free
 * ({@link STACK_RESERVE}); these are exact (they are sizes the planner fixes),
 * only .data of the library is left out (a few bytes).
 *
 * Calibration (bench/fit-estimate.bench.mjs, bench/RESULTS.md): the
 * estimate against the linked image's flash for LeNet, ResNet-8 and the two
 * generated models, baseline and unpacked, exact and masked; the ratio
 * estimate / built lies within [{@link ESTIMATE_RATIO.min}, {@link ESTIMATE_RATIO.max}].
 */
import type { BoardProfile } from '../../emulator/board.js';
import { STACK_RESERVE } from '../../emulator/machine.js';
import { memoryOf } from '../../emulator/memory-map.js';
import { SimDseError } from '../../util/errors.js';
import type { CSource } from '../compile/compile.js';
import type { NetworkSource } from './assemble.js';
import { inferenceBuffers } from './build.js';

/** Code bytes assumed per non-assembly translation unit beside its constant tables (calibrated). */
export const UNIT_CODE_BYTES = 384;

/**
 * Flash the link adds beside the units: vector table, startup, libgcc/libc pieces and the kernel
 * library's shared code (requantization, dot-product loops), which its C units, counted at
 * {@link UNIT_CODE_BYTES} each, leave out. Calibrated: 2,048 until issue 13's larger kernel library
 * left every baseline image 10 to 13 KB underestimated (bench/RESULTS.md, "Pre-compile fit estimate").
 */
export const RUNTIME_FLASH_BYTES = 12288;

/**
 * Range of estimate / built flash measured over the calibration set
 * (bench/fit-estimate.bench.mjs: LeNet, ResNet-8, the generated 128x128
 * MobileNet-style model and ResNet-14, baseline and unpacked, 0 and 50 %
 * skipped: 0.790 .. 1.002). A variant is refused before compiling only when
 * its estimate divided by `max` still exceeds the board's flash; `min` only
 * decides the "fits without linking" verdict. The lowest ratio is the small
 * MobileNet-style unpacked image, whose stem and depthwise units are mostly
 * code the estimate counts per instruction.
 */
export const ESTIMATE_RATIO = { min: 0.75, max: 1.05 } as const;

const ELEMENT_BYTES: Record<string, number> = { int8_t: 1, uint8_t: 1, char: 1, int16_t: 2, uint16_t: 2, int32_t: 4, uint32_t: 4, float: 4 };

/** Estimated flash bytes of one translation unit (see the module comment). */
export function unitFlashEstimate(source: CSource): number {
  const header = /estimate \d+ cycles, (\d+) bytes/.exec(source.code.slice(0, 600));
  if (header) return Number(header[1]);
  let bytes = UNIT_CODE_BYTES;
  for (const m of source.code.matchAll(/static const (?:unsigned |signed )?(\w+) \w+\[(\d+)\]/g)) bytes += (ELEMENT_BYTES[m[1]] ?? 4) * Number(m[2]);
  return bytes;
}

/** A network image's estimated sizes. */
export interface SizeEstimate {
  /** Estimated flash bytes of the image. */
  readonly flash: number;
  /** SRAM an inference needs: arena + scratch + input/output buffers + stack reserve. */
  readonly sram: number;
  readonly arena: number;
  readonly scratch: number;
  readonly buffers: number;
  readonly stack: number;
}

/** Sizes of a network image estimated from its sources (nothing compiled). */
export function estimateNetworkSize(source: NetworkSource): SizeEstimate {
  const flash = RUNTIME_FLASH_BYTES + source.sources.reduce((s, u) => s + unitFlashEstimate(u), 0);
  const arena = source.plan.arenaBytes;
  const buffers = inferenceBuffers(source.plan);
  const stack = STACK_RESERVE;
  return { flash, sram: arena + source.scratchBytes + buffers + stack, arena, scratch: source.scratchBytes, buffers, stack };
}

/** The verdict of the pre-compile fit check. */
export type FitVerdict =
  | { readonly fits: 'yes' | 'maybe' }
  | { readonly fits: 'no'; readonly reason: string; readonly region: 'flash' | 'sram'; readonly bytesOver: number };

/**
 * Checks an estimate against the board: `no` (with the reason) when the SRAM
 * an inference needs exceeds the SRAM, or when even the smallest flash the
 * estimate allows (estimate / {@link ESTIMATE_RATIO.max}) exceeds the flash;
 * `yes` when the largest flash it allows (estimate / min) fits; else `maybe`
 * (compile and link to know).
 */
export function fitVerdict(estimate: SizeEstimate, board: BoardProfile): FitVerdict {
  const { flash, sram } = memoryOf(board);
  if (estimate.sram > sram.size) {
    return {
      fits: 'no',
      region: 'sram',
      bytesOver: estimate.sram - sram.size,
      reason: `an inference needs ${estimate.sram} bytes of SRAM (arena ${estimate.arena}, scratch ${estimate.scratch}, input/output ${estimate.buffers}, stack ${estimate.stack}), ${board.id} has ${sram.size}`,
    };
  }
  const least = Math.floor(estimate.flash / ESTIMATE_RATIO.max);
  if (least > flash.size) {
    return { fits: 'no', region: 'flash', bytesOver: least - flash.size, reason: `estimated ${estimate.flash} bytes of flash (at least ${least} after the estimate's largest measured overshoot), ${board.id} has ${flash.size}` };
  }
  return { fits: Math.ceil(estimate.flash / ESTIMATE_RATIO.min) <= flash.size ? 'yes' : 'maybe' };
}

/**
 * Refuses, before compiling, a network image that cannot fit the board.
 * @throws SimDseError (kind `too-large`), one line naming what does not fit
 */
export function checkFitBeforeCompile(source: NetworkSource, board: BoardProfile, what: string): SizeEstimate {
  const estimate = estimateNetworkSize(source);
  const v = fitVerdict(estimate, board);
  if (v.fits === 'no') throw new SimDseError('too-large', `${what} cannot fit ${board.id} (checked before compiling): ${v.reason}`, { unit: what, region: v.region, bytesOver: v.bytesOver });
  return estimate;
}
