/**
 * Shared fixtures of the unpacked-kernel tests: deterministic masks, synthetic
 * layers and their reference outputs (the engine's scalar kernel), and
 * compiling emitted layers into an emulator image and calling one.
 */
import { compileImage, type CSource } from '../../src/kernels/compile/compile.js';
import { parseElf } from '../../src/emulator/elf.js';
import { getBoard } from '../../src/emulator/boards.js';
import type { BoardProfile } from '../../src/emulator/board.js';
import { Machine } from '../../src/emulator/machine.js';
import type { PreparedWeighted } from '../../src/model/engine/prepare.js';
import { weightedScalar } from '../../src/model/engine/kernels.js';
import { quantizeMultiplier } from '../../src/model/engine/fixed-point.js';
import type { SkipMask } from '../../src/model/ir.js';
import { xorshift32 } from './xorshift.js';

/** Deterministic mask with about `percent` % of the weights skipped (xorshift32). */
export function randomMask(length: number, percent: number, seed: number): SkipMask {
  const next = xorshift32(seed);
  const m = new Uint8Array(length);
  for (let i = 0; i < length; i++) m[i] = next() % 100 < percent ? 1 : 0;
  return m;
}

/** The zero-wait `ideal` board with 8 MB of flash: room for many large layer variants in one image. */
export const BIG_IDEAL: BoardProfile = (() => {
  const ideal = getBoard('ideal');
  return { ...ideal, id: 'ideal-8mb', regions: ideal.regions.map((r) => (r.kind === 'flash' ? { ...r, size: 8 << 20 } : r)) };
})();

/** Compiles emitted layers into one image for a board. */
export async function buildImage(sources: readonly CSource[], board: BoardProfile): Promise<Machine> {
  const elf = await compileImage({ sources, board, jobs: 2 });
  return new Machine(parseElf(elf, 'unpacked-test'), board, 'unpacked-test');
}

/** Calls layer function `fn` once (cold) on one input; its output bytes and cycles (throws on a fault). */
export function callLayer(m: Machine, fn: string, input: Uint8Array, outBytes: number, scratchBytes: number): { out: Uint8Array; cycles: number } {
  const r = m.call({ symbol: fn, args: [input, 0, new Uint8Array(outBytes), new Uint8Array(Math.max(4, scratchBytes))] });
  if (r.kind !== 'ok') throw new Error(`${fn}: ${r.message}`);
  return { out: r.buffers[1], cycles: r.cycles };
}

/** A layer's shape as the synthetic layers give it (strides, dilations and padding abbreviated). */
export interface SyntheticShape {
  n: number; h: number; w: number; c: number; kh: number; kw: number; oc: number;
  sh: number; sw: number; dh: number; dw: number; padTop: number; padLeft: number; oh: number; ow: number;
}

/** The prepared geometry of a synthetic shape. */
export function layerGeometry(shape: SyntheticShape): PreparedWeighted['geometry'] {
  return {
    n: shape.n, h: shape.h, w: shape.w, c: shape.c, oh: shape.oh, ow: shape.ow, oc: shape.oc, kh: shape.kh, kw: shape.kw,
    strideH: shape.sh, strideW: shape.sw, dilationH: shape.dh, dilationW: shape.dw, padTop: shape.padTop, padLeft: shape.padLeft,
  };
}

/**
 * Random layer parameters drawn from `rnd` (uniform in [0, 1)) in a fixed
 * order: `count` weights (about 10 % zero), `oc` biases, then per channel a
 * requantization multiplier for a real scale in [0.0005, 0.0105).
 */
export function randomParameters(count: number, oc: number, rnd: () => number): { weights: Int8Array; bias: Int32Array; multiplier: Int32Array; shift: Int32Array } {
  const weights = new Int8Array(count).map(() => (rnd() < 0.1 ? 0 : Math.floor(rnd() * 255) - 127));
  const bias = new Int32Array(oc).map(() => Math.floor(rnd() * 20000) - 10000);
  const multiplier = new Int32Array(oc);
  const shift = new Int32Array(oc);
  for (let o = 0; o < oc; o++) {
    const q = quantizeMultiplier(0.0005 + rnd() * 0.01);
    multiplier[o] = q.multiplier;
    shift[o] = q.shift;
  }
  return { weights, bias, multiplier, shift };
}

/** Random synthetic layer (weights with ~10 % zeros, per-channel requantization, clamps). */
export function syntheticLayer(
  kind: PreparedWeighted['kind'],
  shape: SyntheticShape & { m?: number },
  seed: number,
): PreparedWeighted {
  let s = seed;
  const rnd = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
  const count = kind === 'fc' ? shape.oc * shape.c : kind === 'depthwise' ? shape.kh * shape.kw * shape.oc : shape.oc * shape.kh * shape.kw * shape.c;
  const { weights, bias, multiplier, shift } = randomParameters(count, shape.oc, rnd);
  return {
    kind, opIndex: 90 + seed, input: 0, output: 1, geometry: layerGeometry(shape), weights, bias, inZp: 7,
    requant: { multiplier, shift, outZp: -5, actMin: -20, actMax: 100 },
    depthMultiplier: shape.m ?? 1, macs: 0,
  };
}

/** The engine's scalar kernel on a synthetic layer (masked weights as zeros). */
export function reference(op: PreparedWeighted, mask: SkipMask | undefined, input: Int8Array): Uint8Array {
  const w = op.weights.map((v, i) => (mask !== undefined && mask[i] !== 0 ? 0 : v));
  const g = op.geometry;
  const out = new Int8Array(g.n * g.oh * g.ow * g.oc);
  weightedScalar(op, w, input, out);
  return new Uint8Array(out.buffer);
}

export function syntheticInput(op: PreparedWeighted, seed: number): Int8Array {
  const g = op.geometry;
  let s = seed;
  return new Int8Array(g.n * g.h * g.w * g.c).map(() => {
    s = (Math.imul(s, 69069) + 1) >>> 0;
    return (s >>> 24) - 128;
  });
}

