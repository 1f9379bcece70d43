/**
 * The shapes of generated code the unpacked generator can emit. Each is exact
 * (bit-identical outputs); they differ only in cycles, flash and compile time.
 * The default is the fastest on the cycle model (measurements in README.md).
 */
import { SimDseError } from '../../util/errors.js';

/** How one weight becomes instructions. */
export type MacForm =
  /** `acc += x[off] * W` on an int8 patch: gcc strength-reduces the constant (add/sub/shift, or MOV + MLA). */
  | 'mla'
  /** Adjacent kept weights packed into one 32-bit constant, SMLAD on a 16-bit patch; lone weights as `mla`. */
  | 'smlad';

/** Which function holds the straight-line code. */
export type CodeSplit =
  /** One function per output channel, each looping over the output positions. */
  | 'channel'
  /** One function: a loop over output positions with every channel's reduction inside. */
  | 'layer';

/** One structure of generated code. */
export interface UnpackedStructure {
  readonly mac: MacForm;
  /**
   * Output positions (adjacent columns) computed per pass of the straight-line
   * code: each weight constant is materialised once and used for all of them.
   */
  readonly positions: 1 | 2 | 4;
  readonly split: CodeSplit;
}

/** The structure the generator uses unless told otherwise: the fastest by the cycle model. */
export const DEFAULT_UNPACKED_STRUCTURE: UnpackedStructure = { mac: 'smlad', positions: 2, split: 'channel' };

/** Every structure, for measurements. */
export const ALL_UNPACKED_STRUCTURES: readonly UnpackedStructure[] = (['mla', 'smlad'] as const).flatMap((mac) =>
  ([1, 2, 4] as const).flatMap((positions) => (['channel', 'layer'] as const).map((split) => ({ mac, positions, split }))),
);

/** Short name of a structure, e.g. `smlad-p2-channel`. */
export function structureName(s: UnpackedStructure): string {
  return `${s.mac}-p${s.positions}-${s.split}`;
}

/** Checks a structure given at run time (e.g. from a config file). */
export function checkStructure(s: UnpackedStructure): UnpackedStructure {
  if ((s.mac !== 'mla' && s.mac !== 'smlad') || ![1, 2, 4].includes(s.positions) || (s.split !== 'channel' && s.split !== 'layer')) {
    throw new SimDseError('kernels', `unknown unpacked structure ${JSON.stringify(s)} (mac mla|smlad, positions 1|2|4, split channel|layer)`);
  }
  return s;
}
