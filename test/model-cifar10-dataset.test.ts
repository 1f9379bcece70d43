import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cifar10Dir, loadCifar10, parseCifar10 } from '../src/model/dataset/cifar10.js';
import { checkImageInput, modelInputs, preprocessImage } from '../src/model/dataset/preprocess.js';
import { DatasetError, ModelError } from '../src/model/errors.js';
import type { Graph } from '../src/model/ir.js';
import { sharedDir } from '../src/util/paths.js';

const dir = join(sharedDir() ?? '/nonexistent', 'datasets', 'cifar10');
const have = existsSync(join(dir, 'test_batch.bin'));

/** A synthetic record: label, then R plane = i, G plane = 255 - i, B plane = 7 (mod 256). */
function record(label: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let i = 0; i < 1024; i++) {
    r[1 + i] = i & 0xff;
    r[1025 + i] = 255 - (i & 0xff);
    r[2049 + i] = 7;
  }
  return r;
}

const graphWithInput = (shape: number[], dtype: 'int8' | 'float32'): Graph => ({
  name: 'g',
  tensors: [{ index: 0, name: 'in', shape, dtype, quant: null, data: null }],
  ops: [],
  inputs: [0],
  outputs: [0],
});

describe('CIFAR-10 binary reader', () => {
  it('reads a batch once per thread, and again when its file changed', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cifar-memo-'));
    const path = join(tmp, 'test_batch.bin');
    writeFileSync(path, record(3));
    const first = loadCifar10({ dir: tmp });
    expect(loadCifar10({ dir: tmp })).toBe(first);
    writeFileSync(path, record(8)); // same size, another label
    utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const changed = loadCifar10({ dir: tmp });
    expect(changed).not.toBe(first);
    expect([first.labels[0], changed.labels[0]]).toEqual([3, 8]);
  });

  it('parses labels and CHW planes of synthetic records', () => {
    const bytes = new Uint8Array(3073 * 2);
    bytes.set(record(3), 0);
    bytes.set(record(9), 3073);
    const ds = parseCifar10(bytes, 'mem');
    expect(ds.count).toBe(2);
    expect(Array.from(ds.labels)).toEqual([3, 9]);
    const img = ds.image(1);
    expect([img.length, img[0], img[300], img[1024], img[1024 + 300], img[2048]]).toEqual([3072, 0, 44, 255, 211, 7]);
  });

  it('converts CHW planes to NHWC input bytes (int8 and float32)', () => {
    const ds = parseCifar10(record(0), 'mem');
    const q = preprocessImage(ds.image(0), { kind: 'int8', offset: -128 });
    // pixel 1: R=1, G=254, B=7 -> -127, 126, -121
    expect(Array.from(new Int8Array(q.buffer, 3, 3))).toEqual([-127, 126, -121]);
    const f = new Float32Array(preprocessImage(ds.image(0), { kind: 'float', scale: 1 / 255, offset: 0 }).buffer);
    expect([f.length, f[3], f[4], f[5]]).toEqual([3072, Math.fround(1 / 255), Math.fround(254 / 255), Math.fround(7 / 255)]);
    const clamp = preprocessImage(ds.image(0), { kind: 'int8', offset: 0 });
    expect(new Int8Array(clamp.buffer)[3 * 200]).toBe(127); // R=200 clamps to 127
  });

  it('rejects a file whose size is not a multiple of 3073', () => {
    expect(() => parseCifar10(new Uint8Array(3074), 'odd.bin')).toThrow(
      new DatasetError('odd.bin: size 3074 is not a positive multiple of 3073 (not a CIFAR-10 binary batch)'),
    );
    const tmp = mkdtempSync(join(tmpdir(), 'cifar-'));
    writeFileSync(join(tmp, 'test_batch.bin'), new Uint8Array(5000));
    expect(() => loadCifar10({ dir: tmp })).toThrow(/test_batch.bin: size 5000 is not a multiple of 3073/);
  });

  it('rejects a bad label', () => {
    expect(() => parseCifar10(record(10), 'lab.bin')).toThrow('lab.bin: record 0 has label 10 (expected 0..9)');
  });

  it('names where to get the dataset when it is missing', () => {
    expect(() => cifar10Dir('/nonexistent/cifar')).toThrow(
      'CIFAR-10 not found at /nonexistent/cifar: download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, ' +
        'unpack it and pass --data <folder cifar-10-batches-bin> (or set SIM_DSE_DATA)',
    );
    const empty = mkdtempSync(join(tmpdir(), 'cifar-'));
    expect(() => loadCifar10({ dir: empty })).toThrow(/test batch not found in .*expected test_batch.bin.*cifar-10-binary.tar.gz/);
  });

  it('rejects a model whose input is not [1,32,32,3] or whose dtype does not fit', () => {
    expect(() => checkImageInput(graphWithInput([1, 28, 28, 1], 'int8'), { kind: 'int8', offset: -128 })).toThrow(
      new DatasetError('g: input in has shape [1,28,28,1]; CIFAR-10 needs one [1,H,W,3] input'),
    );
    expect(() => checkImageInput(graphWithInput([1, 32, 32, 3], 'float32'), { kind: 'int8', offset: -128 })).toThrow(
      new ModelError('g: input in is float32, but the preprocessing (int8) produces int8'),
    );
  });
});

describe.skipIf(!have)('CIFAR-10 test batch in the shared folder', () => {
  it('has 10,000 records, 1,000 per class, and the expected first records', () => {
    const ds = loadCifar10({ dir });
    expect(ds.count).toBe(10000);
    expect(ds.source).toBe('test_batch.bin');
    expect(Array.from(ds.labels.subarray(0, 5))).toEqual([5, 6, 8, 8, 2]);
    const perClass = new Array(10).fill(0);
    for (const l of ds.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(1000));
    const img = ds.image(0);
    expect(Array.from(img.subarray(0, 4))).toEqual([173, 179, 182, 178]);
    expect(Array.from(img.subarray(1024, 1028))).toEqual([185, 194, 198, 197]);
    expect(Array.from(img.subarray(2048, 2052))).toEqual([209, 213, 213, 203]);
    expect(img.reduce((a, x) => a + x, 0)).toBe(450827);
    expect(ds.image(2).reduce((a, x) => a + x, 0)).toBe(494778);
  });

  it('reads the training batch and prepares ResNet-8 style int8 inputs', () => {
    const train = loadCifar10({ dir, split: 'train' });
    expect([train.count, ...train.labels.subarray(0, 5)]).toEqual([10000, 9, 6, 8, 3, 4]);
    const test = loadCifar10({ dir });
    const inputs = modelInputs(test, graphWithInput([1, 32, 32, 3], 'int8'), { kind: 'int8', offset: -128 }, 100);
    expect(inputs.count).toBe(100);
    // first pixel of image 0: R=173 G=185 B=209 -> 45, 57, 81
    expect(Array.from(new Int8Array(inputs.input(0).buffer, 0, 3))).toEqual([45, 57, 81]);
  });
});
