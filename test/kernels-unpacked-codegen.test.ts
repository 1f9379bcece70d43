import { describe, expect, it } from 'vitest';
import { patchLayout } from '../src/kernels/unpacked/patch-layout.js';
import { accumulatorBound, fastRequantApplies, macGroups, pairConstant } from '../src/kernels/unpacked/reduction-c.js';
import { channelSites } from '../src/kernels/unpacked/sites.js';
import { DEFAULT_UNPACKED_STRUCTURE, checkStructure, type UnpackedStructure } from '../src/kernels/unpacked/structure.js';
import { multiplyByQuantizedMultiplier } from '../src/model/engine/fixed-point.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import { SimDseError } from '../src/util/errors.js';
import { loadModel } from './helpers/engine-fixtures.js';

/**
 * The pure parts of the unpacked generator: sites and the folded bias, SMLAD
 * pairing, patch layouts of real layers, and the identity behind the short
 * requantization (checked against the engine's fixed-point code).
 */

const lenet = prepareGraph(loadModel('lenet'));
const resnet = prepareGraph(loadModel('resnet8'));
const op = (g: typeof lenet, i: number): PreparedWeighted => g.ops.find((p) => p.opIndex === i) as PreparedWeighted;
const smlad = (positions: 1 | 2 | 4): UnpackedStructure => ({ mac: 'smlad', positions, split: 'channel' });

describe('sites', () => {
  it('fold the input zero point into the bias and list kept weights by patch offset', () => {
    const fc = op(resnet, 14);
    const mask = new Uint8Array(640);
    mask[1] = 1;
    const [ch0] = channelSites(fc, mask, { rowPixels: 1, pixelElements: 64 });
    let sum = 0;
    const kept: number[] = [];
    for (let i = 0; i < 64; i++) {
      if (i === 1 || fc.weights[i] === 0) continue;
      sum += fc.weights[i];
      kept.push(i);
    }
    expect(ch0.sites.map((s) => s.offset)).toEqual(kept);
    expect(ch0.foldedBias).toBe(fc.bias[0] - fc.inZp * sum);
  });

  it('address a 3x3 conv tap at (ky * rowPixels + kx) * pixelElements + i', () => {
    const conv = op(resnet, 9);
    const [ch0] = channelSites(conv, undefined, { rowPixels: 10, pixelElements: 64 });
    // storage index (ky=1, kx=2, i=5) of channel 0 is (1*3+2)*64+5 = 325
    const site = ch0.sites.find((s) => s.offset === (1 * 10 + 2) * 64 + 5);
    expect(site?.weight).toBe(conv.weights[325]);
  });
});

describe('SMLAD pairing', () => {
  const sites = [0, 1, 3, 4, 5, 6, 9].map((offset) => ({ offset, weight: offset + 1 }));

  it('pairs an even offset with the next one; the rest stay single', () => {
    expect(macGroups(sites, 'smlad')).toEqual([
      { kind: 'pair', offset: 0, low: 1, high: 2 },
      { kind: 'single', offset: 3, weight: 4 },
      { kind: 'pair', offset: 4, low: 5, high: 6 },
      { kind: 'single', offset: 6, weight: 7 },
      { kind: 'single', offset: 9, weight: 10 },
    ]);
    expect(macGroups(sites, 'mla').every((g) => g.kind === 'single')).toBe(true);
  });

  it('packs the lower-address weight in the bottom halfword', () => {
    expect(pairConstant(-2, 3)).toBe(0x0003fffe);
    expect(pairConstant(5, -1)).toBe(-65531); // 0xffff0005
    expect(pairConstant(-128, -128)).toBe(-8323200); // 0xff80ff80
  });
});

