import type { Command } from 'commander';
import { skippedWeights } from '../../model/skip-config.js';
import { applySkipMasks, writeTflite } from '../../model/tflite/write.js';
import { UsageError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { loadModelFromOptions, modelOptions, withOptions } from '../options.js';

/** Options of `sim-dse export-tflite` (as parsed by commander). */
export interface ExportTfliteOptions {
  readonly model: string;
  readonly skip?: string;
  readonly out: string;
  readonly models?: string;
  readonly preprocess?: string;
  readonly resize?: string;
}

/** What `sim-dse export-tflite` wrote. */
export interface ExportTfliteResult {
  readonly model: string;
  readonly out: string;
  readonly bytes: number;
  readonly maskedLayers: number;
  readonly zeroedWeights: number;
}

/**
 * Runs `sim-dse export-tflite`: the model with every skipped weight set to 0,
 * written as a .tflite file (for TFLite, ArmNN or any other runtime).
 */
export function runExportTflite(opts: ExportTfliteOptions): ExportTfliteResult {
  if (!opts.out) throw new UsageError('missing --out FILE');
  const { model, masks } = loadModelFromOptions(opts);
  const graph = masks ? applySkipMasks(model.graph, masks) : model.graph;
  const bytes = writeTflite(graph, `sim-dse export of ${model.name}${opts.skip ? ` with ${opts.skip}` : ''}`);
  writeFileAtomic(opts.out, bytes);
  return { model: model.name, out: opts.out, bytes: bytes.length, maskedLayers: masks?.size ?? 0, zeroedWeights: skippedWeights(masks) };
}

/** `sim-dse export-tflite`: writes an approximate model as .tflite. */
export function registerExportTflite(program: Command): void {
  withOptions(program.command('export-tflite').description('Write a model as .tflite with the weights skipped by a skip configuration set to zero'), { ...modelOptions('required') })
    .option('--skip <config.json>', 'skip configuration {"version":1,"model":NAME,"masks":{"<op>":"<base64>"}}; without it the model is rewritten unchanged')
    .requiredOption('--out <file>', 'output .tflite file (written atomically)')
    .addHelpText(
      'after',
      '\nThe skip configuration format is documented in src/model/skip-config.ts: one base64 mask per\n' +
        'maskable operator index, one byte per weight in storage order, 1 = skipped.\n' +
        '\nExamples:\n' +
        '  sim-dse export-tflite --model resnet8 --skip runs/best.json --out resnet8-approx.tflite\n' +
        '  sim-dse eval --model resnet8-approx.tflite --preprocess int8:-128   # check its accuracy',
    )
    .action((opts: ExportTfliteOptions) => {
      const r = runExportTflite(opts);
      process.stdout.write(`wrote ${r.out} (${r.bytes} bytes): ${r.model}, ${r.zeroedWeights} weights zeroed in ${r.maskedLayers} layers\n`);
    });
}
