import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEval } from '../src/cli/commands/eval.js';
import { loadCifar10 } from '../src/model/dataset/cifar10.js';
import { modelInputs, preprocessImage } from '../src/model/dataset/preprocess.js';
import { resizeBilinear } from '../src/model/dataset/resize.js';
import { createEngine } from '../src/model/engine/index.js';
import { DatasetError } from '../src/model/errors.js';
import { resolveModel } from '../src/model/registry.js';
import { SHARED } from './helpers/engine-fixtures.js';
import { generatedModels, runGenerator } from './helpers/generated-models.js';

const have = existsSync(join(SHARED, 'datasets', 'cifar10', 'test_batch.bin'));
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('generated models (scripts/generate-models.mjs)', () => {
  it('are written deterministically: the same bytes every time', () => {
    const a = generatedModels();
    const b = runGenerator();
    expect(sha(b.mobilenet)).toBe(sha(a.mobilenet));
    expect(sha(b.resnet14)).toBe(sha(a.resnet14));
    expect(sha(a.mobilenet)).toBe('a3936ed50af8a6b88b66fb9ffe14c373ab904b0187416103fecb50b45072c235');
    expect(sha(a.resnet14)).toBe('f23fa0b8b7bc2faf14622c5999cdb4237496ce85284828ff8c22692d85b33919');
  });

  it('MobileNet-style: 128x128x3 int8 input; PAD, depthwise 3x3, pointwise 1x1, MEAN, FULLY_CONNECTED, SOFTMAX', () => {
    const m = resolveModel(generatedModels().mobilenet);
    const g = m.graph;
    expect(g.tensors[g.inputs[0]].shape).toEqual([1, 128, 128, 3]);
    expect(g.ops.map((o) => o.kind)).toEqual([
      'CONV_2D', 'PAD', 'DEPTHWISE_CONV_2D', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'CONV_2D', 'MEAN', 'FULLY_CONNECTED', 'SOFTMAX',
    ]);
    expect(g.tensors[g.ops[3].inputs[1]].shape).toEqual([16, 1, 1, 4]);
    expect(g.tensors[g.ops[2].inputs[1]].shape).toEqual([1, 3, 3, 4]);
    // resized automatically, with a note naming the method; preprocessing from the input quantization
    expect(m.preprocess).toEqual({ kind: 'int8', offset: -128, resize: 'bilinear' });
    expect(m.preprocessFrom).toBe('input-quantization');
    expect(m.notes).toEqual([
      "mobilenet-128: input 128x128x3 differs from CIFAR-10's 32x32x3: images are resized bilinear (tf.image.resize, half_pixel_centers, no antialias) (--resize bilinear says so; --resize none refuses)",
    ]);
    expect(resolveModel(generatedModels().mobilenet, { resize: 'bilinear' }).notes).toEqual([]);
  });

  it('ResNet-14: 32x32x3, 14 weight layers plus 2 shortcut convs, 6 ADDs; no resize and no note', () => {
    const m = resolveModel(generatedModels().resnet14);
    const kinds = m.graph.ops.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'CONV_2D').length).toBe(15);
    expect(kinds.filter((k) => k === 'FULLY_CONNECTED').length).toBe(1);
    expect(kinds.filter((k) => k === 'ADD').length).toBe(6);
    expect(m.preprocess).toEqual({ kind: 'int8', offset: -128 });
    expect(m.notes).toEqual([]);
  });

  describe.skipIf(!have)('on CIFAR-10', () => {
    it('--resize none refuses the 128x128 model where images are fed', () => {
      const m = resolveModel(generatedModels().mobilenet, { resize: 'none' });
      expect(() => modelInputs(loadCifar10({ split: 'test' }), m.graph, m.preprocess, 1)).toThrow(DatasetError);
    });

    it('the resized input of image 0 is the bilinear image of its pixels, minus 128, rounded', () => {
      const ds = loadCifar10({ split: 'test' });
      const m = resolveModel(generatedModels().mobilenet);
      const input = new Int8Array(modelInputs(ds, m.graph, m.preprocess, 1).input(0).buffer);
      const chw = ds.image(0);
      const hwc = new Float32Array(3072);
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) hwc[p * 3 + c] = chw[c * 1024 + p];
      const r = resizeBilinear(hwc, 32, 32, 3, 128, 128);
      expect(Array.from(input)).toEqual(Array.from(r, (v) => Math.max(-128, Math.min(127, Math.round(v) - 128))));
      expect(Buffer.from(preprocessImage(chw, m.preprocess, [128, 128])).equals(Buffer.from(input.buffer))).toBe(true);
    });

    for (const name of ['mobilenet', 'resnet14'] as const) {
      it(`${name}: eval on 30 images equals the engine's own classification`, () => {
        const path = generatedModels()[name];
        const r = runEval({ model: path, images: '30' });
        const m = resolveModel(path);
        const inputs = modelInputs(loadCifar10({ split: 'test' }), m.graph, m.preprocess, 30);
        const predicted = createEngine(m.graph).classify(Array.from({ length: 30 }, (_, i) => inputs.input(i)));
        const correct = Array.from(predicted).filter((p, i) => p === inputs.labels[i]).length;
        expect(r.images).toBe(30);
        expect(r.correct).toBe(correct);
        expect(r.correct).toBe(2);
        expect(r.preprocess).toBe(name === 'mobilenet' ? 'int8 = pixel - 128, pixels resized bilinear (tf.image.resize, half_pixel_centers, no antialias)' : 'int8 = pixel - 128');
      });
    }
  });
});
