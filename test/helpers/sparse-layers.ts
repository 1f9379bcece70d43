/**
 * Helpers of the sparse kernel tests: random conv layers (parameters drawn
 * as ./unpacked-fixtures.ts draws them, from xorshift32), their inputs and
 * the engine's scalar kernel as reference.
 */
import type { PreparedWeighted } from '../../src/model/engine/prepare.js';
import type { SkipMask } from '../../src/model/ir.js';
import { layerGeometry, randomParameters, reference, type SyntheticShape } from './unpacked-fixtures.js';
import { xorshift32 } from './xorshift.js';

/** Shape of a synthetic CONV_2D. */
export type ConvShape = SyntheticShape;

/** A random CONV_2D (about 10 % zero weights, per-channel requantization, a clamp) from a seed. */
export function randomConv(shape: ConvShape, seed: number): PreparedWeighted {
  const next = xorshift32(seed);
  const rnd = (): number => next() / 2 ** 32;
  const { weights, bias, multiplier, shift } = randomParameters(shape.oc * shape.kh * shape.kw * shape.c, shape.oc, rnd);
  return {
    kind: 'conv', opIndex: 200 + seed, input: 0, output: 1, geometry: layerGeometry(shape), weights, bias, inZp: -9,
    requant: { multiplier, shift, outZp: 3, actMin: -100, actMax: 127 },
    depthMultiplier: 1, macs: 0,
  };
}

/** Random int8 input bytes of a layer. */
export function randomInput(op: PreparedWeighted, seed: number): Uint8Array {
  const g = op.geometry;
  const next = xorshift32(seed);
  return new Uint8Array(g.n * g.h * g.w * g.c).map(() => next() & 0xff);
}

/** The engine's scalar kernel with the masked weights as zeros: the expected output bytes. */
export function referenceOutput(op: PreparedWeighted, mask: SkipMask | undefined, input: Uint8Array): Uint8Array {
  return reference(op, mask, new Int8Array(input.buffer, input.byteOffset, input.byteLength));
}

