import { beforeAll, describe, expect, it } from 'vitest';
import type { Machine } from '../src/emulator/machine.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { emitSparseLayer, hasSparsePath, sparseUnitCount } from '../src/kernels/sparse/emit.js';
import { packEntries, packHalves, slotCodeBytes } from '../src/kernels/sparse/pack.js';
import { MIN_PAIR_HALVES, randomSparseMask, sparseEntries, sparsePatch, sparseUnits } from '../src/kernels/sparse/units.js';
import { createEngine } from '../src/model/engine/index.js';
import { quantizeMultiplier } from '../src/model/engine/fixed-point.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import type { SkipMask } from '../src/model/ir.js';
import { SimDseError } from '../src/util/errors.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';
import { randomConv, randomInput, referenceOutput, type ConvShape } from './helpers/sparse-layers.js';
import { BIG_IDEAL, buildImage, callLayer } from './helpers/unpacked-fixtures.js';
import { xorshift32 } from './helpers/xorshift.js';

/**
 * The sparse (skip-aware loop) kernel computes, byte for byte, what the
 * reference engine computes under the same mask: synthetic layers covering
 * odd input and output channel counts, padding, strides, dilation, batch,
 * both ways of computing a row's last ow % 4 columns, patches sampled at
 * the stride, both requantization paths and an empty channel pair; real layers of both models on the
 * engine's own inputs; random unit masks and random per-weight masks. And
 * its cycles fall with every skipped unit, and with every unit a mask halves
 * (one channel's pair skipped: a half unit).
 */

const HAVE_CC = compilerVersion() !== null;

/** Random per-weight mask (about `percent` % skipped). */
function weightMask(length: number, percent: number, seed: number): SkipMask {
  const next = xorshift32(seed);
  return new Uint8Array(length).map(() => (next() % 100 < percent ? 1 : 0));
}

const shape = (s: Partial<ConvShape> & Pick<ConvShape, 'h' | 'w' | 'c' | 'oc' | 'oh' | 'ow'>): ConvShape => ({
  n: 1, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0, ...s,
});

/** Synthetic layers: name and op. */
const SYNTHETIC: ReadonlyArray<{ name: string; op: PreparedWeighted }> = [
  // odd input (5) and output (7) channels, SAME padding, vertical stride 2, horizontal dilation 2, batch 2, ow % 4 = 3
  { name: 'odd_pad_stride_dil', op: randomConv(shape({ n: 2, h: 9, w: 7, c: 5, kh: 3, kw: 2, oc: 7, sh: 2, dw: 2, padTop: 1, padLeft: 1, oh: 5, ow: 7 }), 1) },
  // 3 input channels (LeNet/ResNet first layer), stride 2 both ways, padding, ow % 4 = 1
  { name: 'rgb_stride2', op: randomConv(shape({ h: 10, w: 10, c: 3, oc: 4, sh: 2, sw: 2, padTop: 1, padLeft: 1, oh: 5, ow: 5 }), 2) },
  // 1x1, 1 input channel, 1 output channel
  { name: 'one_by_one', op: randomConv(shape({ h: 6, w: 6, c: 1, kh: 1, kw: 1, oc: 1, oh: 6, ow: 6 }), 3) },
  // row distance 13 * 64 * 2 = 1664 bytes > 1365: the last pass of each row runs short instead
  { name: 'wide_rows', op: randomConv(shape({ h: 12, w: 13, c: 64, kh: 1, kw: 1, oc: 6, oh: 12, ow: 13 }), 4) },
  // 1x1 stride 2 (the ResNet shortcut) and a 3x3 stride-2 kernel of dilation 2: patches sampled every other pixel
  { name: 'one_by_one_stride2', op: randomConv(shape({ h: 9, w: 7, c: 6, kh: 1, kw: 1, oc: 4, sh: 2, sw: 2, oh: 5, ow: 4 }), 8) },
  { name: 'dilated_stride2', op: randomConv(shape({ h: 11, w: 11, c: 4, oc: 2, sh: 2, sw: 2, dh: 2, dw: 2, oh: 4, ow: 4 }), 9) },
];