describe('patch layouts of real layers', () => {
  it('LeNet conv 1 reads its int8 input directly; its int16 patch pads 3-channel pixels to 4', () => {
    expect(patchLayout(op(lenet, 1), { mac: 'mla', positions: 2, split: 'channel' })).toMatchObject({ direct: true, scratchBytes: 0 });
    expect(patchLayout(op(lenet, 1), smlad(2))).toMatchObject({ element: 'int16', rows: 32, rowPixels: 32, pixelElements: 4, scratchBytes: 8192 });
  });

  it('LeNet conv 3 (13 columns) computes a 14th column with 2 positions per pass and 16 with 4', () => {
    expect(patchLayout(op(lenet, 3), smlad(2))).toMatchObject({ paddedWidth: 14, rows: 15, rowPixels: 16 });
    expect(patchLayout(op(lenet, 3), smlad(4))).toMatchObject({ paddedWidth: 16, rowPixels: 18 });
    // int8 and the virtual column would read past the input: copied, not direct
    expect(patchLayout(op(lenet, 3), { mac: 'mla', positions: 2, split: 'channel' })).toMatchObject({ direct: false, scratchBytes: 15 * 16 * 32 });
  });

  it('ResNet-8 conv 4 (stride 2, SAME padded only at the bottom and right) spans 33 x 33 pixels', () => {
    expect(patchLayout(op(resnet, 4), smlad(2))).toMatchObject({ rows: 33, rowPixels: 33, pixelElements: 16, scratchBytes: 33 * 33 * 16 * 2 });
  });

  it('a fully connected layer has one position per pass', () => {
    expect(patchLayout(op(resnet, 14), smlad(4))).toMatchObject({ positions: 1, paddedWidth: 1, scratchBytes: 128 });
  });
});

describe('short requantization', () => {
  /** The C formula of fastRequantC, in BigInt. */
  function shortForm(acc: number, m: number, shift: number): number {
    const left = BigInt(Math.max(shift, 0));
    const right = Math.max(-shift, 0);
    let x = Number((((BigInt(acc) << left) * BigInt(m) + (1n << 30n)) >> 31n));
    if (right > 0) x = (x + 2 ** (right - 1) - (x < 0 ? 1 : 0)) >> right;
    return x;
  }

  it('equals MultiplyByQuantizedMultiplier below 2^30, ties included', () => {
    let s = 12345;
    const rnd = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    for (let i = 0; i < 20000; i++) {
      const shift = Math.floor(rnd() * 14) - 12;
      const m = 2 ** 30 + Math.floor(rnd() * 2 ** 30);
      const limit = 2 ** (30 - Math.max(shift, 0));
      const acc = Math.floor((rnd() * 2 - 1) * limit * (i % 3 === 0 ? 1e-4 : 1));
      expect(shortForm(acc, m, shift), `${acc} ${m} ${shift}`).toBe(multiplyByQuantizedMultiplier(acc, m, shift));
    }
    // exact ties of both roundings (m = 2^30: the product is acc * 2^30)
    for (const acc of [-7, -5, -3, -1, 1, 3, 5, 7]) {
      for (const shift of [0, -1, -2]) expect(shortForm(acc, 2 ** 30, shift)).toBe(multiplyByQuantizedMultiplier(acc, 2 ** 30, shift));
    }
  });

  it('applies only when the bound times 2^left stays below 2^30', () => {
    const ch = { channel: 0, foldedBias: -1000, sites: [{ offset: 0, weight: -100 }, { offset: 1, weight: 27 }] };
    expect(accumulatorBound(ch)).toBe(1000 + 128 * 127);
    const q = { multiplier: 2 ** 30, shift: 0, outZp: 0, actMin: -128, actMax: 127 };
    expect(fastRequantApplies(ch, q)).toBe(true);
    expect(fastRequantApplies(ch, { ...q, shift: 15 })).toBe(true); // 17256 * 2^15 < 2^30
    expect(fastRequantApplies(ch, { ...q, shift: 16 })).toBe(false);
  });
});

describe('structures', () => {
  it('the default is SMLAD, two positions per pass, one function per channel', () => {
    expect(DEFAULT_UNPACKED_STRUCTURE).toEqual({ mac: 'smlad', positions: 2, split: 'channel' });
  });

  it('rejects an unknown structure', () => {
    expect(() => checkStructure({ mac: 'smlad', positions: 3 as 2, split: 'channel' })).toThrow(SimDseError);
  });
});
