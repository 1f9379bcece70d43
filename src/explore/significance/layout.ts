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
  /** Input channels C read per tap (the reduction length for FC). */
  readonly inputChannels: number;
}

/** The layout of a prepared maskable layer. */
export function layoutOf(p: PreparedWeighted): LayerLayout {
  const g = p.geometry;
  const reduction = p.kind === 'fc' ? g.c : p.kind === 'depthwise' ? g.kh * g.kw : g.kh * g.kw * g.c;
  return { kind: p.kind, channels: g.oc, reduction, inputChannels: g.c };
}

/** Storage (mask) index of operand `k` of output channel `o`. */
export function operandIndex(layout: LayerLayout, o: number, k: number): number {
  return layout.kind === 'depthwise' ? k * layout.channels + o : o * layout.reduction + k;
}

/**
 * SMLAD operand pairs, as the unpacked kernels form them: two operands are
 * paired when they are adjacent 16-bit elements of the input patch with the
 * first at an even offset, i.e. input channels (2p, 2p + 1) of one tap
 * (CONV_2D) or inputs (2p, 2p + 1) (FULLY_CONNECTED); an odd channel count
 * leaves the last channel of each tap alone. When C is even this is the
 * reduction-index pairing (2p, 2p + 1). Depthwise operands of one channel
 * are never adjacent in the patch, so they have no partner.
 * Returns the partner's reduction index, or -1 when `k` has none.
 */
export function pairPartner(layout: LayerLayout, k: number): number {
  if (layout.kind === 'depthwise') return -1;
  const c = k % layout.inputChannels;
  if (c % 2 === 1) return k - 1;
  return c + 1 < layout.inputChannels ? k + 1 : -1;
}
