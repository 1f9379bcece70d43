import type { Command } from 'commander';
import { getBoard } from '../../emulator/boards.js';
import { profileNetwork, type NetworkProfile } from '../../kernels/profile.js';
import { loadCifar10 } from '../../model/dataset/cifar10.js';
import { modelInputs } from '../../model/dataset/preprocess.js';
import { SimDseError, UsageError } from '../../util/errors.js';
import { KERNELS_OPTIONS, PLACE_HELP, parseKernelStyle } from './build.js';
import { parsePlace } from '../../kernels/placement/placement.js';
import { CMSIS_NN_STYLE, profileCmsisNn } from '../../kernels/cmsis-nn/reference.js';
import { loadModelFromOptions, modelOptions, printNote, withOptions } from '../options.js';

interface ProfileOptions {
  readonly model: string;
  readonly models?: string;
  readonly preprocess?: string;
  readonly resize?: string;
  readonly data?: string;
  readonly skip?: string;
  readonly board: string;
  readonly kernels: string;
  readonly image: string;
  readonly place: string;
  readonly json?: boolean;
  readonly cmsisNn?: string;
}

/** A layer's code and constants homes in one letter each (f flash, s SRAM, a SRAM2 window, o overlay in that window), '' when both in flash. */
function homesTag(h: { readonly code: string; readonly data: string }): string {
  return h.code === 'flash' && h.data === 'flash' ? '' : ` ${h.code[0]}/${h.data[0]}`;
}


/** A cycles/MAC cell: two decimals, '-' for a layer without multiply-accumulates. */
function perMac(v: number | null): string {
  return v === null ? '-' : v.toFixed(2);
}

/**
 * Text table of several profiles of the same model: per layer, one cycles
 * column and one cycles/MAC column per (kernels, board), then totals.
 */
export function formatProfiles(profiles: readonly NetworkProfile[]): string {
  const head = profiles.flatMap((p) => [`${p.style}@${p.board}`, 'cycles/MAC']);
  const names = profiles[0].layers.map((l) => l.name);
  const w = Math.max(12, ...names.map((n) => n.length));
  const cw = head.map((h) => Math.max(h.length, 12));
  const row = (first: string, cells: string[]): string => `${first.padEnd(w)}  ${cells.map((c, i) => c.padStart(cw[i])).join('  ')}`;
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  return [
    `${profiles[0].model}: cycles per layer (one inference, warm caches; code/constants placed: f flash, s SRAM, a SRAM2 window, o overlay: loaded into the window before the layer runs)`,
    row('layer', head),
    ...names.map((n, k) => row(n, profiles.flatMap((p) => [`${p.layers[k].cycles}${homesTag(p.layers[k].homes)}`, perMac(p.layers[k].cyclesPerMac)]))),
    row('sum of layers', profiles.flatMap((p) => [String(p.layerSum), ''])),
    row('inference', profiles.flatMap((p) => [String(p.cycles), perMac(p.cyclesPerMac)])),
    row('  MACs', profiles.flatMap((p) => [String(p.macs), ''])),
    row('  max layer', profiles.flatMap((p) => ['', perMac(p.maxLayerCyclesPerMac)])),
    row('  ms', profiles.flatMap((p) => [p.ms.toFixed(2), ''])),
    row('  layers/total', profiles.flatMap((p) => [`${((p.layerSum / p.cycles) * 100).toFixed(2)} %`, ''])),
    row('flash', profiles.flatMap((p) => [kb(p.sizes.flash), ''])),
    row('RAM', profiles.flatMap((p) => [kb(p.sizes.ram), ''])),
    row('fits', profiles.flatMap((p) => [p.fits ? 'yes' : 'NO', ''])),
    row('library code', profiles.flatMap((p) => [p.libraryCode, ''])),
    row('placement', profiles.flatMap((p) => [p.placement, ''])),
    row('output = engine', profiles.flatMap((p) => [p.matchesEngine ? 'yes' : 'NO', ''])),
  ].join('\n');
}

/** `sim-dse profile`: per-layer cycles, flash and RAM of kernels on boards. */
export function registerProfile(program: Command): void {
  withOptions(program.command('profile').description('Build and emulate one inference: per-layer and total cycles, flash and RAM, for each kernel style and board'), { ...modelOptions('required'), data: true })
    .option('--skip <config.json>', 'skip configuration for the unpacked kernels')
    .option('--board <ids>', 'comma-separated board profiles', 'nucleo-f446re,nucleo-l4r5zi')
    .option('--kernels <styles>', `comma-separated: ${KERNELS_OPTIONS.join(', ')}`, 'baseline,unpacked')
    .option('--cmsis-nn <dir>', 'CMSIS-NN folder for --kernels cmsis-nn (default: $SIM_DSE_CMSIS_NN or ../shared/third-party/CMSIS-NN)')
    .option('--image <k>', 'test image to run (index into test_batch.bin)', '0')
    .option('--place <placement>', PLACE_HELP, 'auto')
    .option('--json', 'print the profiles as JSON', false)
    .addHelpText('after', '\nExample:\n  sim-dse profile --model resnet8 --board nucleo-l4r5zi,nucleo-f446re --place flash\n  sim-dse profile --model lenet --kernels baseline,cmsis-nn')
    .action(async (opts: ProfileOptions) => {
      const styles = opts.kernels.split(',').map((s) => parseKernelStyle(s.trim()));
      const boards = opts.board.split(',').map((b) => getBoard(b.trim()));
      const place = parsePlace(opts.place);
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
          const spec = { style, masks: style === 'baseline' ? undefined : masks };
          try {
            profiles.push((await profileNetwork(model.graph, spec, board, input, { place, fitCheck: true })).profile);
          } catch (err) {
            if (!(err instanceof SimDseError && err.kind === 'too-large')) throw err;
            printNote(`skipped: ${err.message}`);
          }
        }
      }
      if (profiles.length === 0) throw new SimDseError('kernels', `${model.name}: none of the kernels and boards asked for can fit (see the notes above)`);
      process.stdout.write(opts.json ? `${JSON.stringify(profiles, null, 2)}\n` : `${formatProfiles(profiles)}\n`);
    });
}
