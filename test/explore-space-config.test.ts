/**
 * Configurations (validation, stable JSON, content hash), spaces (layers,
 * levels, enumeration), presets and option parsers, on the real LeNet graph.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  buildSpace,
  configurationAt,
  configurationFromLevels,
  configurationHash,
  configurationId,
  configurationJson,
  levelsAt,
  parseConfigurationJson,
  parseLayers,
  parseLevels,
  presetSpace,
  SEED_THRESHOLD_LEVELS,
  spaceSize,
  type Configuration,
} from '../src/explore/space/index.js';
import type { SignificanceMetric } from '../src/explore/significance/index.js';
import { UsageError } from '../src/util/errors.js';
import { loadModel } from './helpers/engine-fixtures.js';

const lenet = loadModel('lenet');

describe('configuration JSON and hash', () => {
  const config: Configuration = {
    metric: 'seed',
    settings: [
      { kind: 'threshold', opIndex: 5, value: 0.002 },
      { kind: 'threshold', opIndex: 1, value: 0 },
      { kind: 'threshold', opIndex: 3, value: 0.001 },
    ],
  };
  const json = '{"metric":"seed","settings":[{"op":3,"kind":"threshold","value":0.001},{"op":5,"kind":"threshold","value":0.002}]}';

  test('stable JSON: sorted by operator, zero settings dropped, fixed key order', () => {
    expect(configurationJson(config)).toBe(json);
    expect(configurationJson({ ...config, settings: [...config.settings].reverse() })).toBe(json);
  });

  test('hash is sha256 of the stable JSON; the id is its first 16 hex digits', () => {
    const hash = createHash('sha256').update(json).digest('hex');
    expect(configurationHash(config)).toBe(hash);
    expect(configurationId(config)).toBe(hash.slice(0, 16));
    expect(configurationId({ ...config, settings: [{ kind: 'threshold', opIndex: 3, value: 0.001 }] })).not.toBe(configurationId(config));
    expect(configurationId({ ...config, metric: 'contribution' })).not.toBe(configurationId(config));
  });

  test('parse round trip', () => {
    const back = parseConfigurationJson(json);
    expect(configurationJson(back)).toBe(json);
    expect(back.settings[0]).toEqual({ kind: 'threshold', opIndex: 3, value: 0.001 });
  });

  test.each([
    ['{"metric":"seed","settings":[{"op":3,"kind":"threshold","value":1.5}]}', 'significance threshold 1.5 of layer 3 is out of range: expected a number from 0 to 1'],
    ['{"metric":"seed","settings":[{"op":3,"kind":"fraction","value":-0.1}]}', 'skip fraction -0.1 of layer 3 is out of range'],
    ['{"metric":"hessian","settings":[]}', 'unknown significance metric "hessian"'],
    ['{"metric":"seed","settings":[{"op":3,"kind":"top","value":0.1}]}', 'is not {"op": N'],
    ['{"metric":"seed","settings":[{"op":3,"kind":"fraction","value":0.1},{"op":3,"kind":"fraction","value":0.2}]}', 'layer 3 has two settings'],
    ['not json', 'configuration: not valid JSON'],
  ])('parse rejects %s', (text, message) => {
    expect(() => parseConfigurationJson(text)).toThrow(UsageError);
    expect(() => parseConfigurationJson(text)).toThrow(message);
  });
});

describe('spaces on LeNet', () => {
  test('seed-grid: layers 3 and 5 (2nd and 3rd conv), thresholds 0..0.01 step 0.001, seed metric, 121 points', () => {
    const s = presetSpace('seed-grid', lenet);
    expect(s.metric).toBe('seed');
    expect(s.kind).toBe('threshold');
    expect(s.layers.map((l) => l.opIndex)).toEqual([3, 5]);
    expect(s.layers[0].levels).toEqual([0, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01]);
    expect(spaceSize(s)).toBe(121);
    const ids = new Set(Array.from({ length: 121 }, (_, i) => configurationId(configurationAt(s, i))));
    expect(ids.size).toBe(121);
  });

  test('points are numbered in mixed radix, last layer fastest', () => {
    const s = presetSpace('seed-grid', lenet);
    expect(levelsAt(s, 13)).toEqual([1, 2]);
    expect(configurationAt(s, 13)).toEqual({
      metric: 'seed',
      settings: [
        { kind: 'threshold', opIndex: 3, value: 0.001 },
        { kind: 'threshold', opIndex: 5, value: 0.002 },
      ],
    });
    expect(configurationAt(s, 120).settings.map((x) => x.value)).toEqual([0.01, 0.01]);
    expect(() => configurationAt(s, 121)).toThrow('point 121 is out of range 0..120');
    expect(() => configurationFromLevels(s, [0, 11])).toThrow('level index 11 of layer 5 is out of range 0..10');
  });

  test('default: every maskable layer, 15 skip-fraction levels 0..0.6 (11 of them up to 0.2); --exclude-first drops the first conv', () => {
    const d = presetSpace('default', lenet);
    expect(d).toMatchObject({ metric: 'contribution', kind: 'fraction' });
    expect(d.layers.map((l) => l.opIndex)).toEqual([1, 3, 5, 7, 8]);
    expect(d.layers[0].levels).toEqual([0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4, 0.6]);
    expect(spaceSize(d)).toBe(15 ** 5);
    const e = presetSpace('default', lenet, { excludeFirst: true });
    expect(e.layers.map((l) => l.opIndex)).toEqual([3, 5, 7, 8]);
    expect(spaceSize(e)).toBe(15 ** 4);
  });

  test('custom layers and levels', () => {
    const s = buildSpace(lenet, { metric: 'magnitude', kind: 'threshold', layers: [7, 3], levels: [0, 0.5] });
    expect(s.layers).toEqual([
      { opIndex: 3, levels: [0, 0.5] },
      { opIndex: 7, levels: [0, 0.5] },
    ]);
  });

  test.each([
    [{ layers: [2] }, 'unknown layer 2 (operator 2 is MAX_POOL_2D, not maskable); lenet has maskable layers 1, 3, 5, 7, 8'],
    [{ layers: [99] }, 'unknown layer 99 (no operator 99)'],
    [{ layers: [3, 3] }, 'a layer is listed twice: 3, 3'],
    [{ kind: 'threshold' as const, levels: [0, 1.5] }, 'significance threshold 1.5 of layer 1 is out of range: expected a number from 0 to 1'],
    [{ levels: [0.2, 0.1] }, 'levels of layer 1 must be strictly ascending: 0.2 then 0.1'],
    [{ levels: [] }, 'layer 1 has no levels'],
    [{ metric: 'hessian' as SignificanceMetric }, 'unknown significance metric "hessian"; known: contribution, seed, magnitude, obs'],
  ])('bad options %j are usage errors', (options, message) => {
    expect(() => buildSpace(lenet, options)).toThrow(UsageError);
    expect(() => buildSpace(lenet, options)).toThrow(message);
  });

  test('unknown preset', () => {
    expect(() => presetSpace('grid', lenet)).toThrow('unknown space preset "grid"; known: seed-grid, default');
  });
});

describe('option parsers', () => {
  test('levels as a range (both ends included) or a list', () => {
    expect(parseLevels('0:0.01:0.001')).toEqual(SEED_THRESHOLD_LEVELS);
    expect(parseLevels('0:0.6:0.1')).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    expect(parseLevels('0,0.05,0.5')).toEqual([0, 0.05, 0.5]);
    expect(() => parseLevels('0:1:0')).toThrow('needs STEP > 0');
    expect(() => parseLevels('0,x')).toThrow('levels "0,x": "x" is not a number');
  });

  test('layers', () => {
    expect(parseLayers('3,5')).toEqual([3, 5]);
    expect(() => parseLayers('3,conv2')).toThrow('layer "conv2" is not an operator index');
  });
});
