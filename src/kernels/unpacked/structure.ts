/**
 * The shapes of generated code the unpacked generator can emit. Each is exact
 * (bit-identical outputs); they differ only in cycles, flash and compile time.
 * Unless told otherwise the generator picks an `asm` structure per layer
 * (choose.ts); measurements in README.md.
 */
import { SimDseError } from '../../util/errors.js';

/** How one weight becomes instructions. */
export type MacForm =
  /** C: `acc += x[off] * W` on an int8 patch: gcc strength-reduces the constant (add/sub/shift, or MOV + MLA). */
  | 'mla'
  /** C: adjacent kept weights packed into one 32-bit constant, SMLAD on a 16-bit patch; lone weights as `mla`. */
  | 'smlad'
  /** Hand-scheduled Thumb-2 (asm-schedule.ts): one SMLAD per kept weight pair, G channels x P positions per pass. */
  | 'asm';

/** Which function holds the straight-line code (C forms; `asm` is always one function per channel group). */
export type CodeSplit =
  /** One function per output channel (per group of `channels` for `asm`), each called per pass. */
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
  readonly positions: 1 | 2 | 3 | 4;
  readonly split: CodeSplit;
  /** `asm` only: output channels per pass (each loaded input word feeds all of them); default 1. */
  readonly channels?: 1 | 2 | 3 | 4;
}

/** The C structure measured fastest before the asm form (README.md); the asm form is chosen per layer. */
export const DEFAULT_UNPACKED_STRUCTURE: UnpackedStructure = { mac: 'smlad', positions: 2, split: 'channel' };

/** The `asm` structures: G channels x P positions that leave operand registers (G x P <= 8, see asm-schedule.ts). */
export const ASM_STRUCTURES: readonly UnpackedStructure[] = [
  { mac: 'asm', positions: 1, split: 'channel', channels: 4 },
  { mac: 'asm', positions: 2, split: 'channel', channels: 2 },
  { mac: 'asm', positions: 2, split: 'channel', channels: 3 },
  { mac: 'asm', positions: 2, split: 'channel', channels: 4 },
  { mac: 'asm', positions: 3, split: 'channel', channels: 2 },
  { mac: 'asm', positions: 4, split: 'channel', channels: 1 },
  { mac: 'asm', positions: 4, split: 'channel', channels: 2 },
];

/** Every structure, for measurements. */
export const ALL_UNPACKED_STRUCTURES: readonly UnpackedStructure[] = [
  ...(['mla', 'smlad'] as const).flatMap((mac) =>
    ([1, 2, 4] as const).flatMap((positions) => (['channel', 'layer'] as const).map((split) => ({ mac, positions, split }))),
  ),
  ...ASM_STRUCTURES,
];

/** Short name of a structure, e.g. `smlad-p2-channel` or `asm-g4-p2`. */
export function structureName(s: UnpackedStructure): string {
  return s.mac === 'asm' ? `asm-g${s.channels ?? 1}-p${s.positions}` : `${s.mac}-p${s.positions}-${s.split}`;
}

/** Checks a structure given at run time (e.g. from a config file). */
export function checkStructure(s: UnpackedStructure): UnpackedStructure {
  const macOk = s.mac === 'mla' || s.mac === 'smlad' || s.mac === 'asm';
  const channelsOk = s.channels === undefined || (s.mac === 'asm' && [1, 2, 3, 4].includes(s.channels));
  if (!macOk || ![1, 2, 4, ...(s.mac === 'asm' ? [3] : [])].includes(s.positions) || (s.split !== 'channel' && s.split !== 'layer') || !channelsOk) {
    throw new SimDseError(
      'kernels',
      `unknown unpacked structure ${JSON.stringify(s)} (mac mla|smlad|asm, positions 1|2|4 (3 for asm), split channel|layer, channels 1-4 for asm)`,
    );
  }
  return s;
}
