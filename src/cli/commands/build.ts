import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { getBoard } from '../../emulator/boards.js';
import { defaultEmitters } from '../../kernels/emitters.js';
import type { KernelStyle } from '../../kernels/network/assemble.js';
import { buildNetwork, type NetworkImage } from '../../kernels/network/build.js';
import { buildCmsisNnNetwork } from '../../kernels/cmsis-nn/network.js';
import { CMSIS_NN_STYLE } from '../../kernels/cmsis-nn/reference.js';
import { prepareGraph } from '../../model/engine/prepare.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { SimDseError, UsageError } from '../../util/errors.js';
import { loadModelFromOptions, positiveInt } from './eval.js';

/** Options of `sim-dse build`. */
interface BuildCliOptions {
  readonly model: string;
  readonly models?: string;
  readonly skip?: string;
  readonly board: string;
  readonly kernels: string;
  readonly out?: string;
  readonly jobs?: string;
  readonly json?: boolean;
  readonly cmsisNn?: string;
}

/** What `--kernels` takes: a kernel style of sim-dse's own, or Arm's CMSIS-NN as the exact reference. */
export type KernelsOption = KernelStyle | typeof CMSIS_NN_STYLE;

/** Every value `--kernels` takes, in the order messages list them. */
export const KERNELS_OPTIONS: readonly KernelsOption[] = ['baseline', 'unpacked', CMSIS_NN_STYLE];

/** Parses `--kernels`. */
export function parseKernelStyle(value: string): KernelsOption {
  const found = KERNELS_OPTIONS.find((k) => k === value);
  if (found === undefined) throw new UsageError(`--kernels: '${value}' is not one of ${KERNELS_OPTIONS.join(', ')}`);
  return found;
}

/** `sim-dse build`: generate, compile (cached) and size a network image. */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('Generate the C kernels of a model variant, compile them (cached by content hash) and report flash, RAM and fit')
    .requiredOption('--model <name|file>', 'model name (lenet, resnet8) or a .tflite path')
    .option('--models <dir>', 'folder of the manifest models (default: $SIM_DSE_MODELS or ../shared/models)')
    .option('--skip <config.json>', 'skip configuration (unpacked kernels leave the skipped operands out)')
    .option('--board <id>', 'board profile', 'nucleo-f446re')
    .option('--kernels <style>', 'unpacked (weights as code), baseline (im2col + SMLAD library) or cmsis-nn (Arm\'s library, exact reference)', 'unpacked')
    .option('--cmsis-nn <dir>', 'CMSIS-NN folder for --kernels cmsis-nn (default: $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN)')
    .option('--out <dir>', 'also write the C sources, image.elf and build.json here')
    .option('--jobs <n>', 'parallel compiler processes (default: all cores)')
    .option('--json', 'print the result as JSON', false)
    .addHelpText(
      'after',
      '\nCompiler flags are fixed (see `sim-dse build --help` in README); the cache lives in\n' +
        '.sim-dse-cache/ (or $SIM_DSE_CACHE). Exits 1 when the image does not fit the board.\n\n' +
        'Examples:\n  sim-dse build --model lenet --board nucleo-f446re\n  sim-dse build --model resnet8 --kernels baseline --out build/resnet8-baseline\n  sim-dse build --model resnet8 --kernels cmsis-nn',
    )
    .action(async (opts: BuildCliOptions) => {
      const style = parseKernelStyle(opts.kernels);
      const board = getBoard(opts.board);
      const jobs = positiveInt('--jobs', opts.jobs);
      const { model, masks } = loadModelFromOptions(opts);
      if (style === CMSIS_NN_STYLE && masks !== undefined) throw new UsageError('--skip: CMSIS-NN kernels are the exact reference and take no skip configuration');
      const prepared = prepareGraph(model.graph);
      const image: NetworkImage =
        style === CMSIS_NN_STYLE
          ? await buildCmsisNnNetwork(prepared, board, { jobs, dir: opts.cmsisNn })
          : await buildNetwork(prepared, { style, masks }, board, defaultEmitters(), { jobs });
      const s = image.sizes;
      const report = {
        model: model.name,
        kernels: style,
        board: board.id,
        layers: image.source.layers.length,
        maskedLayers: masks?.size ?? 0,
        flash: s.flash,
        text: s.text,
        data: s.data,
        bss: s.bss,
        stack: s.stack,
        ram: s.ram,
        fits: image.fit.fits,
      };
      if (!image.fit.fits) throw new SimDseError('kernels', `${model.name} (${style}) does not fit ${board.id}: ${image.fit.reason}`);
      if (opts.out) {
        mkdirSync(opts.out, { recursive: true });
        for (const src of image.source.sources) writeFileAtomic(join(opts.out, src.name), src.code);
        writeFileAtomic(join(opts.out, 'image.elf'), image.elf);
        writeFileAtomic(join(opts.out, 'build.json'), `${JSON.stringify(report, null, 2)}\n`);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
      process.stdout.write(
        [
          `${model.name}: ${style} kernels, ${report.layers} layers${report.maskedLayers ? `, ${report.maskedLayers} with skip masks` : ''}, ${board.id}`,
          `  flash  ${kb(s.flash)} (code+constants ${kb(s.text)}, data ${kb(s.data)})`,
          `  RAM    ${kb(s.ram)} (data ${kb(s.data)}, bss ${kb(s.bss)}, stack bound ${s.stack} B)`,
          `  fits   yes`,
          ...(opts.out ? [`  wrote  ${opts.out}/ (C sources, image.elf, build.json)`] : []),
        ].join('\n') + '\n',
      );
    });
}