/** A layer whose requantization multiplies by more than 1 (positive shift). */
const LEFT_SHIFT: PreparedWeighted = (() => {
  const op = randomConv(shape({ h: 6, w: 6, c: 4, oc: 4, oh: 4, ow: 4 }), 5);
  const q = quantizeMultiplier(1.7);
  return { ...op, bias: op.bias.map((b) => b >> 6), requant: { ...op.requant, multiplier: op.requant.multiplier.fill(q.multiplier), shift: op.requant.shift.fill(q.shift) } };
})();

/** A layer whose bias is too large for the SMMULR requantization to be proven exact. */
const BIG_BIAS: PreparedWeighted = (() => {
  const op = randomConv(shape({ h: 6, w: 6, c: 4, oc: 3, oh: 4, ow: 4 }), 6);
  return { ...op, bias: op.bias.map((b, o) => (o === 1 ? 1 << 30 : b)) };
})();

describe('units, patch and packing', () => {
  const op = SYNTHETIC[0].op;

  it('a unit stays while any of its four weights is kept; a unit mask removes exactly its units', () => {
    const all = sparseUnitCount(op);
    const mask = randomSparseMask(op, 0.3, 9);
    expect(all).toBe(4 * 3 * 2 * 3 - zeroUnits(op)); // 4 channel pairs x 6 taps x 3 input pairs, minus all-zero units
    expect(sparseUnitCount(op, mask)).toBe(all - Math.round(0.3 * all));
    // a per-weight mask rarely empties a unit: about 0.3^4 of them
    expect(sparseUnitCount(op, weightMask(op.weights.length, 30, 3))).toBeGreaterThan(Math.floor(0.9 * all));
  });

  it('packs eight units per 48-byte block with the weights as SXTB16 expects, a partial first block and -1 ending each pair', () => {
    const patch = sparsePatch(op);
    expect(patch).toMatchObject({ pixelElements: 6, stepH: 1, stepW: 1, rows: 11, cols: 9, positionBytes: 12, rowStepBytes: 2 * 9 * 6 * 2 });
    const pairs = sparseEntries(op, undefined, patch);
    const packed = packEntries(pairs);
    // pair 0 holds 18 units (6 taps x 3 input pairs): a first block of 2 units in slots 6 and 7, then two full blocks
    expect(pairs[0].length).toBe(18);
    const first = pairs[0][0];
    expect(packed.words[6]).toBe(first.word >>> 0);
    expect(packed.words[8 + 3] & 0xffff).toBe(first.offset);
    // the first block's first offset is ~(bytes from the loop start to slot 6's code) = ~(52 + 5 * 56): the pass jumps there
    expect(packed.words[8] & 0xffff).toBe(~slotCodeBytes(6) & 0xffff);
    expect(slotCodeBytes(6)).toBe(332);
    const b = (k: number): number => (first.word << (24 - 8 * k)) >> 24;
    // first unit of pair 0: tap (0, 0), input channels 0 and 1 of output channels 0 and 1
    expect([b(0), b(1), b(2), b(3)]).toEqual([op.weights[0], op.weights[30], op.weights[1], op.weights[31]]);
    // second block: a full one, its first offset the unit's own
    expect(packed.words[12]).toBe(pairs[0][2].word >>> 0);
    expect(packed.words[12 + 8] & 0xffff).toBe(pairs[0][2].offset);
    const end = packed.start[1] - 12;
    expect(packed.words[end + 8]).toBe(0xffff);
    expect(packed.start[1]).toBe(12 * 4);
    // a 1x1 stride-2 layer reads every other pixel only: the patch holds just those
    const strided = randomConv(shape({ h: 8, w: 8, c: 4, kh: 1, kw: 1, oc: 2, sh: 2, sw: 2, oh: 4, ow: 4 }), 7);
    expect(sparsePatch(strided)).toMatchObject({ stepH: 2, stepW: 2, rows: 4, cols: 4, positionBytes: 8, rowStepBytes: 32 });
  });

  it('splits the units whose one channel a mask empties into half units, from 16 per pair, in twos', () => {
    const patch = sparsePatch(op);
    const K = 6 * 5;
    // channel 1's weights skipped in the first n units of pair 0 where channel 0 keeps a weight
    const halved: number[] = [];
    const halving = (n: number): SkipMask => {
      const mask = new Uint8Array(op.weights.length);
      halved.length = 0;
      let left = n;
      for (let t = 0; t < 6 && left > 0; t++) {
        for (let ch = 0; ch < 5 && left > 0; ch += 2) {
          if ([ch, ch + 1].every((cc) => cc >= 5 || op.weights[t * 5 + cc] === 0)) continue;
          for (const cc of [ch, ch + 1]) if (cc < 5) mask[K + t * 5 + cc] = 1;
          halved.push(t * 5 + ch);
          left--;
        }
      }
      return mask;
    };
    const whole = sparseEntries(op, undefined, patch)[0].length;
    const sixteen = sparseUnits(op, halving(16), patch);
    expect([sixteen.full[0].length, sixteen.halves[0][0].length, sixteen.halves[0][1].length]).toEqual([whole - 16, 16, 0]);
    // the half unit's word is channel 0's int16 pair (its two input channels of its tap)
    const h = sixteen.halves[0][0][0];
    expect([(h.word << 16) >> 16, h.word >> 16]).toEqual([op.weights[halved[0]], op.weights[halved[0] + 1]]);
    // seventeen: the odd one out stays whole; fifteen: all whole (fewer than MIN_PAIR_HALVES)
    expect(sparseUnits(op, halving(17), patch).halves[0][0].length).toBe(16);
    expect(MIN_PAIR_HALVES).toBe(16);
    const fifteen = sparseUnits(op, halving(15), patch);
    expect([fifteen.full[0].length, fifteen.halves[0][0].length]).toEqual([whole, 0]);
    // exact and whole-unit masks have no half units
    expect(sparseUnits(op, randomSparseMask(op, 0.3, 9), patch).halves.every((p) => p[0].length + p[1].length === 0)).toBe(true);
    // lists: first offset, then word and next offset per unit, -1 last; an odd count padded with a zero unit
    const packed = packHalves([[[{ offset: 8, word: 0x00020001 }, { offset: 12, word: -1 }], []], [[{ offset: 4, word: 5 }], []]]);
    expect(Array.from(packed.words)).toEqual([8, 0x00020001, 12, 0xffffffff, 0xffffffff, 0xffffffff, 4, 5, 0, 0, 0xffffffff, 0xffffffff]);
    expect(packed.start).toEqual([0, 5, 6, 11, 12]);
  });

  it('is deterministic and rejects bad input with a kernels error', () => {
    const mask = randomSparseMask(op, 0.3, 9);
    expect(emitSparseLayer(op, 'f', mask).source.code).toBe(emitSparseLayer(op, 'f', mask.slice()).source.code);
    expect(Array.from(randomSparseMask(op, 0.3, 9))).toEqual(Array.from(mask));
    expect(() => emitSparseLayer(op, 'f', new Uint8Array(5))).toThrow(/5 bytes, expected 210/);
    expect(() => emitSparseLayer(op, '2f')).toThrow(SimDseError);
    expect(() => randomSparseMask(op, 1.5, 1)).toThrow(/not in \[0, 1\]/);
    const fc = prepareGraph(loadModel('lenet')).ops.find((p) => p.opIndex === 7)!;
    expect(hasSparsePath(fc)).toBe(false);
    expect(() => emitSparseLayer(fc, 'f')).toThrow(/FULLY_CONNECTED \(operator 7\) has no sparse kernel/);
  });

  it('chooses the requantization path by the accumulator bound', () => {
    expect(emitSparseLayer(op, 'f').source.code).toContain('snn_sparse_frq');
    expect(emitSparseLayer(BIG_BIAS, 'f').source.code).not.toContain('snn_sparse_frq');
  });
});

