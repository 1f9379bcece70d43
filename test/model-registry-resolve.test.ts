import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelError } from '../src/model/errors.js';
import type { Graph } from '../src/model/ir.js';
import { loadManifest, modelsDir, parseManifest, parsePreprocess, preprocessFromInput, resolveModel } from '../src/model/registry.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite'));
const saved = process.env.SIM_DSE_MODELS;
afterEach(() => {
  if (saved === undefined) delete process.env.SIM_DSE_MODELS;
  else process.env.SIM_DSE_MODELS = saved;
});

const withInput = (dtype: 'int8' | 'float32', scale?: number, zp?: number): Graph => ({
  name: 'm',
  tensors: [{
    index: 0, name: 'in', shape: [1, 32, 32, 3], dtype,
    quant: scale === undefined ? null : { scale: Float64Array.of(scale), zeroPoint: Int32Array.of(zp ?? 0), axis: 0 },
    data: null,
  }],
  ops: [],
  inputs: [0],
  outputs: [0],
});

describe('model registry', () => {
  it('has the committed manifest entries', () => {
    const m = loadManifest();
    expect(m.map((e) => [e.name, e.file, e.sha256.slice(0, 8), e.preprocess])).toEqual([
      ['lenet', 'lenet-cifar10-int8.tflite', 'b098b746', { kind: 'float', scale: 1 / 255, offset: 0 }],
      ['resnet8', 'resnet8-cifar10-int8.tflite', '3c002613', { kind: 'int8', offset: -128 }],
    ]);
  });

  it('parses --preprocess values', () => {
    expect(parsePreprocess('int8:-128')).toEqual({ kind: 'int8', offset: -128 });
    expect(parsePreprocess('float:1/255:0')).toEqual({ kind: 'float', scale: 1 / 255, offset: 0 });
    expect(parsePreprocess('float:0.5:-1')).toEqual({ kind: 'float', scale: 0.5, offset: -1 });
    expect(() => parsePreprocess('int8:1.5')).toThrow('--preprocess int8:1.5: the int8 offset must be an integer');
    expect(() => parsePreprocess('uint8:0')).toThrow(/expected int8:OFFSET or float:SCALE:OFFSET/);
  });

  it('derives preprocessing from the input quantization', () => {
    expect(preprocessFromInput(withInput('float32'))).toEqual({ kind: 'float', scale: 1 / 255, offset: 0 });
    expect(preprocessFromInput(withInput('int8', 1, -128))).toEqual({ kind: 'int8', offset: -128 });
    expect(preprocessFromInput(withInput('int8', Math.fround(1 / 255), -128))).toEqual({ kind: 'int8', offset: -128 });
    expect(() => preprocessFromInput(withInput('int8', 0.02, 3))).toThrow(
      new ModelError('m: cannot derive preprocessing from input in (int8, scale 0.02, zero point 3); pass --preprocess int8:OFFSET or float:SCALE:OFFSET'),
    );
  });

  it('rejects a bad manifest entry', () => {
    expect(() => parseManifest('{"models":[{"name":"x","file":"x.tflite","sha256":"00","dataset":"cifar10"}]}', 'man.json')).toThrow(
      'man.json: models[0] needs a lower-case hex "sha256"',
    );
  });

  it('finds the models folder from the option, then SIM_DSE_MODELS', () => {
    process.env.SIM_DSE_MODELS = '/opt/models';
    expect(modelsDir('/tmp/m')).toBe('/tmp/m');
    expect(modelsDir()).toBe('/opt/models');
  });

  it.skipIf(!have)('resolves a name and a path (found by sha256) to the same manifest entry', () => {
    const byName = resolveModel('resnet8');
    const byPath = resolveModel(join(shared!, 'models', 'resnet8-cifar10-int8.tflite'));
    expect([byName.name, byName.preprocessFrom, byPath.name, byPath.preprocessFrom, byPath.entry?.name]).toEqual([
      'resnet8', 'manifest', 'resnet8', 'manifest', 'resnet8',
    ]);
    expect(resolveModel('lenet', { preprocess: { kind: 'float', scale: 1, offset: 0 } }).preprocessFrom).toBe('option');
    expect(() => resolveModel('lenet', { modelsDir: '/nonexistent' })).toThrow(
      'model file /nonexistent/lenet-cifar10-int8.tflite not found (model "lenet"; check --models or SIM_DSE_MODELS)',
    );
  });
});
