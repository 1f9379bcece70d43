/**
 * The skip units of the sparse (skip-aware loop) kernel and the patch they
 * read. A unit is two output channels (2q, 2q + 1) times two input channels
 * (2p, 2p + 1) of one kernel tap of a CONV_2D: the four weights one SMLAD
 * per output channel consumes. The kernel keeps a unit unless all four of
 * its weights are skipped or zero, so a mask saves cycles in proportion to
 * the units it skips whole (the `sparse` mask granularity, and
 * {@link randomSparseMask}, skip whole units). Pure: no I/O.
 *
 * The patch is the layer input, zero-point subtracted, as int16 with the
 * padding (value 0, which is what a padded tap contributes in TFLite) laid
 * out around it: `rows` x `cols` pixels of `pixelElements` int16 each (the
 * input channels rounded up to even, the extra channel 0).
 */
import { xorshift32 } from '../../util/xorshift.js';
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import type { SkipMask } from '../../model/ir.js';
import { SimDseError } from '../../util/errors.js';

/** Output positions one pass of the kernel computes (one output row, adjacent columns). */
export const SPARSE_POSITIONS = 4;

/** The operand layout the unit grouping needs: output channels, operands per channel, input channels per tap. */
export interface UnitLayout {
  readonly channels: number;
  readonly reduction: number;
  readonly inputChannels: number;
}

/**
 * Unit of operand `k` of output channel `o` (storage index o * reduction + k,
 * the OHWI / [O, I] order): units are numbered by (channel pair, tap, input
 * channel pair).
 */
export function unitOf(layout: UnitLayout, o: number, k: number): number {
  const c = layout.inputChannels;
  const taps = layout.reduction / c;
  const cPairs = Math.ceil(c / 2);
  const tap = Math.floor(k / c);
  return (Math.floor(o / 2) * taps + tap) * cPairs + Math.floor((k % c) / 2);
}

/** Number of units of a layout (see {@link unitOf}). */
export function unitCount(layout: UnitLayout): number {
  return Math.ceil(layout.channels / 2) * (layout.reduction / layout.inputChannels) * Math.ceil(layout.inputChannels / 2);
}

/** The unit layout of a CONV_2D or FULLY_CONNECTED layer (FC: one tap of C inputs). */
export function unitLayoutOf(op: PreparedWeighted): UnitLayout {
  const g = op.geometry;
  if (op.kind === 'depthwise') throw new SimDseError('kernels', `DEPTHWISE_CONV_2D (operator ${op.opIndex}) has no sparse units`);
  return { channels: g.oc, reduction: op.kind === 'fc' ? g.c : g.kh * g.kw * g.c, inputChannels: g.c };
}

/**
 * A mask skipping whole units at random: round(fraction * units holding a
 * non-zero weight) such units, drawn with a seeded generator; the mask marks
 * their non-zero weights (zero weights are never marked). Deterministic in
 * (op, fraction, seed). For tests and benchmarks.
 */
export function randomSparseMask(op: PreparedWeighted, fraction: number, seed: number): SkipMask {
  if (!(fraction >= 0 && fraction <= 1)) throw new SimDseError('kernels', `skip fraction ${fraction} is not in [0, 1]`);
  const layout = unitLayoutOf(op);
  const members: number[][] = Array.from({ length: unitCount(layout) }, () => []);
  for (let o = 0; o < layout.channels; o++) {
    for (let k = 0; k < layout.reduction; k++) {
      const i = o * layout.reduction + k;
      if (op.weights[i] !== 0) members[unitOf(layout, o, k)].push(i);
    }
  }
  const live = members.filter((m) => m.length > 0);
  const next = xorshift32(seed);
  for (let i = live.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [live[i], live[j]] = [live[j], live[i]];
  }
  const mask = new Uint8Array(op.weights.length);
  const n = Math.round(fraction * live.length);
  for (let u = 0; u < n; u++) for (const i of live[u]) mask[i] = 1;
  return mask;
}

