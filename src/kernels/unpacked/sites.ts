/**
 * The multiply-accumulate sites of an unpacked layer: for every output
 * channel, the kept non-zero weights with the element offset of the input
 * value each one multiplies, relative to the output position's corner in the
 * zero-point-padded input patch (see patch-layout.ts), and the bias with the
 * input zero point folded in. Pure: no I/O.
 *
 * Folding: acc = bias + sum_k w_k (x_k - inZp) = (bias - inZp sum_k w_k) + sum_k w_k x_k,
 * so the generated code multiplies raw int8 inputs and a padded tap, which
 * reads a value equal to inZp, contributes exactly zero, as TFLite's does.
 */
import type { SkipMask } from '../../model/ir.js';
import type { PreparedWeighted } from '../../model/engine/prepare.js';
import { SimDseError } from '../../util/errors.js';

/** One multiply-accumulate: input element offset (in the patch) times a constant weight. */
export interface Site {
  readonly offset: number;
  readonly weight: number;
}

/** The straight-line reduction of one output channel. */
export interface ChannelSites {
  /** Output channel index. */
  readonly channel: number;
  /** bias - inZp * (sum of the kept weights), wrapped to int32. */
  readonly foldedBias: number;
  /** Kept non-zero weights, in increasing offset order. */
  readonly sites: readonly Site[];
}

/** Checks that a mask has one byte per weight of the layer; throws SimDseError('kernels') otherwise. */
export function checkMask(op: PreparedWeighted, mask: SkipMask | undefined): void {
  if (mask !== undefined && mask.length !== op.weights.length) {
    throw new SimDseError(
      'kernels',
      `skip mask for operator ${op.opIndex} has ${mask.length} bytes, expected ${op.weights.length} (one per weight)`,
    );
  }
}

/** Element strides of the input patch the generated code reads. */
export interface PatchStrides {
  /** Pixels per patch row. */
  readonly rowPixels: number;
  /** Elements per pixel (the input channels, possibly padded to an even count). */
  readonly pixelElements: number;
}

/**
 * Storage index of every weight of output channel `o`, with the patch element
 * offset it reads. One case per weight layout (OHWI, [O, I], 1HWC).
 */
function tapsOf(op: PreparedWeighted, strides: PatchStrides): (o: number) => Array<{ index: number; offset: number }> {
  const g = op.geometry;
  const { rowPixels, pixelElements } = strides;
  const pixel = (ky: number, kx: number): number => (ky * g.dilationH * rowPixels + kx * g.dilationW) * pixelElements;
  switch (op.kind) {
    case 'fc':
      return (o) => Array.from({ length: g.c }, (_, i) => ({ index: o * g.c + i, offset: i }));
    case 'conv': {
      const k = g.kh * g.kw * g.c;
      return (o) => {
        const out: Array<{ index: number; offset: number }> = [];
        for (let ky = 0; ky < g.kh; ky++) {
          for (let kx = 0; kx < g.kw; kx++) {
            for (let i = 0; i < g.c; i++) out.push({ index: o * k + (ky * g.kw + kx) * g.c + i, offset: pixel(ky, kx) + i });
          }
        }
        return out;
      };
    }
    case 'depthwise':
      return (o) => {
        const out: Array<{ index: number; offset: number }> = [];
        const ic = Math.floor(o / op.depthMultiplier);
        for (let ky = 0; ky < g.kh; ky++) {
          for (let kx = 0; kx < g.kw; kx++) out.push({ index: (ky * g.kw + kx) * g.oc + o, offset: pixel(ky, kx) + ic });
        }
        return out;
      };
  }
}

/**
 * The sites of every output channel for a patch with the given strides.
 * Masked and zero weights have no site.
 */
export function channelSites(op: PreparedWeighted, mask: SkipMask | undefined, strides: PatchStrides): ChannelSites[] {
  checkMask(op, mask);
  const taps = tapsOf(op, strides);
  const out: ChannelSites[] = [];
  for (let o = 0; o < op.geometry.oc; o++) {
    const sites: Site[] = [];
    let sum = 0;
    for (const t of taps(o)) {
      const w = op.weights[t.index];
      if (w === 0 || (mask !== undefined && mask[t.index] !== 0)) continue;
      sites.push({ offset: t.offset, weight: w });
      sum += w;
    }
    sites.sort((a, b) => a.offset - b.offset);
    out.push({ channel: o, foldedBias: (op.bias[o] - Math.imul(op.inZp, sum)) | 0, sites });
  }
  return out;
}

/**
 * Number of multiply-accumulate sites the unpacked generator emits for a
 * layer and mask: the weights that are neither skipped nor zero. The same for
 * every structure (an SMLAD pair counts as two sites).
 */
export function unpackedSiteCount(op: PreparedWeighted, mask?: SkipMask): number {
  checkMask(op, mask);
  let n = 0;
  for (let i = 0; i < op.weights.length; i++) if (op.weights[i] !== 0 && (mask === undefined || mask[i] === 0)) n++;
  return n;
}
