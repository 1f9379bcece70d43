import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExportTflite } from '../src/cli/commands/export-tflite.js';
import { loadCifar10 } from '../src/model/dataset/cifar10.js';
import { modelInputs } from '../src/model/dataset/preprocess.js';
import { createEngine } from '../src/model/engine/index.js';
import { ModelError } from '../src/model/errors.js';
import type { Graph, SkipMask } from '../src/model/ir.js';
import { resolveModel } from '../src/model/registry.js';
import { formatSkipConfig } from '../src/model/skip-config.js';
import { FlatFile } from '../src/model/tflite/flat.js';
import { importTflite } from '../src/model/tflite/import.js';
import { F } from '../src/model/tflite/schema.js';
import { applySkipMasks, replaceTensorData, writeTflite } from '../src/model/tflite/write.js';
import { projectRoot, sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'resnet8-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));
const PY = '/usr/bin/python3';
const pyarmnn = existsSync(PY) && spawnSync(PY, ['-c', 'import pyarmnn'], { encoding: 'utf8' }).status === 0;

/** Deterministic mask: every weight whose (index * 2654435761) mod 1000 is below `permille` is skipped. */
function mask(length: number, permille: number): SkipMask {
  const m = new Uint8Array(length);
  for (let i = 0; i < length; i++) m[i] = Number((BigInt(i) * 2654435761n) % 1000n) < permille ? 1 : 0;
  return m;
}
const ones = (m: Uint8Array) => m.reduce((a, x) => a + x, 0);

describe.skipIf(!have)('writeTflite', () => {
  for (const name of ['lenet', 'resnet8']) {
    it(`${name}: import(write(import(x))) equals import(x), and writing is idempotent`, () => {
      const m = resolveModel(name);
      const bytes = writeTflite(m.graph);
      const again = importTflite(bytes, name);
      expect(again).toEqual(m.graph);
      expect(Buffer.from(writeTflite(again)).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  it('aligns every buffer to 16 bytes and keeps buffer 0 empty', () => {
    const m = resolveModel('resnet8');
    const bytes = writeTflite(m.graph);
    const file = new FlatFile(bytes, 'w');
    const model = file.table(file.deref(0, 'root'), 'model');
    const buffers = model.tables(F.Model.buffers, 'buffers')!;
    expect(buffers.length).toBe(1 + m.graph.tensors.filter((t) => t.data).length);
    expect(buffers[0].bytes(F.Buffer.data, 'data')).toBe(null);
    const starts = buffers.slice(1).map((b) => b.bytes(F.Buffer.data, 'data')!.byteOffset % 16);
    expect(new Set(starts)).toEqual(new Set([0]));
  });

  it('a masked model equals the model with those weights zeroed by the writer (through the engine)', () => {
    const m = resolveModel('resnet8');
    const g = m.graph;
    const masks = new Map<number, SkipMask>([
      [0, mask(432, 300)],
      [5, mask(9216, 500)],
      [14, mask(640, 250)],
    ]);
    expect([...masks.values()].map(ones)).toEqual([129, 4607, 159]);
    const zeroed = importTflite(writeTflite(applySkipMasks(g, masks)), 'resnet8');
    // weights of masked layers are zero exactly where masked; other layers untouched
    const w5 = zeroed.tensors[g.ops[5].inputs[1]].data!;
    const orig5 = g.tensors[g.ops[5].inputs[1]].data!;
    const m5 = masks.get(5)!;
    expect(w5.every((b, i) => (m5[i] ? b === 0 : b === orig5[i]))).toBe(true);
    expect(zeroed.tensors[g.ops[1].inputs[1]].data).toEqual(g.tensors[g.ops[1].inputs[1]].data);

    const data = modelInputs(loadCifar10(), g, m.preprocess, 8);
    const e1 = createEngine(g);
    const e2 = createEngine(zeroed);
    const exact = createEngine(g);
    let changed = 0;
    for (let i = 0; i < 8; i++) {
      const masked = e1.run(data.input(i), masks).slice();
      expect(e2.run(data.input(i)).slice()).toEqual(masked);
      if (!Buffer.from(exact.run(data.input(i))).equals(Buffer.from(masked))) changed++;
    }
    expect(changed).toBeGreaterThan(0); // the masks do change the outputs, so the equality is not vacuous
  });

  it.skipIf(!pyarmnn)('the written masked model loads and runs in ArmNN', () => {
    const m = resolveModel('resnet8');
    const masks = new Map<number, SkipMask>([[9, mask(36864, 400)]]);
    const dir = mkdtempSync(join(tmpdir(), 'write-'));
    writeFileSync(join(dir, 'm.tflite'), writeTflite(applySkipMasks(m.graph, masks)));
    const data = modelInputs(loadCifar10(), m.graph, m.preprocess, 10);
    writeFileSync(join(dir, 'in.bin'), Buffer.concat(Array.from({ length: 10 }, (_, i) => data.input(i))));
    const r = spawnSync(PY, [join(projectRoot, 'scripts', 'armnn-crosscheck.py'), join(dir, 'm.tflite'), join(dir, 'in.bin'), join(dir, 'out.bin')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('armnn: 10 images, input int8 [1, 32, 32, 3], output int8 [1, 10]');
    expect(readFileSync(join(dir, 'out.bin')).length).toBe(100);
  });

  it('export-tflite writes the zeroed model from a skip configuration file', () => {
    const m = resolveModel('lenet');
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    const cfg = join(dir, 'skip.json');
    writeFileSync(cfg, formatSkipConfig(m.graph, new Map([[3, mask(18432, 100)]])));
    const out = join(dir, 'lenet-approx.tflite');
    const r = runExportTflite({ model: 'lenet', skip: cfg, out });
    expect([r.model, r.maskedLayers, r.zeroedWeights]).toEqual(['lenet', 1, ones(mask(18432, 100))]);
    const g = importTflite(readFileSync(out), 'lenet');
    const w = g.tensors[g.ops[3].inputs[1]].data!;
    const zerosBefore = m.graph.tensors[g.ops[3].inputs[1]].data!.filter((b) => b === 0).length;
    const zerosAfter = w.filter((b) => b === 0).length;
    expect(zerosAfter - zerosBefore).toBe(
      mask(18432, 100).reduce((a, x, i) => a + (x && m.graph.tensors[g.ops[3].inputs[1]].data![i] !== 0 ? 1 : 0), 0),
    );
    expect(r.bytes).toBe(readFileSync(out).length);
  });
});

describe('replaceTensorData / applySkipMasks errors', () => {
  const g: Graph = {
    name: 'tiny',
    tensors: [
      { index: 0, name: 'in', shape: [1, 4], dtype: 'int8', quant: null, data: null },
      { index: 1, name: 'w', shape: [2, 4], dtype: 'int8', quant: null, data: new Uint8Array(8).fill(5) },
      { index: 2, name: 'out', shape: [1, 2], dtype: 'int8', quant: null, data: null },
    ],
    ops: [{ index: 0, kind: 'FULLY_CONNECTED', inputs: [0, 1, -1], outputs: [2], activation: 'NONE', keepNumDims: false }],
    inputs: [0],
    outputs: [2],
  };
  it('zeroes exactly the masked bytes and leaves the input graph alone', () => {
    const z = applySkipMasks(g, new Map([[0, Uint8Array.from([1, 0, 0, 1, 0, 0, 0, 1])]]));
    expect(Array.from(z.tensors[1].data!)).toEqual([0, 5, 5, 0, 5, 5, 5, 0]);
    expect(Array.from(g.tensors[1].data!)).toEqual([5, 5, 5, 5, 5, 5, 5, 5]);
  });
  it('rejects wrong lengths and non-constant tensors', () => {
    expect(() => replaceTensorData(g, new Map([[1, new Uint8Array(3)]]))).toThrow(new ModelError('tiny: tensor 1 (w) needs 8 bytes, got 3'));
    expect(() => replaceTensorData(g, new Map([[0, new Uint8Array(4)]]))).toThrow(new ModelError('tiny: tensor 0 is not a constant tensor'));
    expect(() => applySkipMasks(g, new Map([[0, new Uint8Array(7)]]))).toThrow(
      new ModelError('tiny: mask of operator 0 has 7 entries, weights have 8'),
    );
  });
});