/** Where the kernel reads: the int16 patch's shape and byte strides. */
export interface SparsePatch {
  /** int16 elements per pixel: the input channels rounded up to even. */
  readonly pixelElements: number;
  /**
   * Input pixels between adjacent patch rows and columns: the stride for a 1-tap kernel dimension (the
   * pixels between the sampled ones are never read), else gcd(stride, dilation) (1 but for dilated
   * strided kernels).
   */
  readonly stepH: number;
  readonly stepW: number;
  /** Pixel rows and columns the outputs read (padding included; input pixels no output reads are left out). */
  readonly rows: number;
  readonly cols: number;
  /** Bytes between horizontally adjacent output positions. */
  readonly positionBytes: number;
  /** Bytes between output rows. */
  readonly rowStepBytes: number;
  /** Bytes of the patch buffer: the pixels plus slack for passes that run past the last row or column (outputs discarded). */
  readonly bytes: number;
}

/** The patch of a conv layer. */
export function sparsePatch(op: PreparedWeighted): SparsePatch {
  const g = op.geometry;
  const pixelElements = g.c + (g.c % 2);
  const stepH = g.kh === 1 ? g.strideH : gcd(g.strideH, g.dilationH);
  const stepW = g.kw === 1 ? g.strideW : gcd(g.strideW, g.dilationW);
  const rows = ((g.oh - 1) * g.strideH + (g.kh - 1) * g.dilationH) / stepH + 1;
  const cols = ((g.ow - 1) * g.strideW + (g.kw - 1) * g.dilationW) / stepW + 1;
  const positionBytes = (g.strideW / stepW) * pixelElements * 2;
  const rowStepBytes = (g.strideH / stepH) * cols * pixelElements * 2;
  const slack = (SPARSE_POSITIONS - 1) * Math.max(positionBytes, rowStepBytes);
  return { pixelElements, stepH, stepW, rows, cols, positionBytes, rowStepBytes, bytes: rows * cols * pixelElements * 2 + slack };
}

/** Greatest common divisor of two positive integers. */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** One kept unit: its patch byte offset and its four weights as one word. */
export interface SparseEntry {
  /** Byte offset of the input pair in the patch, from the pass's first position. */
  readonly offset: number;
  /**
   * Bytes b0..b3 (b0 lowest) = w[2q][c], w[2q+1][c], w[2q][c+1], w[2q+1][c+1]:
   * SXTB16 gives channel 2q's SMLAD pair, SXTB16 ROR #8 channel 2q+1's.
   */
  readonly word: number;
}

/**
 * Fewest half units a channel pair runs as such (else they stay whole units): per pass the half lists cost
 * about 44 cycles besides their units (two list entries, the accumulators kept across them) and each half
 * unit saves about 6 against a whole one (27 cycles per two half units, 19.5 per whole unit), so 8 break
 * even on ResNet-8 conv_2d#9 on the zero-wait board; on LeNet conv_2d#1 (three input channels) 8 to 10 cost
 * more than they saved (kernels-placed-masks), so twice that.
 */
export const MIN_PAIR_HALVES = 16;

/** One kept half unit: one output channel's SMLAD pair at one tap and input channel pair, the other channel's skipped. */
export interface HalfEntry {
  /** Byte offset of the input pair in the patch, from the pass's first position. */
  readonly offset: number;
  /** [w(o, c), w(o, c + 1)] as the low and high int16 halves: the SMLAD operand itself. */
  readonly word: number;
}

/** The units of every output channel pair: whole 2x2 units, and half units of channel 2q and of channel 2q + 1. */
export interface SparseUnits {
  readonly full: SparseEntry[][];
  readonly halves: (readonly [HalfEntry[], HalfEntry[]])[];
}

/**
 * The kept units of each output channel pair, in (tap, input pair) order.
 * Skipped weights are zero in the words; a unit whose weights are all skipped
 * or zero is left out. A missing channel (odd count) or input channel has
 * weight 0.
 */
export function sparseEntries(op: PreparedWeighted, mask: SkipMask | undefined, patch: SparsePatch): SparseEntry[][] {
  return collectUnits(op, mask, patch, false).full;
}

