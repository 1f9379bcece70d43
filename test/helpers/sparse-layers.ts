/**
 * Helpers of the sparse kernel tests: random conv layers, the engine's
 * scalar kernel as reference, compiling layer units into one image and
 * calling a layer function in the emulator.
 */
import type { BoardProfile } from '../../src/emulator/board.js';
import { getBoard } from '../../src/emulator/boards.js';
import { parseElf } from '../../src/emulator/elf.js';
import { Machine } from '../../src/emulator/machine.js';
import { compileImage, type CSource } from '../../src/kernels/compile/compile.js';
import { quantizeMultiplier } from '../../src/model/engine/fixed-point.js';
import { weightedScalar } from '../../src/model/engine/kernels.js';
import type { PreparedWeighted } from '../../src/model/engine/prepare.js';
import type { SkipMask } from '../../src/model/ir.js';
import { xorshift32 } from './xorshift.js';

/** Shape of a synthetic CONV_2D. */
export interface ConvShape {
  n: number; h: number; w: number; c: number; kh: number; kw: number; oc: number;
  sh: number; sw: number; dh: number; dw: number; padTop: number; padLeft: number; oh: number; ow: number;
}

/** A random CONV_2D (about 10 % zero weights, per-channel requantization, a clamp) from a seed. */
export function randomConv(shape: ConvShape, seed: number): PreparedWeighted {
  const next = xorshift32(seed);
  const rnd = (): number => next() / 2 ** 32;
  const count = shape.oc * shape.kh * shape.kw * shape.c;
  const weights = new Int8Array(count).map(() => (rnd() < 0.1 ? 0 : Math.floor(rnd() * 255) - 127));
  const bias = new Int32Array(shape.oc).map(() => Math.floor(rnd() * 20000) - 10000);
  const multiplier = new Int32Array(shape.oc);
  const shift = new Int32Array(shape.oc);
  for (let o = 0; o < shape.oc; o++) {
    const q = quantizeMultiplier(0.0005 + rnd() * 0.01);
    multiplier[o] = q.multiplier;
    shift[o] = q.shift;
  }
  const geometry = {
    n: shape.n, h: shape.h, w: shape.w, c: shape.c, oh: shape.oh, ow: shape.ow, oc: shape.oc, kh: shape.kh, kw: shape.kw,
    strideH: shape.sh, strideW: shape.sw, dilationH: shape.dh, dilationW: shape.dw, padTop: shape.padTop, padLeft: shape.padLeft,
  };
  return {
    kind: 'conv', opIndex: 200 + seed, input: 0, output: 1, geometry, weights, bias, inZp: -9,
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
  const w = op.weights.map((v, i) => (mask !== undefined && mask[i] !== 0 ? 0 : v));
  const g = op.geometry;
  const out = new Int8Array(g.n * g.oh * g.ow * g.oc);
  weightedScalar(op, w, new Int8Array(input.buffer, input.byteOffset, input.byteLength), out);
  return new Uint8Array(out.buffer);
}

/** The zero-wait `ideal` board with 8 MB of flash: room for many layers in one image. */
export function bigIdeal(): BoardProfile {
  const ideal = getBoard('ideal');
  return { ...ideal, id: 'ideal-8mb', regions: ideal.regions.map((r) => (r.kind === 'flash' ? { ...r, size: 8 << 20 } : r)) };
}

/** Compiles layer units into one emulator image. */
export async function layerMachine(sources: readonly CSource[], board: BoardProfile): Promise<Machine> {
  const elf = await compileImage({ sources, board, jobs: 2 });
  return new Machine(parseElf(elf, 'layers'), board, 'layers');
}

/** Calls layer function `fn` once (cold); its output bytes and cycles. Throws on a fault. */
export function callLayer(m: Machine, fn: string, input: Uint8Array, outBytes: number, scratchBytes: number): { out: Uint8Array; cycles: number } {
  const r = m.call({ symbol: fn, args: [input, 0, new Uint8Array(outBytes), new Uint8Array(Math.max(4, scratchBytes))] });
  if (r.kind !== 'ok') throw new Error(`${fn}: ${r.message}`);
  return { out: r.buffers[1], cycles: r.cycles };
}
