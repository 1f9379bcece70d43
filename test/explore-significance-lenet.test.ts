/**
 * Significance on the real LeNet with calibration images from data_batch_1:
 * value ranges, per-channel normalisation, determinism, the cache (round
 * trip and recovery from damaged files) and the calibration source.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  calibrationInputs,
  computeSignificance,
  decodeSignificance,
  encodeSignificance,
  loadSignificance,
  significanceForModel,
  type ModelSignificance,
} from '../src/explore/significance/index.js';
import { preprocessImage } from '../src/model/dataset/preprocess.js';
import type { Graph } from '../src/model/ir.js';
import type { Preprocess } from '../src/model/registry.js';
import { cifarInputs, loadModel, SHARED } from './helpers/engine-fixtures.js';
import { channelSums } from './helpers/significance.js';

const LENET_PRE: Preprocess = { kind: 'float', scale: 1 / 255, offset: 0 };
const DATA = join(SHARED, 'datasets', 'cifar10');
const CALIBRATION = 16;

let graph: Graph;
let inputs: Uint8Array[];
let seed: ModelSignificance;
let contribution: ModelSignificance;
let dir: string;

beforeAll(() => {
  graph = loadModel('lenet');
  inputs = calibrationInputs(graph, LENET_PRE, CALIBRATION, DATA);
  seed = computeSignificance(graph, 'seed', inputs);
  contribution = computeSignificance(graph, 'contribution', inputs);
  dir = mkdtempSync(join(tmpdir(), 'sim-dse-sig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('calibration images', () => {
  test('come from data_batch_1, never the test set', () => {
    const batch = readFileSync(join(DATA, 'data_batch_1.bin'));
    expect(inputs).toHaveLength(CALIBRATION);
    expect(Buffer.from(inputs[3]).equals(Buffer.from(preprocessImage(batch.subarray(3 * 3073 + 1, 4 * 3073), LENET_PRE)))).toBe(true);
    expect(Buffer.from(inputs[0]).equals(Buffer.from(cifarInputs('lenet', 1).inputs[0]))).toBe(false);
  });

  test('a count outside 1..10000 is an error', () => {
    expect(() => calibrationInputs(graph, LENET_PRE, 0, DATA)).toThrow('calibration image count must be a positive integer, got 0');
    expect(() => calibrationInputs(graph, LENET_PRE, 10001, DATA)).toThrow('data_batch_1.bin: cannot take 10001 images (it has 10000)');
  });
});

describe('LeNet significance', () => {
  test('covers the five maskable layers, one value per weight', () => {
    const shape = seed.layers.map((l) => [l.opIndex, l.kind, l.channels, l.reduction, l.inputChannels, l.values.length]);
    expect(shape).toEqual([
      [1, 'conv', 32, 27, 3, 864],
      [3, 'conv', 64, 288, 32, 18432],
      [5, 'conv', 64, 576, 64, 36864],
      [7, 'fc', 64, 1024, 1024, 65536],
      [8, 'fc', 10, 64, 64, 640],
    ]);
  });

  test.each(['seed', 'contribution'] as const)('%s: values in [0, 1] and every channel sums to 1', (metric) => {
    const { outOfRange, worst } = channelSums(metric === 'seed' ? seed : contribution);
    expect(outOfRange).toBe(0);
    expect(worst).toBeLessThan(1e-5);
  });

  test('contribution of a zero weight is 0; seed of a zero weight is not (its partial sum carries on)', () => {
    const l = contribution.layers[1];
    const zero = l.weights.findIndex((w) => w === 0);
    expect(zero).toBeGreaterThanOrEqual(0);
    expect(l.values[zero]).toBe(0);
    expect(seed.layers[1].values[zero]).toBeGreaterThan(0);
  });

  test('two computations are byte-identical', () => {
    const again = computeSignificance(graph, 'seed', inputs);
    expect(Buffer.from(encodeSignificance(again)).equals(Buffer.from(encodeSignificance(seed)))).toBe(true);
    expect(again.key).toBe(seed.key);
  });

  test('the key depends on the metric and on the calibration images', () => {
    expect(contribution.key).not.toBe(seed.key);
    expect(computeSignificance(graph, 'contribution', inputs.slice(0, 2)).key).not.toBe(contribution.key);
  });
});

describe('significance cache', () => {
  test('computes once, then reads the same values back', () => {
    const first = loadSignificance({ graph, metric: 'seed', inputs, cacheDir: dir });
    expect(first.source).toEqual({ kind: 'computed' });
    expect(first.path).toBe(join(dir, `lenet-seed-n${CALIBRATION}-${seed.key.slice(0, 16)}.sig`));
    const second = loadSignificance({ graph, metric: 'seed', inputs, cacheDir: dir });
    expect(second.source).toEqual({ kind: 'cache' });
    expect(Buffer.from(encodeSignificance(second.significance)).equals(Buffer.from(encodeSignificance(seed)))).toBe(true);
    expect(Array.from(second.significance.layers[2].weights)).toEqual(Array.from(seed.layers[2].weights));
    // The file is the header plus 4 bytes per weight of the five layers.
    const bytes = readFileSync(first.path);
    expect(bytes.length - 12 - new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(4 * (864 + 18432 + 36864 + 65536 + 640));
  });

  test.each([
    ['a flipped payload byte', (b: Buffer) => { b[b.length - 7] ^= 0x40; return b; }, 'payload checksum mismatch'],
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 100), 'payload has'],
    ['a bad magic', (b: Buffer) => { b[0] = 0x58; return b; }, 'bad magic'],
    ['a broken header', (b: Buffer) => { b[12] = 0x78; return b; }, 'header is not valid JSON'],
  ])('recomputes after %s and repairs the file', (_what, damage, reason) => {
    const { path } = loadSignificance({ graph, metric: 'contribution', inputs, cacheDir: dir });
    writeFileSync(path, damage(Buffer.from(readFileSync(path))));
    const again = loadSignificance({ graph, metric: 'contribution', inputs, cacheDir: dir });
    expect(again.source.kind).toBe('recomputed');
    expect(again.source.kind === 'recomputed' && again.source.reason).toContain(reason);
    expect(Buffer.from(encodeSignificance(again.significance)).equals(Buffer.from(encodeSignificance(contribution)))).toBe(true);
    expect(loadSignificance({ graph, metric: 'contribution', inputs, cacheDir: dir }).source).toEqual({ kind: 'cache' });
  });

  test('a valid file of another key under the expected name is not trusted', () => {
    const { path } = loadSignificance({ graph, metric: 'contribution', inputs, cacheDir: dir });
    writeFileSync(path, encodeSignificance({ ...seed, metric: 'contribution', key: '0'.repeat(64) }));
    const again = loadSignificance({ graph, metric: 'contribution', inputs, cacheDir: dir });
    expect(again.source).toEqual({ kind: 'recomputed', reason: 'key differs' });
  });

  test('decode rejects an empty file', () => {
    expect(decodeSignificance(new Uint8Array(0))).toEqual({ kind: 'corrupt', reason: 'not a significance cache file (bad magic)' });
  });

  test('magnitude needs no calibration images and caches under n0', () => {
    const m = loadSignificance({ graph, metric: 'magnitude', inputs, cacheDir: dir });
    expect(m.significance.calibration).toBe(0);
    expect(m.path).toContain('lenet-magnitude-n0-');
    const l = m.significance.layers[0];
    let sum = 0;
    for (let k = 0; k < 27; k++) sum += Math.abs(l.weights[k]);
    expect(l.values[0]).toBe(Math.fround(Math.abs(l.weights[0]) / sum));
  });

  test('significanceForModel: calibration from data_batch_1 through the cache; magnitude needs no dataset', () => {
    const model = { graph, preprocess: LENET_PRE };
    const loaded = significanceForModel(model, 'contribution', { calibration: CALIBRATION, dataDir: DATA, cacheDir: dir });
    expect(loaded.significance.key).toBe(contribution.key);
    const m = significanceForModel(model, 'magnitude', { dataDir: join(dir, 'no-such-folder'), cacheDir: dir });
    expect(m.significance.calibration).toBe(0);
  });
});