/**
 * A mask that halves the first n units of every channel pair: in even pairs channel 2q + 1's pair is
 * skipped where channel 2q keeps a weight (half units of 2q), in odd pairs channel 2q's (half units of
 * 2q + 1); a pair whose second channel does not exist (odd count) is left alone.
 */
function halvingMask(op: PreparedWeighted, n: number, evenOnly = false): SkipMask {
  const g = op.geometry;
  const K = g.kh * g.kw * g.c;
  const mask = new Uint8Array(op.weights.length);
  for (let o = 0; o + 1 < g.oc; o += 2) {
    const [keep, skip] = evenOnly || (o / 2) % 2 === 0 ? [o, o + 1] : [o + 1, o];
    let left = n;
    for (let t = 0; t < g.kh * g.kw && left > 0; t++) {
      for (let ch = 0; ch < g.c && left > 0; ch += 2) {
        const chans = [ch, ch + 1].filter((cc) => cc < g.c);
        if (chans.every((cc) => op.weights[keep * K + t * g.c + cc] === 0)) continue;
        for (const cc of chans) mask[skip * K + t * g.c + cc] = 1;
        left--;
      }
    }
  }
  return mask;
}

/** Units of a layer with all four weights zero (never emitted). */
function zeroUnits(op: PreparedWeighted): number {
  const g = op.geometry;
  const K = g.kh * g.kw * g.c;
  let n = 0;
  for (let o = 0; o < g.oc; o += 2) {
    for (let t = 0; t < g.kh * g.kw; t++) {
      for (let c = 0; c < g.c; c += 2) {
        let any = false;
        for (const oo of [o, o + 1]) for (const cc of [c, c + 1]) if (oo < g.oc && cc < g.c && op.weights[oo * K + t * g.c + cc] !== 0) any = true;
        if (!any) n++;
      }
    }
  }
  return n;
}

