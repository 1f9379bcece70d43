/**
 * The fit check that runs before anything is compiled: flash and SRAM of a
 * network image estimated from its generated sources alone, and a verdict
 * against the board that refuses only what cannot fit even at the estimate's
 * largest measured overestimate (so a variant that would fit is never
 * refused, and one that cannot is never compiled).
 *
 * Flash, per translation unit:
 *  - an unpacked layer in assembly: the byte estimate its planner writes in
 *    the header of the unit's assembly (4 bytes per instruction, its weight tables, its
 *    output stores);
 *  - any other unit: its `static const` tables (elements x element size)
 *    and its assembly's tables (`.size` of each), plus its code: the bytes its opening comment states as `flash estimate:
 *    N bytes of code` (a depthwise layer unit that brings the plane path's
 *    code), else {@link CODE_BYTES_PER_STATEMENT} per C statement of its
 *    function bodies (so the kernel library's large hand-unrolled units count
 *    for what they are), at least {@link UNIT_CODE_BYTES};
 *  plus {@link RUNTIME_FLASH_BYTES} for the vector table, startup and C
 *  library the link adds.
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

/** Least code bytes assumed per non-assembly translation unit beside its constant tables. */
export const UNIT_CODE_BYTES = 32;

/**
 * Code bytes per C statement of a non-assembly unit (calibrated on the
 * kernel library: 23,248 bytes of text and .rodata for 954 statements in
 * function bodies with arm-none-eabi-gcc 12.2 -O2, 24.4 per statement).
 */
export const CODE_BYTES_PER_STATEMENT = 24;

/** Flash the link adds beside the units: vector table, startup, libgcc/libc pieces (calibrated). */
export const RUNTIME_FLASH_BYTES = 1024;

/**
 * Range of estimate / built flash measured over the calibration set
 * (bench/fit-estimate.bench.mjs: 0.869 .. 1.021 on 2026-12-06 over LeNet,
 * ResNet-8, the generated 128x128 MobileNet-style model and ResNet-14, with
 * margin).
 * A variant is refused before compiling only when its estimate divided by
 * `max` (the most the estimate may overshoot) still exceeds the board's
 * flash; it is said to fit without linking only when estimate / `min` fits.
 */
export const ESTIMATE_RATIO = { min: 0.8, max: 1.05 } as const;

const ELEMENT_BYTES: Record<string, number> = { int8_t: 1, uint8_t: 1, char: 1, int16_t: 2, uint16_t: 2, int32_t: 4, uint32_t: 4, float: 4 };

/** Estimated flash bytes of one translation unit (see the module comment). */
export function unitFlashEstimate(source: CSource): number {
  const header = /estimate \d+ cycles, (\d+) bytes/.exec((source.assembly ?? source.code).slice(0, 600));
  if (header) return Number(header[1]);
  const stated = /flash estimate: (\d+) bytes of code/.exec(source.code.slice(0, 600));
  let bytes = stated ? Number(stated[1]) : Math.max(UNIT_CODE_BYTES, CODE_BYTES_PER_STATEMENT * statementCount(source.code));
  for (const m of source.code.matchAll(/static const (?:unsigned |signed )?(\w+) \w+\[(\d+)\]/g)) bytes += (ELEMENT_BYTES[m[1]] ?? 4) * Number(m[2]);
  return bytes + (source.assembly === undefined ? 0 : assemblyTableBytes(source.assembly));
}

/** Bytes of the tables an assembly unit declares with `.size name, N` (its `%object` symbols). */
export function assemblyTableBytes(assembly: string): number {
  let bytes = 0;
  for (const m of assembly.matchAll(/^\s*\.size \w+, (\d+)$/gm)) bytes += Number(m[1]);
  return bytes;
}

/**
 * The statements of C source that compile to code: the `;` inside function
 * bodies (a top-level `{` after `)`), comments, string and character literals
 * left out, so constant tables and their initializers do not count.
 */
export function statementCount(code: string): number {
  const text = code.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, ' ');
  const [OPEN, CLOSE, SEMI, PAREN] = [123, 125, 59, 41]; // { } ; )
  let n = 0;
  let depth = 0;
  let inBody = false;
  let last = 0; // the last character that is not white space
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN) {
      if (depth === 0) inBody = last === PAREN;
      depth++;
    } else if (c === CLOSE) {
      depth = Math.max(0, depth - 1);
    } else if (c === SEMI && depth > 0 && inBody) {
      n++;
    }
    if (c > 32) last = c;
  }
  return n;
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
  // a header's code is counted in the units that include it
  const flash = RUNTIME_FLASH_BYTES + source.sources.reduce((s, u) => s + (u.name.endsWith('.h') ? 0 : unitFlashEstimate(u)), 0);
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
  const { sram } = memoryOf(board);
  if (estimate.sram > sram.size) {
    return {
      fits: 'no',
      region: 'sram',
      bytesOver: estimate.sram - sram.size,
      reason: `an inference needs ${estimate.sram} bytes of SRAM (arena ${estimate.arena}, scratch ${estimate.scratch}, input/output ${estimate.buffers}, stack ${estimate.stack}), ${board.id} has ${sram.size}`,
    };
  }
  return flashVerdict(estimate.flash, board);
}

/** The flash half of {@link fitVerdict}: an image estimated at `flashEstimate` bytes against the board's flash. */
export function flashVerdict(flashEstimate: number, board: BoardProfile): FitVerdict {
  const { flash } = memoryOf(board);
  const least = Math.floor(flashEstimate / ESTIMATE_RATIO.max);
  if (least > flash.size) {
    return { fits: 'no', region: 'flash', bytesOver: least - flash.size, reason: `estimated ${flashEstimate} bytes of flash (at least ${least} after the estimate's largest measured overshoot), ${board.id} has ${flash.size}` };
  }
  return { fits: Math.ceil(flashEstimate / ESTIMATE_RATIO.min) <= flash.size ? 'yes' : 'maybe' };
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
