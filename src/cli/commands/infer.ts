import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { argmax, decodeTensor } from '../../model/accuracy.js';
import { CIFAR10_CLASSES, loadCifar10 } from '../../model/dataset/cifar10.js';
import { modelInputs } from '../../model/dataset/preprocess.js';
import { createEngine } from '../../model/engine/index.js';
import { FileError, UsageError } from '../../util/errors.js';
import { loadModelFromOptions, modelOptions, withOptions } from '../options.js';

/** Options of `sim-dse infer` (as parsed by commander). */
export interface InferOptions {
  readonly model: string;
  readonly input?: string;
  readonly image?: string;
  readonly data?: string;
  readonly models?: string;
  readonly preprocess?: string;
  readonly resize?: string;
  readonly skip?: string;
  readonly json?: boolean;
}

/** Result of one inference. */
export interface InferResult {
  readonly model: string;
  /** Output tensor dtype and shape. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Output values (int8 codes or floats, as the tensor stores them). */
  readonly output: number[];
  readonly argmax: number;
  /** CIFAR-10 class name of the argmax when the model has 10 outputs. */
  readonly className: string | null;
  /** True label when the input came from --image. */
  readonly label: number | null;
}

/**
 * Runs `sim-dse infer`: one inference on raw input tensor bytes (--input)
 * or on CIFAR-10 test image N (--image).
 */
export function runInfer(opts: InferOptions): InferResult {
  if ((opts.input === undefined) === (opts.image === undefined)) throw new UsageError('give exactly one of --input FILE or --image N');
  const { model, masks } = loadModelFromOptions(opts);
  const g = model.graph;
  const inT = g.tensors[g.inputs[0]];
  const outT = g.tensors[g.outputs[0]];
  let input: Uint8Array;
  let label: number | null = null;
  if (opts.input !== undefined) {
    let buf: Buffer;
    try {
      buf = readFileSync(opts.input);
    } catch (err) {
      throw new FileError(`cannot read input ${opts.input} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const bytesPer = { int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, float32: 4 }[inT.dtype];
    const expected = inT.shape.reduce((a, b) => a * b, 1) * bytesPer;
    if (buf.length !== expected) {
      throw new UsageError(`--input ${opts.input}: ${buf.length} bytes, but input ${inT.name} (${inT.dtype} [${inT.shape.join(',')}]) needs ${expected}`);
    }
    input = new Uint8Array(buf);
  } else {
    const n = Number(opts.image);
    const ds = loadCifar10({ dir: opts.data });
    if (!/^[0-9]+$/.test(opts.image ?? '') || n >= ds.count) throw new UsageError(`--image: '${opts.image}' is not an image index 0..${ds.count - 1}`);
    input = modelInputs(ds, g, model.preprocess).input(n);
    label = ds.labels[n];
  }
  const out = createEngine(g).run(input, masks);
  const output = decodeTensor(out, outT.dtype);
  const best = argmax(output);
  return {
    model: model.name,
    dtype: outT.dtype,
    shape: outT.shape,
    output,
    argmax: best,
    className: output.length === 10 ? CIFAR10_CLASSES[best] : null,
    label,
  };
}

/** `sim-dse infer`: one inference, printing the output tensor and its argmax. */
export function registerInfer(program: Command): void {
  withOptions(program.command('infer').description('Run one inference with the reference engine; print the output tensor and its argmax'), { ...modelOptions('required'), data: { note: 'for --image' } })
    .option('--input <file>', "raw input tensor bytes (the model input's dtype and shape, little-endian)")
    .option('--image <n>', 'use CIFAR-10 test image N, preprocessed for the model')
    .option('--skip <config.json>', 'skip configuration (masked weights count as zero)')
    .option('--json', 'print the result as JSON', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sim-dse infer --model resnet8 --image 0\n' +
        '  sim-dse infer --model lenet --input image0.f32.bin --json',
    )
    .action((opts: InferOptions) => {
      const r = runInfer(opts);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const values = r.dtype === 'float32' ? r.output.map((v) => v.toPrecision(6)) : r.output.map(String);
      process.stdout.write(`output ${r.dtype} [${r.shape.join(',')}]: ${values.join(' ')}\n`);
      process.stdout.write(`argmax ${r.argmax}${r.className ? ` (${r.className})` : ''}${r.label !== null ? `, label ${r.label} (${CIFAR10_CLASSES[r.label]})` : ''}\n`);
    });
}