describe.skipIf(!HAVE_CC)('synthetic layers equal the engine', () => {
  const PERCENTS = [0, 10, 30, 60];
  const cases: Array<{ fn: string; op: PreparedWeighted; mask: SkipMask | undefined; scratch: number }> = [];
  let machine: Machine;

  beforeAll(async () => {
    const subjects = [...SYNTHETIC, { name: 'left_shift', op: LEFT_SHIFT }, { name: 'big_bias', op: BIG_BIAS }];
    for (const s of subjects) {
      for (const pct of PERCENTS) {
        const masks: Array<[string, SkipMask | undefined]> = pct === 0 ? [['exact', undefined]] : [
          [`units${pct}`, randomSparseMask(s.op, pct / 100, pct)],
          [`weights${pct}`, weightMask(s.op.weights.length, pct, pct + 1)],
        ];
        for (const [tag, mask] of masks) cases.push({ fn: `${s.name}_${tag}`, op: s.op, mask, scratch: 0 });
      }
    }
    // channel pair 1 of the odd layer fully skipped: its stream is only the end block
    const empty = new Uint8Array(SYNTHETIC[0].op.weights.length);
    empty.fill(1, 2 * 30, 4 * 30);
    cases.push({ fn: 'empty_pair', op: SYNTHETIC[0].op, mask: empty, scratch: 0 });
    const layers = cases.map((c) => emitSparseLayer(c.op, c.fn, c.mask));
    layers.forEach((l, i) => (cases[i].scratch = l.scratchBytes));
    machine = await buildImage(layers.map((l) => l.source), BIG_IDEAL);
    return () => machine.close();
  }, 900_000);

  it('every layer, exact and under random unit and per-weight masks of 10, 30 and 60 %', () => {
    expect(cases.length).toBe(8 * 7 + 1);
    for (const [i, c] of cases.entries()) {
      const input = randomInput(c.op, 100 + i);
      const want = referenceOutput(c.op, c.mask, input);
      const { out } = callLayer(machine, c.fn, input, want.length, c.scratch);
      expect(Buffer.from(out).equals(Buffer.from(want)), c.fn).toBe(true);
    }
  });
});

