/**
 * Latency and flash of one layer variant (a maskable layer compiled as
 * unpacked kernels with a given skip mask), the unit the DSE combines:
 * network latency = sum of its layers' variant cycles plus the fixed layers.
 * Each variant is compiled and emulated once and cached by content hash.
 */
import type { BoardProfile } from '../emulator/board.js';
import type { Graph, SkipMask } from '../model/ir.js';

/** What to cost. */
export interface VariantRequest {
  readonly graph: Graph;
  /** Operator index of a maskable layer. */
  readonly opIndex: number;
  /** Skip mask (null = exact). */
  readonly mask: SkipMask | null;
  readonly board: BoardProfile;
}

/** Cycles and flash of one layer variant on one board. */
export interface VariantCost {
  /** Cycles of one call of the layer function (warm caches), on the board. */
  readonly cycles: number;
  /** Flash bytes of the layer's code and constants (text + rodata of its object). */
  readonly flashBytes: number;
  /** Multiply-accumulate sites generated. */
  readonly sites: number;
}

/** Costs a layer variant (compiling and emulating it unless cached). */
export type VariantCoster = (request: VariantRequest) => Promise<VariantCost>;