/**
 * {@link sparseEntries} with the units the mask halves split off: a unit whose
 * one channel the mask leaves without weight (both of its weights zero, at
 * least one of them skipped) while the other keeps one is that other channel's
 * half unit, which the kernel runs at half the loads and multiplies of a whole
 * one. Units no mask touched stay whole, so an exact layer's units are
 * {@link sparseEntries}'.
 */
export function sparseUnits(op: PreparedWeighted, mask: SkipMask | undefined, patch: SparsePatch): SparseUnits {
  return collectUnits(op, mask, patch, true);
}

function collectUnits(op: PreparedWeighted, mask: SkipMask | undefined, patch: SparsePatch, split: boolean): SparseUnits {
  const g = op.geometry;
  if (op.kind !== 'conv') throw new SimDseError('kernels', `${op.kind} (operator ${op.opIndex}) has no sparse kernel`);
  if (mask !== undefined && mask.length !== op.weights.length) {
    throw new SimDseError('kernels', `skip mask for operator ${op.opIndex} has ${mask.length} bytes, expected ${op.weights.length} (one per weight)`);
  }
  const K = g.kh * g.kw * g.c;
  const masked = (o: number, tap: number, c: number): boolean => mask !== undefined && o < g.oc && c < g.c && mask[o * K + tap * g.c + c] !== 0;
  const weight = (o: number, tap: number, c: number): number => {
    if (o >= g.oc || c >= g.c) return 0;
    return masked(o, tap, c) ? 0 : op.weights[o * K + tap * g.c + c];
  };
  const full: SparseEntry[][] = [];
  const halves: (readonly [HalfEntry[], HalfEntry[]])[] = [];
  const half = (lo: number, hi: number): number => (lo & 0xffff) | ((hi & 0xffff) << 16) | 0;
  for (let o = 0; o < g.oc; o += 2) {
    const units: { offset: number; w: number[]; keep: number }[] = [];
    for (let ky = 0; ky < g.kh; ky++) {
      for (let kx = 0; kx < g.kw; kx++) {
        const tap = ky * g.kw + kx;
        const pixel = ((ky * g.dilationH) / patch.stepH) * patch.cols + (kx * g.dilationW) / patch.stepW;
        for (let c = 0; c < g.c; c += 2) {
          const w = [weight(o, tap, c), weight(o + 1, tap, c), weight(o, tap, c + 1), weight(o + 1, tap, c + 1)];
          if (w.every((v) => v === 0)) continue;
          // channel k's weights are w[k] and w[k + 2]; the other channel's both zero with one of them skipped: a half unit
          const cut = [0, 1].map((k) => w[k] === 0 && w[k + 2] === 0 && (masked(o + k, tap, c) || masked(o + k, tap, c + 1)));
          units.push({ offset: (pixel * patch.pixelElements + c) * 2, w, keep: !split ? -1 : cut[1] ? 0 : cut[0] ? 1 : -1 });
        }
      }
    }
    // a pair with few half units keeps them whole: its half lists would cost more per pass than they save
    // (counted before a channel's odd one out below is made whole)
    const halved = units.filter((u) => u.keep >= 0).length >= MIN_PAIR_HALVES;
    // the half pass runs two units per iteration: a channel's odd one out stays a whole unit (19.5 cycles, not 27 with a padding unit)
    for (const k of [0, 1]) {
      const mine = units.filter((u) => u.keep === k);
      if (mine.length % 2 === 1) mine[mine.length - 1].keep = -1;
    }
    const pairHalves: [HalfEntry[], HalfEntry[]] = [[], []];
    const entries: SparseEntry[] = [];
    for (const { offset, w, keep } of units) {
      if (halved && keep >= 0) {
        pairHalves[keep].push({ offset, word: half(w[keep], w[keep + 2]) });
        continue;
      }
      const word = (w[0] & 0xff) | ((w[1] & 0xff) << 8) | ((w[2] & 0xff) << 16) | ((w[3] & 0xff) << 24);
      entries.push({ offset, word: word | 0 });
    }
    full.push(entries);
    halves.push(pairHalves);
  }
  return { full, halves };
}
