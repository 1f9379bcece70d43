import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEval } from '../src/cli/commands/eval.js';
import { progressBar } from '../src/cli/progress-bar.js';
import { runExportTflite } from '../src/cli/commands/export-tflite.js';
import { runInfer } from '../src/cli/commands/infer.js';
import { cli } from './helpers/cli.js';
import { resolveModel } from '../src/model/registry.js';
import { formatSkipConfig } from '../src/model/skip-config.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

describe.skipIf(!have)('sim-dse eval / infer on the real models', () => {
  it('eval --model lenet --images 100 --json: 77 of 100', async () => {
    const r = await cli(['eval', '--model', 'lenet', '--images', '100', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect([j.model, j.images, j.correct, j.top1, j.dataset, j.maskedLayers]).toEqual(['lenet', 100, 77, 0.77, 'test_batch.bin', 0]);
    expect(r.err).toBe(''); // no progress bar when stderr is not a TTY
    process.env.SIM_DSE_ENGINE = 'wasm';
    const wasm = await cli(['eval', '--model', 'lenet', '--images', '20']).finally(() => delete process.env.SIM_DSE_ENGINE);
    expect(wasm.out).toMatch(/\nengine {4}wasm\n$/);
    expect(runEval({ model: 'lenet', images: '20' }).engine).toMatch(/^(native \(.+\)|wasm)$/);
  });

  it('exact top-1 on the first 1,000 test images: LeNet 71.5 %, ResNet-8 76.5 %', () => {
    const lenet = runEval({ model: 'lenet', images: '1000' });
    const resnet = runEval({ model: 'resnet8', images: '1000' });
    expect([lenet.correct, lenet.top1]).toEqual([715, 0.715]);
    expect([resnet.correct, resnet.top1]).toEqual([765, 0.765]);
    expect(runEval({ model: 'resnet8', images: '100' }).correct).toBe(74);
  });

  it('writes predictions atomically as CSV or raw bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    runEval({ model: 'lenet', images: '5', predictions: join(dir, 'p.csv') });
    expect(readFileSync(join(dir, 'p.csv'), 'utf8')).toBe('index,label,predicted\n0,5,5\n1,6,7\n2,8,8\n3,8,0\n4,2,2\n');
    runEval({ model: 'lenet', images: '5', predictions: join(dir, 'p.bin') });
    expect(Array.from(readFileSync(join(dir, 'p.bin')))).toEqual([5, 7, 8, 0, 2]);
  });

  it('eval with --skip equals eval of the exported zeroed model', () => {
    const g = resolveModel('resnet8').graph;
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    const m = new Uint8Array(9216);
    for (let i = 0; i < m.length; i += 2) m[i] = 1; // skip every other weight of operator 5
    writeFileSync(join(dir, 'skip.json'), formatSkipConfig(g, new Map([[5, m]])));
    const masked = runEval({ model: 'resnet8', images: '200', skip: join(dir, 'skip.json') });
    runExportTflite({ model: 'resnet8', skip: join(dir, 'skip.json'), out: join(dir, 'approx.tflite') });
    // the exported file is not in the manifest: its preprocessing comes from its input quantization (int8, zero point -128)
    const exported = runEval({ model: join(dir, 'approx.tflite'), images: '200' });
    expect([masked.maskedLayers, masked.skippedWeights]).toEqual([1, 4608]);
    expect(exported.model).toBe('approx');
    expect(exported.preprocess).toBe('int8 = pixel - 128');
    expect(exported.correct).toBe(masked.correct);
  });

  it('infer --image 3 prints the output tensor and its argmax', async () => {
    const r = await cli(['infer', '--model', 'resnet8', '--image', '3']);
    expect(r.out).toBe('output int8 [1,10]: -23 -128 -127 -128 -128 -128 -128 -126 20 -128\nargmax 8 (ship), label 8 (ship)\n');
    const j = runInfer({ model: 'lenet', image: '0' });
    expect([j.dtype, j.shape, j.argmax, j.className, j.label]).toEqual(['float32', [1, 10], 5, 'dog', 5]);
  });

  it('infer --input takes raw input tensor bytes and checks their size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infer-'));
    writeFileSync(join(dir, 'zeros.bin'), new Uint8Array(3072));
    const ok = runInfer({ model: 'resnet8', input: join(dir, 'zeros.bin') });
    expect(ok.output.length).toBe(10);
    writeFileSync(join(dir, 'short.bin'), new Uint8Array(100));
    const r = await cli(['infer', '--model', 'resnet8', '--input', join(dir, 'short.bin')]);
    expect([r.code, r.err]).toEqual([
      2,
      `sim-dse: --input ${join(dir, 'short.bin')}: 100 bytes, but input input_1_int8 (int8 [1,32,32,3]) needs 3072\n`,
    ]);
  });
});

describe('progress bar', () => {
  it('draws on a TTY only, ending with done/total and clearing the line', () => {
    let text = '';
    const tty = { isTTY: true, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
    const bar = progressBar(tty, 'eval');
    bar.update(10, 10);
    bar.end();
    expect(text.startsWith('\reval [##############################] 10/10 ')).toBe(true);
    expect(text).toMatch(/img\/s ETA 0:00 \r\x1b\[K$/);
    let piped = '';
    const pipe = { isTTY: false, write: (s: string) => ((piped += s), true) } as unknown as NodeJS.WriteStream;
    const quiet = progressBar(pipe, 'eval');
    quiet.update(10, 10);
    quiet.end();
    expect(piped).toBe('');
  });
});

describe('sim-dse eval errors', () => {
  it('rejects a bad --images value and an unknown model with one line', async () => {
    const a = await cli(['eval', '--model', 'lenet', '--images', '0']);
    expect([a.code, a.err]).toEqual([2, "sim-dse: --images: '0' is not a positive integer\n"]);
    const b = await cli(['eval', '--model', 'vgg16']);
    expect([b.code, b.err]).toEqual([1, 'sim-dse: unknown model "vgg16"; known: lenet, resnet8 (or give a path to a .tflite file)\n']);
  });

  it('names where to get CIFAR-10 when --data points nowhere', async () => {
    const r = await cli(['eval', '--model', 'lenet', '--data', '/nonexistent/cifar']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'sim-dse: CIFAR-10 not found at /nonexistent/cifar: download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, ' +
        'unpack it and pass --data <folder cifar-10-batches-bin> (or set SIM_DSE_DATA)\n',
    );
  });
});
