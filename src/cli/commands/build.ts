import { join } from 'node:path';
import type { Command } from 'commander';
import { getBoard } from '../../emulator/boards.js';
import { defaultEmitters } from '../../kernels/emitters.js';
import { KERNEL_STYLES, type KernelStyle } from '../../kernels/network/assemble.js';
import { unitFiles } from '../../kernels/compile/compile.js';
import { buildNetwork, type NetworkImage } from '../../kernels/network/build.js';
import { buildCmsisNnNetwork } from '../../kernels/cmsis-nn/network.js';
import { CMSIS_NN_STYLE } from '../../kernels/cmsis-nn/reference.js';
import { prepareGraph } from '../../model/engine/prepare.js';
import { resolvePlacement } from '../../kernels/placement/auto.js';
import { formatPlacement, parsePlace } from '../../kernels/placement/placement.js';
import { makeDirectory, writeFileAtomic } from '../../util/atomic-write.js';
import { SimDseError, UsageError } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/parse-options.js';
import { loadModelFromOptions, modelOptions, withOptions } from '../options.js';

/** Options of `sim-dse build`. */
interface BuildCliOptions {
  readonly model: string;
  readonly models?: string;
  readonly preprocess?: string;
  readonly resize?: string;
  readonly skip?: string;
  readonly board: string;
  readonly kernels: string;
  readonly out?: string;
  readonly jobs?: string;
  readonly place: string;
  readonly json?: boolean;
  readonly cmsisNn?: string;
}

/** Help text of `--place` (build and profile). */
export const PLACE_HELP =
  'where code and constants live: auto (measured, chosen under the SRAM budget), flash, or OP:CODE[/DATA],... ' +
  '(OP an operator index or lib for the kernel library; CODE flash|sram|alias|overlay, alias = the L4R5 SRAM2 window, ' +
  'overlay = copied into that window right before the layer runs, so layers larger together than the window each run from it; DATA flash|sram)';

/** What `--kernels` takes: a kernel style of sim-dse's own, or Arm's CMSIS-NN as the exact reference. */
export type KernelsOption = KernelStyle | typeof CMSIS_NN_STYLE;

/** Every value `--kernels` takes, in the order messages list them. */
export const KERNELS_OPTIONS: readonly KernelsOption[] = [...KERNEL_STYLES, CMSIS_NN_STYLE];

/** Parses `--kernels`. */
export function parseKernelStyle(value: string): KernelsOption {
  const found = KERNELS_OPTIONS.find((k) => k === value);
  if (found === undefined) throw new UsageError(`--kernels: '${value}' is not one of ${KERNELS_OPTIONS.join(', ')}`);
  return found;
}

/** `sim-dse build`: generate, compile (cached) and size a network image. */
export function registerBuild(program: Command): void {
  withOptions(program.command('build').description('Generate the C kernels of a model variant, compile them (cached by content hash) and report flash, RAM and fit'), { ...modelOptions('required'), board: { default: 'nucleo-f446re' } })
    .option('--skip <config.json>', 'skip configuration (unpacked kernels leave the skipped operands out)')
    .option('--kernels <style>', 'unpacked (weights as code), baseline (im2col + SMLAD library), sparse (loop over kept 2x2 weight units; conv only) or cmsis-nn (Arm\'s library, exact reference)', 'unpacked')
    .option('--cmsis-nn <dir>', 'CMSIS-NN folder for --kernels cmsis-nn (default: $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN)')
    .option('--out <dir>', 'also write the C sources (and the assembly of units that have some, <unit>.s), image.elf and build.json here')
    .option('--jobs <n>', 'parallel compiler processes (default: all cores)')
    .option('--place <placement>', PLACE_HELP, 'auto')
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
      const jobs = parsePositiveInt('--jobs', opts.jobs);
      const place = parsePlace(opts.place);
      const { model, masks } = loadModelFromOptions(opts);
      if (style === CMSIS_NN_STYLE && masks !== undefined) throw new UsageError('--skip: CMSIS-NN kernels are the exact reference and take no skip configuration');
      const prepared = prepareGraph(model.graph);
      let image: NetworkImage;
      if (style === CMSIS_NN_STYLE) {
        image = await buildCmsisNnNetwork(prepared, board, { jobs, dir: opts.cmsisNn });
      } else {
        const spec = { style, masks };
        image = await buildNetwork(prepared, spec, board, defaultEmitters(), { jobs, fitCheck: true });
        if (!image.fit.fits) throw new SimDseError('kernels', `${model.name} (${style}) does not fit ${board.id}: ${image.fit.reason}`);
        const placement = await resolvePlacement(place, prepared, spec, board, defaultEmitters(), { jobs });
        if (placement.size > 0) image = await buildNetwork(prepared, spec, board, defaultEmitters(), { jobs, placement });
      }
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
        placement: formatPlacement(image.placement),
      };
      if (!image.fit.fits) throw new SimDseError('kernels', `${model.name} (${style}) does not fit ${board.id}: ${image.fit.reason}`);
      if (opts.out) {
        makeDirectory(opts.out, '--out folder');
        for (const f of image.source.sources.flatMap(unitFiles)) writeFileAtomic(join(opts.out, f.name), f.code);
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
          `  placed ${report.placement}`,
          ...(opts.out ? [`  wrote  ${opts.out}/ (C sources and their assembly, image.elf, build.json)`] : []),
        ].join('\n') + '\n',
      );
    });
}
