import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getBoard } from '../src/emulator/boards.js';
import { indexedCostVariant, variantIndexKey } from '../src/explore/evaluate/variant-index.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { defaultEmitters } from '../src/kernels/emitters.js';
import type { LayerEmitters } from '../src/kernels/network/assemble.js';
import { costVariant, type VariantRequest } from '../src/kernels/variant-cost.js';
import { createEngine } from '../src/model/engine/index.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import { cifarInputs, loadModel } from './helpers/engine-fixtures.js';

describe.skipIf(compilerVersion() === null)('variant cost index', () => {
  let cache: string;
  const saved = process.env.SIM_DSE_CACHE;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'variant-index-'));
    process.env.SIM_DSE_CACHE = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SIM_DSE_CACHE;
    else process.env.SIM_DSE_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  /** LeNet's last fully connected layer (640 weights) with every third weight skipped, on test image 0. */
  function request(maskStep = 3): VariantRequest {
    const g = loadModel('lenet');
    const prepared = prepareGraph(g);
    const op = prepared.ops.find((o) => o.opIndex === 8)!;
    if (op.kind !== 'fc') throw new Error('LeNet operator 8 is not FULLY_CONNECTED');
    const mask = new Uint8Array(op.weights.length).map((_, i) => (i % maskStep === 0 ? 1 : 0));
    const input = createEngine(g).trace(cifarInputs('lenet', 1).inputs[0]).get(op.input)!;
    return { op, style: 'unpacked', mask, board: getBoard('nucleo-f446re'), inputs: [input], outputBytes: prepared.tensorBytes[op.output] };
  }

  /** Emitters that fail when asked for code: a hit must not generate any. */
  const noCode: LayerEmitters = {
    ...defaultEmitters(),
    unpacked: () => {
      throw new Error('generated the layer source');
    },
  };

  test('a miss costs the variant as costVariant does; a hit returns it without generating the source', async () => {
    const r = request();
    const direct = await costVariant(r, defaultEmitters());
    expect(await indexedCostVariant(r, defaultEmitters())).toEqual(direct);
    expect(await indexedCostVariant(r, noCode)).toEqual(direct);
    await expect(indexedCostVariant(request(4), noCode)).rejects.toThrow('generated the layer source');
  });

  test('the key depends on the mask, the style and the input bytes; an unreadable entry is recomputed', async () => {
    const r = request();
    const key = variantIndexKey(r);
    expect(variantIndexKey(request())).toBe(key);
    expect(variantIndexKey(request(5))).not.toBe(key);
    expect(variantIndexKey({ ...r, style: 'baseline' })).not.toBe(key);
    expect(variantIndexKey({ ...r, inputs: [r.inputs[0].map((x) => x ^ 1)] })).not.toBe(key);
    const dir = join(cache, 'variant-index', key.slice(0, 2));
    expect(readdirSync(dir)).toContain(`${key}.json`);
    writeFileSync(join(dir, `${key}.json`), '{"cycles":');
    await expect(indexedCostVariant(r, noCode)).rejects.toThrow('generated the layer source');
    expect((await indexedCostVariant(r, defaultEmitters())).cycles).toBe((await costVariant(r, defaultEmitters())).cycles);
  });
});
