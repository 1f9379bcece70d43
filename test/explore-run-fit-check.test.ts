/**
 * `run` never compiles a variant its fit check rejects: a model whose second
 * convolution, unpacked, takes more flash than nucleo-f446re has (about
 * 630 KB of unrolled code for 69,120 weights) is explored with that layer
 * 10 % skipped. The masked unpacked variant's estimate exceeds the flash, so
 * the run chooses other kernels for it without compiling it (the compiler
 * records every unit it compiles; the cache starts empty). Nor is the exact
 * unpacked layer or network: its estimate cannot fit either, so the
 * references say it was not built and the runtime's share comes from the
 * exact baseline network.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pointMasks, readDesignPoint } from '../src/explore/export/design-point.js';
import { compiledUnit, type CSource } from '../src/kernels/compile/compile.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { defaultEmitters } from '../src/kernels/emitters.js';
import { emitLayer } from '../src/kernels/network/assemble.js';
import { ESTIMATE_RATIO, unitFlashEstimate } from '../src/kernels/network/size-estimate.js';
import { prepareGraph } from '../src/model/engine/prepare.js';
import type { Graph } from '../src/model/ir.js';
import { resolveModel } from '../src/model/registry.js';
import { writeTflite } from '../src/model/tflite/write.js';
import { useTemporaryCache } from './helpers/temp-cache.js';
import { cli } from './helpers/cli.js';
import { GraphBuilder, SHARED } from './helpers/engine-fixtures.js';
import { randomInts } from './helpers/synthetic-graphs.js';

const have = compilerVersion() !== null && existsSync(join(SHARED, 'datasets', 'cifar10', 'test_batch.bin'));

/** 32x32x3 -> 3x3 stride-2 CONV to 32 -> 3x3 stride-2 CONV to 240 (69,120 weights) -> MEAN -> FULLY_CONNECTED to 10. */
function wideModel(): Graph {
  const b = new GraphBuilder();
  const x = b.tensor([1, 32, 32, 3], 'int8', 1 / 255, -128);
  const conv = (input: number, ic: number, oc: number, hw: number, seed: number): number => {
    const f = b.tensor([oc, 3, 3, ic], 'int8', 0.02 / Math.sqrt(ic), 0, randomInts(oc * 9 * ic, seed, -40, 40));
    const bias = b.tensor([oc], 'int32', null, 0, new Array<number>(oc).fill(0));
    const y = b.tensor([1, hw, hw, oc], 'int8', 0.03, -128);
    b.op({ kind: 'CONV_2D', inputs: [input, f, bias], outputs: [y], padding: 'SAME', strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, activation: 'RELU' });
    return y;
  };
  const y = conv(conv(x, 3, 32, 16, 1), 32, 240, 8, 2);
  const axes = b.tensor([2], 'int32', null, 0, [1, 2]);
  const m = b.tensor([1, 240], 'int8', 0.015, -128);
  b.op({ kind: 'MEAN', inputs: [y, axes], outputs: [m], keepDims: false });
  const w = b.tensor([10, 240], 'int8', 0.01, 0, randomInts(2400, 3));
  const bias = b.tensor([10], 'int32', null, 0, new Array<number>(10).fill(0));
  const logits = b.tensor([1, 10], 'int8', 0.08, 0);
  b.op({ kind: 'FULLY_CONNECTED', inputs: [m, w, bias], outputs: [logits], activation: 'NONE', keepNumDims: false });
  return { ...b.graph(x, logits), name: 'wide' };
}

const tmp = useTemporaryCache('sim-dse-fit-run-');

describe.skipIf(!have)('run and the pre-compile fit check', () => {
  it('a masked unpacked variant estimated larger than nucleo-f446re\'s flash is never compiled; the point runs other kernels there', async () => {
    const file = join(tmp, 'wide.tflite');
    writeFileSync(file, writeTflite(wideModel(), 'sim-dse fit-check test model'));
    const runs = join(tmp, 'runs');
    const r = await cli([
      'run', '--model', file, '--board', 'nucleo-f446re', '--kind', 'fraction', '--layers', '1', '--levels', '0,0.1', '--search', 'grid', '--budget', '2',
      '--images', '10', '--full-images', '10', '--calibration', '5', '--max-loss', '100', '--no-seed-grid', '--threads', '1', '--out', runs, '--id', 'fit',
    ]);
    expect(r.err.split('\n').filter((l) => l.startsWith('sim-dse:') && !l.startsWith('sim-dse: note:'))).toEqual([]);
    expect(r.code).toBe(0);

    const model = resolveModel(file);
    const op = prepareGraph(model.graph).ops.find((o) => o.opIndex === 1)!;
    const unpacked = (mask: Uint8Array | undefined): CSource => emitLayer(defaultEmitters(), { op, fn: 'layer_1' }, 'unpacked', mask).emitted.source;
    const rows = readFileSync(join(runs, 'fit', 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; layers: { opIndex: number; skipped: number }[] });
    const id = rows.find((row) => row.layers.some((l) => l.opIndex === 1 && l.skipped > 0))!.id;
    const point = readDesignPoint('fit', id, runs);
    expect(point.row.layers.find((l) => l.opIndex === 1)!.skipped).toBe(6828); // of 69,120
    const mask = pointMasks(point, { graph: model.graph, preprocess: model.preprocess }).get(1);
    const masked = unpacked(mask);
    // the fit check rejects it: even the smallest flash its estimate allows exceeds the board's 512 KB
    expect(Math.floor(unitFlashEstimate(masked) / ESTIMATE_RATIO.max)).toBeGreaterThan(524_288);
    expect(compiledUnit(masked)).toBe(false);
    expect(point.row.layers.find((l) => l.opIndex === 1)!.kernels).not.toBe('unpacked');
    // nor the exact unpacked layer: the exact unpacked network cannot fit, so no reference is built from it
    expect(compiledUnit(unpacked(undefined))).toBe(false);
    const reference = JSON.parse(readFileSync(join(runs, 'fit', 'reference.json'), 'utf8')) as { unpackedExact: unknown; baseline: { cycles: number } };
    expect(reference.unpackedExact).toEqual({ built: false, flashEstimate: 704_326 });
    expect(readFileSync(join(runs, 'fit', 'report.md'), 'utf8')).toContain('| exact unpacked | not built | 704,326 B (estimated) | **no** (checked before compiling) |');
    // the record works: a unit that was compiled reads true
    expect(compiledUnit(emitLayer(defaultEmitters(), { op, fn: 'layer_1' }, 'baseline', undefined).emitted.source)).toBe(true);
  }, 600_000);
});
