import { afterEach, describe, expect, test } from 'vitest';
import { createEngine, NATIVE_ISA, NATIVE_ISA_NAMES, nativeKernels } from '../src/model/engine/index.js';
import { ModelError } from '../src/model/errors.js';
import { cifarInputs, loadModel, nativeLevels, randomMasks } from './helpers/engine-fixtures.js';
import { xorshift32 } from './helpers/xorshift.js';

const models = ['lenet', 'resnet8'] as const;
/** All 10,000 test images of each model, loaded once. */
const all = Object.fromEntries(models.map((m) => [m, cifarInputs(m, 10000)]));

describe('native engine == WASM engine', () => {
  test('the default is the native engine at the best GEMM level when the CPU has AVX2, else WASM', () => {
    const isa = nativeKernels()!.isa;
    expect(createEngine(loadModel('lenet')).backendName).toBe(isa >= NATIVE_ISA.avx2 ? `native (${NATIVE_ISA_NAMES[isa]})` : 'wasm');
  });

  // Top-1 of the WASM engine (itself checked against the scalar oracle) on the whole test set.
  test.each([
    ['lenet', 7051],
    ['resnet8', 7556],
  ] as const)('%s: top-1 on all 10,000 test images is %i', (name, expected) => {
    const { inputs, labels } = all[name];
    const pred = createEngine(loadModel(name), { backend: 'native' }).classify(inputs);
    expect(pred.reduce((c, p, i) => c + (p === labels[i] ? 1 : 0), 0)).toBe(expected);
  });

  test.each(models)('%s: every layer output equal at every GEMM level, exact and under skip masks, on 6 seeded images', (name) => {
    const g = loadModel(name);
    const next = xorshift32(name === 'lenet' ? 14 : 41);
    const images = Array.from({ length: 6 }, () => all[name].inputs[next() % 10000]);
    const maskSets = [undefined, randomMasks(g, 0.3, 7), randomMasks(g, 0.8, 8)];
    const wasm = createEngine(g, { backend: 'wasm' });
    const levels = nativeLevels();
    expect(levels.length).toBeGreaterThan(0);
    for (const nativeIsa of levels) {
      const native = createEngine(g, { backend: 'native', nativeIsa });
      for (const masks of maskSets) {
        for (const x of images) {
          const want = wasm.trace(x, masks);
          const got = native.trace(x, masks);
          expect([...got.keys()]).toEqual([...want.keys()]);
          for (const [t, bytes] of want) expect([nativeIsa, t, ...got.get(t)!]).toEqual([nativeIsa, t, ...bytes]);
        }
      }
    }
  });
});

describe('backend choice', () => {
  const saved = { engine: process.env.SIM_DSE_ENGINE, library: process.env.SIM_DSE_ENGINE_LIBRARY };
  afterEach(() => {
    for (const [key, value] of [['SIM_DSE_ENGINE', saved.engine], ['SIM_DSE_ENGINE_LIBRARY', saved.library]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('SIM_DSE_ENGINE picks the backend; without it a missing library falls back to WASM', () => {
    const g = loadModel('lenet');
    process.env.SIM_DSE_ENGINE = 'wasm';
    expect(createEngine(g).backendName).toBe('wasm');
    process.env.SIM_DSE_ENGINE = 'native';
    expect(createEngine(g).backend).toBe('native');
    delete process.env.SIM_DSE_ENGINE;
    process.env.SIM_DSE_ENGINE_LIBRARY = '/nonexistent/libsimengine.so';
    expect(createEngine(g).backendName).toBe('wasm');
  });

  test('a forced native engine that does not load, an unknown engine and an unsupported level are one-line model errors', () => {
    const g = loadModel('lenet');
    process.env.SIM_DSE_ENGINE = 'native';
    process.env.SIM_DSE_ENGINE_LIBRARY = '/nonexistent/libsimengine.so';
    expect(() => createEngine(g)).toThrow(new ModelError('SIM_DSE_ENGINE=native: cannot load the native engine: /nonexistent/libsimengine.so is missing (run npm run build)'));
    process.env.SIM_DSE_ENGINE = 'gpu';
    expect(() => createEngine(g)).toThrow(new ModelError('SIM_DSE_ENGINE=gpu: expected native, wasm or scalar'));
    delete process.env.SIM_DSE_ENGINE;
    delete process.env.SIM_DSE_ENGINE_LIBRARY;
    expect(() => createEngine(g, { backend: 'native', nativeIsa: 4 })).toThrow(new ModelError(`native engine: GEMM level 4 is not supported by this CPU (best ${nativeKernels()!.isa})`));
    // the levels are not nested (an AVX-512 VNNI CPU may lack AVX-VNNI): a level below the best that the CPU lacks is refused, not run
    const { isa, supported } = nativeKernels()!;
    expect(supported[0]).toBe(NATIVE_ISA.portable);
    expect(supported.at(-1)).toBe(isa);
    for (const level of Object.values(NATIVE_ISA).filter((l) => !supported.includes(l))) {
      expect(() => createEngine(g, { backend: 'native', nativeIsa: level })).toThrow(new ModelError(`native engine: GEMM level ${level} is not supported by this CPU (best ${isa})`));
    }
  });
});
