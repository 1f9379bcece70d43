import type { Command } from 'commander';
import { defaultLatencySource, latencySources } from '../../explore/evaluate/latency-sources.js';
import { executeRun } from '../../explore/run/execute.js';
import { planRun, RUN_DEFAULTS, type RunOptions } from '../../explore/run/plan.js';
import { createProgress } from '../../explore/run/progress.js';
import { compilerActivity } from '../../kernels/compile/compile.js';
import { poolVariantActivity } from '../../explore/pool/pool-offload.js';
import { formatSummary, summarise } from '../../explore/run/summary.js';
import { DEFAULT_CALIBRATION_IMAGES } from '../../explore/significance/calibration.js';
import { modelOptions, printNote, withOptions } from '../options.js';

/** What gcc and the pool workers' layer variants are doing for this run, for the progress line (nothing while neither runs). */
function compileActivityText(): string | undefined {
  const a = compilerActivity();
  const v = poolVariantActivity();
  const parts = [
    ...(v.running === 0 ? [] : [`layer variants: ${v.costed} compiled and emulated on the workers, ${v.running} in progress`]),
    ...(a.running === 0 ? [] : [`gcc: ${a.compiled} units compiled, ${a.running} running`]),
  ];
  return parts.length === 0 ? undefined : parts.join('; ');
}

/** `sim-dse run`: the design-space exploration of a model. */
export function registerRun(program: Command): void {
  withOptions(
    program
      .command('run')
      .description(
        'Explore skip configurations of a model (top-1 on a thread pool, cycles and flash per point), re-evaluate the Pareto front ' +
          'on the full test set and write a report to runs/<id>/. Rerunning the same command resumes.',
      ),
    { ...modelOptions('required'), threads: { note: 'they compute top-1 and time firmware' }, board: { default: RUN_DEFAULTS.board, note: 'a comma-separated list (e.g. nucleo-f446re,nucleo-l4r5zi) explores several boards in one run: top-1 once per configuration, cycles per board, one front per board and a report comparing them' }, data: true },
  )
    .option(
      '--latency <source>',
      `latency source (default ${defaultLatencySource()}): ${Object.entries(latencySources).map(([k, v]) => `${k} = ${v.summary}`).join('; ')}`,
    )
    .option('--preset <name>', 'configuration space preset: default (skip fractions, all layers) or seed-grid')
    .option('--metric <name>', 'significance metric: contribution (default), seed, magnitude or obs (Optimal Brain Surgeon saliency of SMLAD pairs after refitting, greedy per channel; with --compensate)')
    .option('--kind <kind>', 'custom space: threshold or fraction settings')
    .option('--layers <ops>', 'custom space: operator indices of the layers, e.g. 3,5')
    .option('--levels <list|from:to:step>', 'custom space: levels of every layer, e.g. 0,0.1,0.2 or 0:0.01:0.001')
    .option('--exclude-first', 'leave the first convolution exact')
    .option('--skip-unit <unit>', 'what a skip level removes: weight (default), pair (whole SMLAD weight pairs: every skipped weight saves unpacked cycles) or sparse (2x2 units of the sparse loop kernel: every skipped weight saves sparse and unpacked cycles)')
    .option(
      '--compensate',
      'refit each masked layer\'s kept weights and bias by least squares over the calibration images\' activations, so the accumulators ' +
        'stay close to the exact ones (CONV_2D and FULLY_CONNECTED; the kernels and firmware bake the refitted weights, bit-exact with the engine)',
    )
    .option('--search <strategy>', 'auto (grid when the space fits the budget), grid or nsga2', 'auto')
    .option('--budget <n>', `most configurations to evaluate (default ${RUN_DEFAULTS.budget})`)
    .option('--population <n>', `NSGA-II population (default ${RUN_DEFAULTS.population})`)
    .option('--seed <n>', `search seed (default ${RUN_DEFAULTS.seed})`)
    .option('--max-loss <pp>', `NSGA-II treats points losing more top-1 than this (percentage points) as infeasible (default ${RUN_DEFAULTS.maxLoss})`)
    .option('--images <n>', `test images per point while searching (default ${RUN_DEFAULTS.images})`)
    .option('--full-images <n>', 'test images for the front (default: the whole test set)')
    .option('--calibration <n>', `calibration images from data_batch_1 for significance (default ${DEFAULT_CALIBRATION_IMAGES})`)
    .option('--no-seed-grid', "do not evaluate the seed toolkit's grid beside the search")
    .option(
      '--no-sensitivity',
      'start NSGA-II without the per-layer sensitivity pass (by default its budget first evaluates every layer alone at each level, ' +
        'then seeds the first generation with composites of the levels each layer tolerates; the report tabulates the pass)',
    )
    .option('--out <dir>', `folder of run directories (default ${RUN_DEFAULTS.out})`)
    .option('--id <name>', 'run directory name (default: <model>-<hash of the configuration>)')
    .option('--cmsis-nn <dir>', 'CMSIS-NN folder for the reference in the report (default: $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN; without it the report says it was not found)')
    .option('--redis <url>', 'evaluate on the workers of this Redis queue (sim-dse worker --redis URL on each machine) instead of local threads; same store')
    .option('--stop-after <n>', 'stop after storing n new rows (as Ctrl-C would; for testing resume)')
    .option('--json', 'print the summary as JSON', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sim-dse run --model lenet --threads 2\n' +
        '  sim-dse run --model resnet8 --budget 2000 --seed 7 --json\n' +
        '  sim-dse run --model lenet --preset seed-grid\n' +
        '  sim-dse run --model lenet --redis redis://10.0.0.5:6379\n' +
        '  sim-dse run --model lenet --kind threshold --metric magnitude --layers 3,5 --levels 0:0.02:0.002\n' +
        '  sim-dse run --model resnet8 --board nucleo-f446re,nucleo-l4r5zi --skip-unit pair --compensate --metric obs --images 10000',
    )
    .action(async (opts: RunOptions & { json: boolean }) => {
      const plan = planRun(opts);
      for (const n of plan.model.notes) printNote(n);
      const controller = new AbortController();
      const onSigint = () => {
        process.stderr.write('\nsim-dse: stopping after the current point (Ctrl-C again to abort at once)\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      const progress = createProgress(process.stderr, { activity: compileActivityText });
      const ticker = setInterval(() => progress.tick(), 1000);
      ticker.unref();
      try {
        const outcome = await executeRun(plan, {
          progress,
          signal: controller.signal,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        const summary = summarise(outcome);
        process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
        if (outcome.kind === 'stopped' && outcome.reason === 'signal') process.exitCode = 130;
      } finally {
        clearInterval(ticker);
        process.removeListener('SIGINT', onSigint);
      }
    });
}
