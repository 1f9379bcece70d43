import type { Command } from 'commander';
import { getBoard } from '../../emulator/boards.js';
import { profileNetwork, type NetworkProfile } from '../../kernels/profile.js';
import { loadCifar10 } from '../../model/dataset/cifar10.js';
import { modelInputs } from '../../model/dataset/preprocess.js';
import { UsageError } from '../../util/errors.js';
import { KERNELS_OPTIONS, parseKernelStyle } from './build.js';
import { CMSIS_NN_STYLE, profileCmsisNn } from '../../kernels/cmsis-nn/reference.js';
import { loadModelFromOptions } from './eval.js';

interface ProfileOptions {
  readonly model: string;
  readonly models?: string;
  readonly data?: string;
  readonly skip?: string;
  readonly board: string;
  readonly kernels: string;
  readonly image: string;
  readonly json?: boolean;
  readonly cmsisNn?: string;
}

/** Text table of several profiles of the same model: one column per (kernels, board). */
export function formatProfiles(profiles: readonly NetworkProfile[]): string {
  const head = profiles.map((p) => `${p.style}@${p.board}`);
  const names = profiles[0].layers.map((l) => l.name);
  const w = Math.max(12, ...names.map((n) => n.length));
  const cw = head.map((h) => Math.max(h.length, 12));
  const row = (first: string, cells: string[]): string => `${first.padEnd(w)}  ${cells.map((c, i) => c.padStart(cw[i])).join('  ')}`;
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  return [
    `${profiles[0].model}: cycles per layer (one inference, warm caches)`,
    row('layer', head),
    ...names.map((n, k) => row(n, profiles.map((p) => String(p.layers[k].cycles)))),
    row('sum of layers', profiles.map((p) => String(p.layerSum))),
    row('inference', profiles.map((p) => String(p.cycles))),
    row('  ms', profiles.map((p) => p.ms.toFixed(2))),
    row('  layers/total', profiles.map((p) => `${((p.layerSum / p.cycles) * 100).toFixed(2)} %`)),
    row('flash', profiles.map((p) => kb(p.sizes.flash))),
    row('RAM', profiles.map((p) => kb(p.sizes.ram))),
    row('fits', profiles.map((p) => (p.fits ? 'yes' : 'NO'))),
    row('output = engine', profiles.map((p) => (p.matchesEngine ? 'yes' : 'NO'))),
  ].join('\n');
}

/** `sim-dse profile`: per-layer cycles, flash and RAM of kernels on boards. */
export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('Build and emulate one inference: per-layer and total cycles, flash and RAM, for each kernel style and board')
    .requiredOption('--model <name|file>', 'model name (lenet, resnet8) or a .tflite path')
    .option('--models <dir>', 'folder of the manifest models (default: $SIM_DSE_MODELS or ../shared/models)')
    .option('--data <dir>', 'CIFAR-10 binary folder (default: $SIM_DSE_DATA or ../shared/datasets/cifar10)')
    .option('--skip <config.json>', 'skip configuration for the unpacked kernels')
    .option('--board <ids>', 'comma-separated board profiles', 'nucleo-f446re,nucleo-l4r5zi')
    .option('--kernels <styles>', `comma-separated: ${KERNELS_OPTIONS.join(', ')}`, 'baseline,unpacked')
    .option('--cmsis-nn <dir>', 'CMSIS-NN folder for --kernels cmsis-nn (default: $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN)')
    .option('--image <k>', 'test image to run (index into test_batch.bin)', '0')
    .option('--json', 'print the profiles as JSON', false)
    .addHelpText('after', '\nExample:\n  sim-dse profile --model resnet8 --board nucleo-l4r5zi,nucleo-f446re\n  sim-dse profile --model lenet --kernels baseline,cmsis-nn')
    .action(async (opts: ProfileOptions) => {
      const styles = opts.kernels.split(',').map((s) => parseKernelStyle(s.trim()));
      const boards = opts.board.split(',').map((b) => getBoard(b.trim()));
      const k = Number(opts.image);
      if (!Number.isInteger(k) || k < 0) throw new UsageError(`--image: '${opts.image}' is not an image index`);
      const { model, masks } = loadModelFromOptions(opts);
      const ds = loadCifar10({ dir: opts.data, split: 'test' });
      if (k >= ds.count) throw new UsageError(`--image ${k}: ${ds.source} has ${ds.count} images`);
      const input = modelInputs(ds, model.graph, model.preprocess, k + 1).input(k);
      const profiles: NetworkProfile[] = [];
      for (const style of styles) {
        for (const board of boards) {
          if (style === CMSIS_NN_STYLE) {
            profiles.push(await profileCmsisNn(model.graph, board, input, { dir: opts.cmsisNn }));
            continue;
          }
          const spec = { style, masks: style === 'unpacked' ? masks : undefined };
          profiles.push((await profileNetwork(model.graph, spec, board, input)).profile);
        }
      }
      process.stdout.write(opts.json ? `${JSON.stringify(profiles, null, 2)}\n` : `${formatProfiles(profiles)}\n`);
    });
}
