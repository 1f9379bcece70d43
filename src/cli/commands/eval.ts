import type { Command } from 'commander';
import { evaluateTop1 } from '../../model/accuracy.js';
import { loadCifar10, type Cifar10Split } from '../../model/dataset/cifar10.js';
import { modelInputs } from '../../model/dataset/preprocess.js';
import { createEngine } from '../../model/engine/index.js';
import { describePreprocess } from '../../model/registry.js';
import { skippedWeights } from '../../model/skip-config.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { UsageError } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/parse-options.js';
import { loadModelFromOptions, modelOptions, withOptions } from '../options.js';
import { progressBar } from '../progress-bar.js';

/** Options of `sim-dse eval` (as parsed by commander). */
export interface EvalOptions {
  readonly model: string;
  readonly images?: string;
  readonly data?: string;
  readonly models?: string;
  readonly preprocess?: string;
  readonly resize?: string;
  readonly skip?: string;
  readonly split?: string;
  readonly predictions?: string;
  readonly json?: boolean;
}

/** What `sim-dse eval` reports (also its `--json` output). */
export interface EvalReport {
  readonly model: string;
  readonly file: string;
  readonly sha256: string;
  readonly preprocess: string;
  readonly dataset: string;
  readonly split: Cifar10Split;
  readonly images: number;
  readonly correct: number;
  readonly top1: number;
  /** Maskable layers with a skip mask (0 without --skip). */
  readonly maskedLayers: number;
  readonly skippedWeights: number;
  readonly seconds: number;
  /** Reference engine backend that computed it, e.g. `native (avx512-vnni)` or `wasm`. */
  readonly engine: string;
}

/**
 * Runs `sim-dse eval`: top-1 of a model (optionally with a skip configuration)
 * on the first N CIFAR-10 images; writes --predictions when asked.
 */
export function runEval(opts: EvalOptions, onProgress?: (done: number, total: number) => void): EvalReport {
  const split = (opts.split ?? 'test') as Cifar10Split;
  if (split !== 'test' && split !== 'train') throw new UsageError(`--split: '${opts.split}' is not test or train`);
  const { model, masks } = loadModelFromOptions(opts);
  const ds = loadCifar10({ dir: opts.data, split });
  const images = parsePositiveInt('--images', opts.images) ?? ds.count;
  if (images > ds.count) throw new UsageError(`--images ${images}: ${ds.source} has only ${ds.count} images`);
  const inputs = modelInputs(ds, model.graph, model.preprocess, images);
  const engine = createEngine(model.graph);
  const t0 = performance.now();
  const r = evaluateTop1(engine, inputs, { images, masks, onProgress });
  const seconds = (performance.now() - t0) / 1000;
  if (opts.predictions) {
    const p = opts.predictions;
    if (p.endsWith('.csv')) {
      const lines = ['index,label,predicted'];
      for (let i = 0; i < r.total; i++) lines.push(`${i},${inputs.labels[i]},${r.predictions[i]}`);
      writeFileAtomic(p, `${lines.join('\n')}\n`);
    } else {
      writeFileAtomic(p, r.predictions);
    }
  }
  return {
    model: model.name,
    file: model.path,
    sha256: model.sha256,
    preprocess: describePreprocess(model.preprocess),
    dataset: ds.source,
    split,
    images: r.total,
    correct: r.correct,
    top1: r.top1,
    maskedLayers: masks?.size ?? 0,
    skippedWeights: skippedWeights(masks),
    seconds,
    engine: engine.backendName,
  };
}

/** Text form of an {@link EvalReport}. */
export function formatEvalReport(r: EvalReport): string {
  const lines = [
    `model     ${r.model} (${r.file}, sha256 ${r.sha256.slice(0, 12)})`,
    `input     ${r.preprocess}`,
    `data      ${r.dataset}, images 0..${r.images - 1}`,
  ];
  if (r.maskedLayers > 0) lines.push(`skip      ${r.skippedWeights} weights skipped in ${r.maskedLayers} layers`);
  lines.push(`top-1     ${(r.top1 * 100).toFixed(2)} % (${r.correct} / ${r.images})`);
  lines.push(`time      ${r.seconds.toFixed(2)} s (${(r.images / Math.max(r.seconds, 1e-9)).toFixed(0)} images/s)`);
  lines.push(`engine    ${r.engine}`);
  return `${lines.join('\n')}\n`;
}

/** `sim-dse eval`: top-1 accuracy of a model on CIFAR-10. */
export function registerEval(program: Command): void {
  withOptions(program.command('eval').description('Top-1 accuracy of an int8 model (optionally with a skip configuration) on CIFAR-10, with the reference engine'), { ...modelOptions('required'), data: true })
    .option('--images <n>', 'evaluate the first N images (default: all)')
    .option('--split <split>', 'test (test_batch.bin) or train (data_batch_*.bin)', 'test')
    .option('--skip <config.json>', 'skip configuration (masked weights count as zero)')
    .option('--predictions <file>', 'write the predicted class per image (.csv: index,label,predicted; else one byte each)')
    .option('--json', 'print the result as JSON', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sim-dse eval --model lenet --images 1000\n' +
        '  sim-dse eval --model resnet8 --json\n' +
        '  sim-dse eval --model resnet8 --skip runs/best.json --predictions pred.csv\n' +
        '  sim-dse eval --model ./my-model.tflite --preprocess int8:-128 --data ~/cifar-10-batches-bin',
    )
    .action((opts: EvalOptions) => {
      const bar = progressBar(process.stderr, 'eval');
      let report: EvalReport;
      try {
        report = runEval(opts, (d, t) => bar.update(d, t));
      } finally {
        bar.end();
      }
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvalReport(report));
    });
}
