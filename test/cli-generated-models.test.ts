import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.js';
import { cli } from './helpers/cli.js';
import { SHARED } from './helpers/engine-fixtures.js';
import { generatedModels, runGenerator } from './helpers/generated-models.js';

const have = existsSync(join(SHARED, 'datasets', 'cifar10', 'test_batch.bin'));

describe('model options', () => {
  it('every command that takes --model takes --models, --preprocess and --resize too', () => {
    const withModel = buildProgram().commands.filter((c) => c.options.some((o) => o.long === '--model'));
    expect(withModel.map((c) => c.name()).sort()).toEqual(['build', 'eval', 'export', 'export-tflite', 'infer', 'profile', 'run', 'validate']);
    for (const c of withModel) {
      expect([c.name(), ...['--models', '--preprocess', '--resize'].filter((f) => c.options.some((o) => o.long === f))]).toEqual([c.name(), '--models', '--preprocess', '--resize']);
    }
  });
});

describe.skipIf(!have)('generated models through the CLI', () => {
  it('eval --resize none refuses the 128x128 model in one line; without it a note says images are resized', async () => {
    const refused = await cli(['eval', '--model', generatedModels().mobilenet, '--images', '2', '--resize', 'none']);
    expect(refused.code).not.toBe(0);
    expect(refused.err.trim().split('\n')).toEqual(['sim-dse: mobilenet-128: input t0 is 128x128x3, CIFAR-10 images are 32x32x3: pass --resize bilinear']);
    const r = await cli(['eval', '--model', generatedModels().mobilenet, '--images', '2']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('sim-dse: note: mobilenet-128: input 128x128x3 differs from CIFAR-10\'s 32x32x3: images are resized bilinear');
    expect(r.out).toContain('input     int8 = pixel - 128, pixels resized bilinear (tf.image.resize, half_pixel_centers, no antialias)');
  });

  it('run keeps the model path and preprocessing; export finds the model without --model, refuses another preprocessing, and names the old path once the file moved', async () => {
    const models = runGenerator();
    const runs = mkdtempSync(join(tmpdir(), 'sim-dse-runs-'));
    const run = await cli([
      'run', '--model', models.mobilenet, '--latency', 'macs', '--budget', '4', '--images', '10', '--full-images', '10',
      '--calibration', '5', '--no-seed-grid', '--threads', '1', '--out', runs, '--id', 'm', '--preprocess', 'int8:-128',
    ]);
    expect(run.code).toBe(0);
    const dir = join(runs, 'm');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.model).toEqual({
      name: 'mobilenet-128', sha256: config.model.sha256, file: 'mobilenet-128.tflite', preprocess: { kind: 'int8', offset: -128, resize: 'bilinear' },
    });
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))).toEqual({ path: models.mobilenet, sha256: config.model.sha256 });
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('| input | int8 = pixel - 128, pixels resized bilinear (tf.image.resize, half_pixel_centers, no antialias) |');

    const fw = join(mkdtempSync(join(tmpdir(), 'sim-dse-fw-')), 'fw');
    // all unpacked (the macs latency chooses no kernels), the 128x128 stem's patch copy exceeds nucleo-f446re's SRAM: refused before compiling
    const refused = await cli(['export', '--runs', runs, '--run', 'm', '--point', '0', '--board', 'nucleo-f446re', '--out', fw, '--images', '2']);
    expect([refused.code, refused.out]).toEqual([1, '']);
    expect(refused.err).toMatch(/^sim-dse: point 0 of run m cannot fit nucleo-f446re \(checked before compiling\): an inference needs \d+ bytes of SRAM \(arena \d+, scratch \d+, input\/output 49168, stack 8192\), nucleo-f446re has 131072\n$/);
    expect(existsSync(fw)).toBe(false);
    const exported = await cli(['export', '--runs', runs, '--run', 'm', '--point', '0', '--board', 'nucleo-l4r5zi', '--out', fw, '--images', '2']);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('(mobilenet-128) for nucleo-l4r5zi, 11 layers, 2 test images');

    const other = await cli(['export', '--runs', runs, '--run', 'm', '--point', '0', '--board', 'nucleo-l4r5zi', '--out', `${fw}2`, '--preprocess', 'int8:-127']);
    expect(other.code).not.toBe(0);
    expect(other.err).toContain('run m fed its model int8 = pixel - 128, pixels resized bilinear');

    const moved = `${models.mobilenet}.moved`;
    renameSync(models.mobilenet, moved);
    const lost = await cli(['export', '--runs', runs, '--run', 'm', '--point', '0', '--board', 'nucleo-l4r5zi', '--out', `${fw}3`]);
    expect(lost.code).not.toBe(0);
    expect(lost.err.trim()).toBe(
      `sim-dse: run m was made for mobilenet-128.tflite (sha256 ${config.model.sha256.slice(0, 12)}), which is not in the manifest (it was at ${models.mobilenet}, no longer there): give --model PATH to that .tflite`,
    );
    const given = await cli(['export', '--runs', runs, '--run', 'm', '--point', '0', '--board', 'nucleo-l4r5zi', '--out', `${fw}4`, '--model', moved, '--images', '2']);
    expect(given.code).toBe(0);
    expect(readFileSync(join(`${fw}4`, 'src', 'simdse_images.c'), 'utf8')).toBe(readFileSync(join(fw, 'src', 'simdse_images.c'), 'utf8'));
  }, 300_000);

  it('build and profile take --preprocess and --resize (baseline ResNet-14 builds and fits)', async () => {
    const r = await cli(['build', '--model', generatedModels().resnet14, '--kernels', 'baseline', '--place', 'flash', '--preprocess', 'int8:-128', '--resize', 'bilinear', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ model: 'resnet14', kernels: 'baseline', fits: true, layers: 24 });
  }, 300_000);
});
