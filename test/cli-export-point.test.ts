import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { maskableLayers } from '../src/explore/significance/index.js';
import { loadCifar10 } from '../src/model/dataset/cifar10.js';
import { modelInputs } from '../src/model/dataset/preprocess.js';
import { createEngine } from '../src/model/engine/index.js';
import { resolveModel } from '../src/model/registry.js';
import { sharedDir } from '../src/util/paths.js';
import { useTemporaryCache } from './helpers/temp-cache.js';
import { cli, fakeRow, writeFakeRun } from './helpers/firmware-fixtures.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));
if (!have) console.warn('cli-export-point: ../shared models or CIFAR-10 missing; skipped');

const tmp = useTemporaryCache('sim-dse-cli-export-');
const runs = join(tmp, 'runs');

describe.skipIf(!have)('sim-dse export', () => {
  const model = have ? resolveModel('lenet') : null;
  const ops = model ? maskableLayers(model.graph).map((l) => l.opIndex) : [];
  // baseline kernels, as an emulated run on nucleo-f446re chooses: the all-unpacked exact LeNet (about 1.17 MB) cannot fit its flash, and export's fit check refuses it
  const layers = ops.map((opIndex, i) => ({ opIndex, cycles: 10_000 * (i + 1), kernels: 'baseline' as const }));
  if (model) {
    writeFakeRun(join(runs, 'r1'), { name: 'lenet', sha256: model.sha256, file: 'lenet-cifar10-int8.tflite' }, 'nucleo-f446re', [
      fakeRow(0, layers, { cycles: 173_456 }),
      fakeRow(1, layers, { flashBytes: 600_000, fits: false }),
      fakeRow(2, layers, { flashBytes: 500_000 }),
      // its flash would fit, but its run's fit check (flash and SRAM, e.g. --latency macs's SRAM) said no
      fakeRow(3, layers, { flashBytes: 100_000, fits: false }),
    ]);
  }
  /** Layers whose cycles leave room for the whole-network totals the --loss cases give. */
  const small = layers.map((l) => ({ ...l, cycles: l.cycles / 10 }));
  const base = ['--run', 'r1', '--runs', runs, '--board', 'nucleo-f446re'];

  test('an exact point exports with the prediction of the store and the reference predictions', async () => {
    const out = join(tmp, 'fw');
    const r = await cli(['export', ...base, '--point', '0', '--out', out, '--images', '4', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'firmware.json'), 'utf8'));
    expect(m.origin).toEqual({ run: 'r1', point: 0, model: 'lenet' });
    expect(m.board).toBe('nucleo-f446re');
    const ds = modelInputs(loadCifar10(), model!.graph, model!.preprocess, 4);
    expect(m.labels).toEqual(Array.from(ds.labels));
    const engine = createEngine(model!.graph);
    expect(m.expected).toEqual(Array.from(engine.classify([0, 1, 2, 3].map((i) => ds.input(i)))));
    expect(m.inputBytes).toBe(3072);
    expect(m.outputBytes).toBe(10);
    // every maskable layer gets the store's cycles, the other layers none
    const predicted = m.layers.map((name: string, k: number) => [name, m.predicted.layers[k]]).filter(([, c]: [string, number | null]) => c !== null);
    expect(predicted.map(([name]: [string]) => Number(name.split('#')[1]))).toEqual(ops);
    expect(predicted.map(([, c]: [string, number]) => c)).toEqual(layers.map((l) => l.cycles));
    expect(m.predicted.cycles).toBe(173_456);
    expect(readFileSync(join(out, 'src', 'simdse_images.c'), 'utf8')).toContain('const uint32_t simdse_image_count SIMDSE_IMAGES_SECTION = 4u;');
    expect(m.predicted.source).toBe('variants');
  }, 120_000);

  test('another board than the run predicted for: exported without a prediction, with a note', async () => {
    const out = join(tmp, 'fw-l4');
    const r = await cli(['export', '--run', 'r1', '--runs', runs, '--board', 'nucleo-l4r5zi', '--point', '1', '--out', out, '--images', '1']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('sim-dse: note: run r1 predicted cycles for nucleo-f446re, not nucleo-l4r5zi: the project has no prediction to validate against\n');
    expect(JSON.parse(readFileSync(join(out, 'firmware.json'), 'utf8')).predicted).toBe(null);
  }, 120_000);

  test('bad input: one clear line and a non-zero exit', async () => {
    const out = join(tmp, 'bad');
    expect(await cli(['export', ...base, '--point', '5', '--out', out])).toEqual({ code: 2, out: '', err: 'sim-dse: run r1 has no point 5 (its points are 0..3)\n' });
    expect(await cli(['export', ...base, '--point', '1', '--out', out])).toEqual({
      code: 1,
      out: '',
      err: 'sim-dse: point 1 of run r1 does not fit nucleo-f446re: it needs 634826 bytes of flash (network 600000, images 30730, firmware 4096), the board has 524288\n',
    });
    // fits the board, but not with 10 images of 3,073 bytes: (524288 - 500000 - 4096) / 3073 = 6.6
    expect(await cli(['export', ...base, '--point', '2', '--out', out])).toEqual({
      code: 1,
      out: '',
      err: 'sim-dse: point 2 of run r1 does not fit nucleo-f446re: it needs 534826 bytes of flash (network 500000, images 30730, firmware 4096), the board has 524288; at most 6 test images fit beside it (--images 6)\n',
    });
    expect(await cli(['export', ...base, '--point', '3', '--out', out])).toEqual({
      code: 1,
      out: '',
      err: "sim-dse: point 3 of run r1 does not fit nucleo-f446re: its run's fit check (flash and SRAM) marked it so\n",
    });
    expect(await cli(['export', '--run', 'r1', '--runs', runs, '--board', 'nucleo-f401re', '--point', '0', '--out', out])).toEqual({
      code: 2,
      out: '',
      err: "sim-dse: cannot export firmware for board 'nucleo-f401re' (supported: nucleo-f446re, nucleo-l4r5zi)\n",
    });
    expect((await cli(['export', ...base, '--point', 'x', '--out', out])).err).toBe("sim-dse: --point: 'x' is not a point id (0, 1, ...)\n");
    expect((await cli(['export', '--run', 'zz', '--runs', runs, '--board', 'nucleo-f446re', '--point', '0', '--out', out])).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  test('--loss names the point the report names at that top-1 loss budget', async () => {
    const dir = join(runs, 'r2');
    const ref = (baseline: number) => ({ latency: 'test', baseline: { cycles: baseline, flashBytes: 90_000 }, unpackedExact: { cycles: 300_000, flashBytes: 900_000 }, exactSearch: { correct: 7, images: 10, top1: 0.7 } });
    writeFakeRun(dir, { name: 'lenet', sha256: model!.sha256, file: 'lenet-cifar10-int8.tflite' }, 'nucleo-f446re', [
      fakeRow(0, small, { cycles: 150_000 }),
      fakeRow(1, small, { cycles: 120_000 }),
    ]);
    const at = (loss: string, run = 'r2') => cli(['export', '--run', run, '--runs', runs, '--board', 'nucleo-f446re', '--loss', loss, '--out', join(tmp, `fw-loss-${run}-${loss}`), '--images', '1', '--json']);
    // no full-test-set results yet
    expect(await at('0')).toEqual({ code: 2, out: '', err: 'sim-dse: run r2 has no full-test-set results yet: finish it (rerun the same sim-dse run command) before choosing a point by --loss\n' });
    writeFileSync(join(dir, 'reference.json'), JSON.stringify(ref(200_000)));
    // exact 70 % on the full set; point 0 keeps it, point 1 loses 1 pp
    writeFileSync(join(dir, 'final.jsonl'), ['exact', 'h0', 'h1'].map((hash, i) => JSON.stringify({ hash, correct: [7000, 7000, 6900][i], images: 10_000, top1: [0.7, 0.7, 0.69][i] })).join('\n') + '\n');
    const point = async (loss: string) => JSON.parse((await at(loss)).out).manifest.origin.point;
    expect([await point('0'), await point('0.5'), await point('1'), await point('5')]).toEqual([0, 0, 1, 1]);
    // a faster baseline than every point: nothing to export
    writeFakeRun(join(runs, 'r3'), { name: 'lenet', sha256: model!.sha256, file: 'lenet-cifar10-int8.tflite' }, 'nucleo-f446re', [fakeRow(0, small, { cycles: 150_000 })]);
    writeFileSync(join(runs, 'r3', 'reference.json'), JSON.stringify(ref(100_000)));
    writeFileSync(join(runs, 'r3', 'final.jsonl'), '{"hash":"exact","correct":7000,"images":10000,"top1":0.7}\n{"hash":"h0","correct":7000,"images":10000,"top1":0.7}\n');
    expect((await at('0', 'r3')).err).toBe('sim-dse: within 0 pp of top-1 no point of run r3 is faster than the exact baseline kernels (100000 cycles): nothing to export; sim-dse build --kernels baseline builds those\n');
    expect((await cli(['export', ...base, '--point', '0', '--loss', '1', '--out', join(tmp, 'x')])).err).toBe('sim-dse: give --point <k> or --loss <pp>, not both\n');
    expect((await cli(['export', ...base, '--loss', '-1', '--out', join(tmp, 'x')])).err).toBe("sim-dse: --loss: '-1' is not a number of percentage points\n");
  }, 120_000);
});
