/**
 * Where each operand of a maskable layer sits: the mapping between a weight's
 * storage index (the skip-mask index, see `SkipMask` in src/model/ir.ts) and
 * its (output channel, reduction index) pair, and the SMLAD operand pairs.
 *
 *  - CONV_2D (OHWI) and FULLY_CONNECTED ([O, I]): index = o * K + k, with
 *    k = (ky * KW + kx) * C + c (conv) or k = c (FC);
 *  - DEPTHWISE_CONV_2D (1HW(C*M)): index = r * OC + o, with r = ky * KW + kx,
 *    reading input channel floor(o / M).
 */
import type { PreparedWeighted } from '../../model/engine/prepare.js';

/** Kind of a maskable layer, as the engine prepares it. */
export type LayerKind = PreparedWeighted['kind'];

/** Operand layout of one maskable layer. */
export interface LayerLayout {
  readonly kind: LayerKind;
  /** Output channels. */
  readonly channels: number;
  /** Operands per output channel (the reduction length). */
  readonly reduction: number;
}

/** The layout of a prepared maskable layer. */
export function layoutOf(p: PreparedWeighted): LayerLayout {
  const g = p.geometry;
  const reduction = p.kind === 'fc' ? g.c : p.kind === 'depthwise' ? g.kh * g.kw : g.kh * g.kw * g.c;
  return { kind: p.kind, channels: g.oc, reduction };
}

/** Storage (mask) index of operand `k` of output channel `o`. */
export function operandIndex(layout: LayerLayout, o: number, k: number): number {
  return layout.kind === 'depthwise' ? k * layout.channels + o : o * layout.reduction + k;
}

/**
 * Reduction-index pairs of an SMLAD tile: operands (2p, 2p + 1) of a channel
 * are multiplied by one SMLAD; an odd reduction leaves the last operand alone.
 * Returns the partner's reduction index, or -1 when `k` has none.
 */
export function pairPartner(reduction: number, k: number): number {
  const partner = k ^ 1;
  return partner < reduction ? partner : -1;
}