describe.skipIf(!HAVE_CC)('layers of the shared models equal the engine', () => {
  const LAYERS = { lenet: [1, 3, 5], resnet8: [0, 4, 5, 6, 9] } as const;
  const cases: Array<{ fn: string; op: PreparedWeighted; mask: SkipMask | undefined; input: Uint8Array; output: Uint8Array; scratch: number }> = [];
  let machine: Machine;

  beforeAll(async () => {
    for (const model of ['lenet', 'resnet8'] as const) {
      const graph = loadModel(model);
      const prepared = prepareGraph(graph);
      const engine = createEngine(graph);
      const [image] = cifarInputs(model, 1).inputs;
      for (const index of LAYERS[model]) {
        const op = prepared.ops.find((p) => p.opIndex === index) as PreparedWeighted;
        for (const pct of [0, 30]) {
          const mask = pct === 0 ? undefined : randomSparseMask(op, pct / 100, index);
          const t = engine.trace(image, mask === undefined ? undefined : new Map([[index, mask]]));
          cases.push({ fn: `${model}_op${index}_m${pct}`, op, mask, input: t.get(op.input)!, output: t.get(op.output)!, scratch: 0 });
        }
      }
    }
    const layers = cases.map((c) => emitSparseLayer(c.op, c.fn, c.mask));
    layers.forEach((l, i) => (cases[i].scratch = l.scratchBytes));
    machine = await buildImage(layers.map((l) => l.source), BIG_IDEAL);
    return () => machine.close();
  }, 900_000);

  it('LeNet conv 1, 3, 5 and ResNet-8 conv 0, 4, 5, 6, 9, exact and with 30 % of the units skipped', () => {
    expect(cases.length).toBe(16);
    for (const c of cases) {
      const { out } = callLayer(machine, c.fn, c.input, c.output.length, c.scratch);
      expect(Buffer.from(out).equals(Buffer.from(c.output)), c.fn).toBe(true);
    }
  });

  it('cycles fall by 19 per pass for every unit skipped, 156 per block of 8 (ResNet-8 conv 9, ideal)', async () => {
    const c = cases.find((x) => x.fn === 'resnet8_op9_m0')!;
    const op = c.op;
    // mask skipping the first n non-zero units of every channel pair (288 of them, 36 blocks of 8)
    const firstUnits = (n: number): SkipMask => {
      const g = op.geometry;
      const K = g.kh * g.kw * g.c;
      const mask = new Uint8Array(op.weights.length);
      for (let o = 0; o < g.oc; o += 2) {
        let left = n;
        for (let t = 0; t < g.kh * g.kw && left > 0; t++) {
          for (let ch = 0; ch < g.c && left > 0; ch += 2) {
            const members = [o, o + 1].flatMap((oo) => [ch, ch + 1].map((cc) => oo * K + t * g.c + cc));
            if (members.every((i) => op.weights[i] === 0)) continue;
            for (const i of members) mask[i] = 1;
            left--;
          }
        }
      }
      return mask;
    };
    const variants = [0, 1, 4, 5, 8, 40].map((n) => ({ n, mask: n === 0 ? undefined : firstUnits(n) }));
    // one image per variant, the layer under one name: its code (the same bytes) at the same address in
    // each, so that the emulator's translation blocks split the pass loop alike (a loop crossing a 1 KB
    // page is cut there, and a load pipelined across the cut loses its cycle)
    const cycles: number[] = [];
    for (const v of variants) {
      const l = emitSparseLayer(op, 'units_minus', v.mask);
      const m = await buildImage([l.source], BIG_IDEAL);
      try {
        cycles.push(callLayer(m, l.fn, c.input, c.output.length, l.scratchBytes).cycles);
      } finally {
        m.close();
      }
    }
    {
      // Cycles of one pass on the zero-wait board (TRM table 3-1 and the timing table's rules), per block
      // of 8 units: unit 0 = LDR 2 + LDR 1 (pipelined) + LDR [a] 1 (pipelined) + 2 SMLAD + LDR 2 + 2 SMLAD
      // + LDR 2 + LDR 1 (pipelined) + 4 SMLAD = 17; units 1-7 = LDRSH 2 + LDR 1 + LDR 1 + LDR [p, a] 1
      // (all pipelined) + ADD 1 + the same 13 = 19 each (unit 7's second weight load steps e by
      // writeback); block end LDRSH 2 + ADDS 1 + BCC 1 + P 2 = 6: 17 + 7 x 19 + 6 = 156. Entry with a
      // full first block: LDRSH 2 + ADDS 1 + BCC 1 + P 2 = 6; with a partial one (its units in the last
      // slots): LDRSH 2 + ADDS 1 + BCC 1 (not taken) + MVNS 1 + ADD PC 1 + P 2 = 8, then units k..7.
      // 16 passes (8 x 8 outputs, 4 per pass) for each of the 32 channel pairs.
      const passes = 32 * 16;
      // 1 unit less: the first block runs slots 1-7 after the jump instead of 0-7: 6 + 17 - 8 = 15 per pass
      // 4 less: 6 + 17 + 3 x 19 - 8 = 72; 5 less: 72 + 19 = 91
      // 8 less: one block per pass (156) and its copy to SRAM once per pair: twice LDM 5 + 8 SXTB16 + two
      // STM of 4 (5 each), the offsets' LDM 5 + STM 5, SUBS 1 + BNE 1 + P 2 = 60; 40 less: five blocks.
      const perBlock = 32 * (16 * 156 + 60);
      expect(cycles.map((x) => cycles[0] - x)).toEqual([0, passes * 15, passes * 72, passes * 91, perBlock, 5 * perBlock]);
      // 3,023,010 when the packed units were static arrays of the C (now the assembly's tables: their addresses loaded apart)
      expect(cycles[0]).toBe(3023506);
    }
  }, 900_000);

  it('half units of both channels, an odd channel count and the column pass equal the engine', async () => {
    // 16 input channels (72 units per pair), 5 output channels (pair 2 without a second), ow % 4 = 1 (the column pass)
    const odd = randomConv(shape({ h: 9, w: 7, c: 16, oc: 5, padTop: 1, padLeft: 1, oh: 9, ow: 5 }), 11);
    const lenet3 = prepareGraph(loadModel('lenet')).ops.find((p) => p.opIndex === 3) as PreparedWeighted;
    const subjects = [
      { fn: 'halves_odd', op: odd, mask: halvingMask(odd, 24) },
      { fn: 'halves_lenet3', op: lenet3, mask: halvingMask(lenet3, 40) },
    ];
    for (const s of subjects) expect(sparseUnits(s.op, s.mask, sparsePatch(s.op)).halves.slice(0, 2).map((h) => [h[0].length, h[1].length])).toEqual(s.fn === 'halves_odd' ? [[24, 0], [0, 24]] : [[40, 0], [0, 40]]);
    const layers = subjects.map((x) => emitSparseLayer(x.op, x.fn, x.mask));
    const m = await buildImage(layers.map((l) => l.source), BIG_IDEAL);
    try {
      for (const [i, x] of subjects.entries()) {
        const input = randomInput(x.op, 200 + i);
        const want = referenceOutput(x.op, x.mask, input);
        const { out } = callLayer(m, x.fn, input, want.length, layers[i].scratchBytes);
        expect(Buffer.from(out).equals(Buffer.from(want)), x.fn).toBe(true);
      }
    } finally {
      m.close();
    }
  }, 900_000);

  it('a unit whose one channel is skipped runs as a half unit: output = engine, fewer cycles (ResNet-8 conv 9, ideal)', async () => {
    const c = cases.find((x) => x.fn === 'resnet8_op9_m0')!;
    const op = c.op;
    // channel 2q + 1's pair skipped in the first n units of every channel pair whose channel 2q keeps a weight
    const halfUnits = (n: number): SkipMask => halvingMask(op, n, true);
    const engine = createEngine(loadModel('resnet8'));
    const [image] = cifarInputs('resnet8', 1).inputs;
    const cycles: number[] = [];
    // exact; 16, 17 and 24 half units per channel pair; 15 (fewer than MIN_PAIR_HALVES: kept whole); 24 with halves off
    for (const [n, halves] of [[0, true], [16, true], [17, true], [24, true], [15, true], [24, false]] as const) {
      const mask = n === 0 ? undefined : halfUnits(n);
      const l = emitSparseLayer(op, 'half_units', mask, { halves });
      const want = engine.trace(image, mask ? new Map([[9, mask]]) : undefined).get(op.output)!;
      const m = await buildImage([l.source], BIG_IDEAL);
      try {
        const r = callLayer(m, l.fn, c.input, want.length, l.scratchBytes);
        expect(Buffer.from(r.out).equals(Buffer.from(want)), `${n} ${halves}`).toBe(true);
        cycles.push(r.cycles);
      } finally {
        m.close();
      }
    }
    expect(cycles).toEqual([3023506, 2994436, 2994436, 2969732, 3023506, 3023506]);
    // 8 more half units per pair (24 against 16), per pass of the 32 pairs x 16 passes: four more iterations of the
    // half pass, 27 cycles each (two units: LDR e 2 + four input loads and the next offset 5, pipelined + 4 SMLAD +
    // ADD 1 + LDR w 2 + five loads 5 + 4 SMLAD + ADDS 1 + BCC 1 + P 2), and one block of 8 whole units fewer (156,
    // see above); per pair, its copy: one block fewer (60) and 16 more list words (four LDM / STM of 4: 5 + 5 + SUBS 1
    // + BPL 1 + P 2 = 14 each)
    expect(cycles[1] - cycles[3]).toBe(32 * (16 * (156 - 4 * 27) + (60 - 4 * 14)));
    // the 17th unit of an odd count stays whole: the same cycles as 16
    expect(cycles[2]).toBe(cycles[1]);
  }, 900_000);
});
