/**
 * Masks of configurations: hand-made layers (thresholds, fractions, the seed
 * pair rule, zero weights, depthwise pairs), then properties on LeNet
 * (monotone in threshold and fraction, pairs never split).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { calibrationInputs, computeSignificance, operandIndex, type LayerSignificance, type ModelSignificance, type SignificanceMetric } from '../src/explore/significance/index.js';
import { configurationAt, configurationJson, layerMask, masksFor, parseConfigurationJson, presetSpace, spaceSize, type Configuration } from '../src/explore/space/index.js';
import { UsageError } from '../src/util/errors.js';
import { TOY_CONV } from './helpers/significance.js';
import { loadModel, SHARED } from './helpers/engine-fixtures.js';

const LENET = loadModel('lenet');

const CONV = TOY_CONV;
const model = (metric: SignificanceMetric, layers: LayerSignificance[] = [CONV]): ModelSignificance => ({ model: 'toy', metric, calibration: 1, key: 'k', layers });
const mask = (metric: SignificanceMetric, kind: 'threshold' | 'fraction', value: number, layer = CONV): number[] | null => {
  const m = layerMask(layer, metric, { kind, opIndex: layer.opIndex, value });
  return m === null ? null : Array.from(m);
};

describe('masks of a hand-made layer', () => {
  test('threshold: non-zero operands strictly below it; zero weights never marked', () => {
    expect(mask('contribution', 'threshold', 0.2)).toEqual([0, 0, 1, 0, 1, 1, 0, 0, 0, 1]);
    expect(mask('contribution', 'threshold', 0.15)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(mask('contribution', 'threshold', 0.002)).toBeNull();
  });

  test('seed: a pair (0,1), (2,3) is skipped only when both are below; a zero weight counts as below', () => {
    // units ch0: {0} (its partner is zero) key .4, {2,3} key .3, {4} .15; ch1: {5,6} .5, {9} .198
    expect(mask('seed', 'threshold', 0.2)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(mask('seed', 'threshold', 0.35)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1]);
    expect(mask('seed', 'threshold', 0.41)).toEqual([1, 0, 1, 1, 1, 0, 0, 0, 0, 1]);
  });

  test('fraction: round(f * non-zero weights) lowest first, over the whole layer', () => {
    // 7 non-zero weights; order 5 (.002), 2 (.05), 4 (.15), 9 (.198), 3, 0, 6
    expect(mask('contribution', 'fraction', 0.5)).toEqual([0, 0, 1, 0, 1, 1, 0, 0, 0, 1]);
    expect(mask('contribution', 'fraction', 0.3)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(mask('contribution', 'fraction', 1)).toEqual([1, 0, 1, 1, 1, 1, 1, 0, 0, 1]);
    expect(mask('contribution', 'fraction', 0.07)).toBeNull();
  });

  test('unit pair: contribution and magnitude skip whole SMLAD pairs, like seed; the unit is part of the point id only then', () => {
    const pairMask = (metric: SignificanceMetric, value: number): number[] | null => {
      const m = layerMask(CONV, metric, { kind: 'threshold', opIndex: 4, value }, 'pair');
      return m === null ? null : Array.from(m);
    };
    // same units as seed: {0} .4, {2,3} .3, {4} .15, {5,6} .5, {9} .198 (weight units at .2 also skip 2 and 5)
    expect(pairMask('contribution', 0.2)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(pairMask('contribution', 0.35)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1]);
    const settings = [{ kind: 'threshold' as const, opIndex: 4, value: 0.2 }];
    expect(configurationJson({ metric: 'contribution', unit: 'pair', settings })).toBe(
      '{"metric":"contribution","unit":"pair","settings":[{"op":4,"kind":"threshold","value":0.2}]}',
    );
    expect(configurationJson({ metric: 'seed', unit: 'pair', settings })).toBe(configurationJson({ metric: 'seed', settings }));
    expect(configurationJson({ metric: 'contribution', unit: 'weight', settings })).toBe(configurationJson({ metric: 'contribution', settings }));
    expect(parseConfigurationJson(configurationJson({ metric: 'magnitude', unit: 'pair', settings })).unit).toBe('pair');
    expect(() => parseConfigurationJson('{"metric":"magnitude","unit":"tap","settings":[]}')).toThrow(UsageError);
    expect(Array.from(masksFor({ metric: 'contribution', unit: 'pair', settings }, model('contribution')).get(4) ?? [])).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  test('fraction with seed pairs may overshoot by one weight', () => {
    // target round(0.4 * 7) = 3: {4}, {9}, then the pair {2,3} -> 4 weights
    expect(mask('seed', 'fraction', 0.4)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1]);
  });

  test('ties in fraction order go to the lower storage index', () => {
    const flat: LayerSignificance = { ...CONV, values: new Float32Array(10).fill(0.1) };
    expect(mask('magnitude', 'fraction', 0.3, flat)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('pairs stay inside one tap: with 3 input channels, (0,1) and 2 alone in every tap', () => {
    const odd: LayerSignificance = {
      opIndex: 0, kind: 'conv', channels: 1, reduction: 6, inputChannels: 3,
      weights: Int8Array.from([1, 1, 1, 1, 1, 1]),
      values: Float32Array.from([0.1, 0.3, 0.1, 0.1, 0.1, 0.3]),
    };
    // units {0,1} .3, {2} .1, {3,4} .1, {5} .3; a reduction-index pairing would have made {2,3}
    expect(mask('seed', 'threshold', 0.2, odd)).toEqual([0, 0, 1, 1, 1, 0]);
  });

  test('depthwise operands (storage r * OC + o) have no SMLAD partner', () => {
    const dw: LayerSignificance = {
      opIndex: 0, kind: 'depthwise', channels: 2, reduction: 3, inputChannels: 2,
      weights: Int8Array.from([1, 1, 1, 1, 1, 1]),
      values: Float32Array.from([0.1, 0.6, 0.2, 0.1, 0.7, 0.3]),
    };
    expect(mask('seed', 'threshold', 0.25, dw)).toEqual([1, 0, 1, 1, 0, 0]);
    expect(mask('seed', 'fraction', 0.5, dw)).toEqual([1, 0, 1, 1, 0, 0]);
  });
});

describe('masksFor', () => {
  test('one mask per layer that skips something, keyed by operator index', () => {
    const other: LayerSignificance = { ...CONV, opIndex: 9 };
    const config: Configuration = {
      metric: 'contribution',
      settings: [
        { kind: 'threshold', opIndex: 9, value: 0.001 },
        { kind: 'fraction', opIndex: 4, value: 0.5 },
      ],
    };
    const masks = masksFor(config, model('contribution', [CONV, other]));
    expect([...masks.keys()]).toEqual([4]);
    expect(Array.from(masks.get(4)!)).toEqual([0, 0, 1, 0, 1, 1, 0, 0, 0, 1]);
  });

  test('usage errors: unknown layer, other metric, value out of range', () => {
    const sig = model('contribution');
    const at = (opIndex: number, value = 0.1): Configuration => ({ metric: 'contribution', settings: [{ kind: 'threshold', opIndex, value }] });
    expect(() => masksFor(at(2), sig)).toThrow(UsageError);
    expect(() => masksFor(at(2), sig)).toThrow('unknown layer 2: toy has maskable layers 4');
    expect(() => masksFor({ ...at(4), metric: 'seed' }, sig)).toThrow('the configuration uses significance metric seed, but the significance given is contribution');
    expect(() => masksFor(at(4, 1.01), sig)).toThrow('significance threshold 1.01 of layer 4 is out of range');
    expect(() => masksFor(at(4, Number.NaN), sig)).toThrow('out of range');
  });
});

describe('masks on LeNet', () => {
  let seed: ModelSignificance;
  let contribution: ModelSignificance;
  beforeAll(() => {
    const inputs = calibrationInputs(LENET, { kind: 'float', scale: 1 / 255, offset: 0 }, 8, join(SHARED, 'datasets', 'cifar10'));
    seed = computeSignificance(LENET, 'seed', inputs);
    contribution = computeSignificance(LENET, 'contribution', inputs);
  });

  const count = (m: Uint8Array | undefined): number => (m === undefined ? 0 : m.reduce((a, b) => a + b, 0));
  const PINNED = [[1351, 7534], [7072, 33605], [14934, 36385]];
  const subset = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a === undefined || a.every((v, i) => v === 0 || b?.[i] === 1);

  test('seed-grid: masks grow monotonically with each threshold and never split a pair of non-zero weights', () => {
    const space = presetSpace('seed-grid', LENET);
    const masks = Array.from({ length: spaceSize(space) }, (_, i) => masksFor(configurationAt(space, i), seed));
    expect(masks[0].size).toBe(0);
    for (let a = 0; a < 11; a++) {
      for (let b = 0; b < 11; b++) {
        const m = masks[a * 11 + b];
        if (a < 10) expect(subset(m.get(3), masks[(a + 1) * 11 + b].get(3))).toBe(true);
        if (b < 10) expect(subset(m.get(5), masks[a * 11 + b + 1].get(5))).toBe(true);
      }
    }
    let split = 0;
    for (const m of masks) {
      for (const op of [3, 5]) {
        const l = seed.layers.find((x) => x.opIndex === op)!;
        const mk = m.get(op);
        if (mk === undefined) continue;
        for (let o = 0; o < l.channels; o++) {
          for (let k = 0; k + 1 < l.reduction; k += 2) {
            const i = operandIndex(l, o, k);
            const j = operandIndex(l, o, k + 1);
            if (l.weights[i] !== 0 && l.weights[j] !== 0 && mk[i] !== mk[j]) split++;
            if ((l.weights[i] === 0 && mk[i] !== 0) || (l.weights[j] === 0 && mk[j] !== 0)) split++;
          }
        }
      }
    }
    expect(split).toBe(0);
    // Skipped weights of layers 3 and 5 at thresholds 0.001, 0.003 and 0.005 (8 calibration images).
    expect([12, 36, 60].map((i) => [count(masks[i].get(3)), count(masks[i].get(5))])).toEqual(PINNED);
  });

  test('default space: skip fractions hit round(f * non-zero weights) and grow monotonically', () => {
    const space = presetSpace('default', LENET);
    const levels = space.layers[0].levels;
    for (const l of contribution.layers) {
      const nonZero = l.weights.reduce((n, w) => n + (w !== 0 ? 1 : 0), 0);
      let prev: Uint8Array | undefined;
      for (const f of levels) {
        const m = masksFor({ metric: 'contribution', settings: [{ kind: 'fraction', opIndex: l.opIndex, value: f }] }, contribution).get(l.opIndex);
        expect(count(m)).toBe(Math.round(f * nonZero));
        expect(subset(prev, m)).toBe(true);
        prev = m;
      }
    }
  });
});
