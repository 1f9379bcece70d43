import { parsePlace, type Placement } from '../../kernels/placement/placement.js';
import type { Command } from 'commander';
import { DEFAULT_FIRMWARE_IMAGES } from '../../firmware/image-timing.js';
import type { Prediction } from '../../firmware/validate.js';
import { FIRMWARE_BOARD_IDS } from '../../firmware/firmware-boards.js';
import { type BoardChoice, pointAtLoss } from '../../explore/export/design-point.js';
import { type ExportedPoint, exportPoint } from '../../explore/export/export-point.js';
import { UsageError } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/parse-options.js';
import { modelOptions, withOptions } from '../options.js';
import { parsePreprocess, parseResize } from '../../model/registry.js';

/** One line saying what the recorded prediction is. */
function predictionLine(p: Prediction | null): string {
  if (p === null) return 'none (the run predicted for another board)';
  const total = Math.round(p.cycles);
  return p.source === 'firmware'
    ? `${total} cycles per inference: this firmware as the DSE emulated it (mean of the first ${p.images} test images; the emulated run prints exactly this)`
    : `${total} cycles per inference: the sum of layer variants timed alone (the point was not re-evaluated, so not timed as a whole firmware)`;
}

/** Options of `sim-dse export` (as parsed by commander). */
export interface ExportOptions {
  readonly run?: string;
  readonly point?: string;
  readonly loss?: string;
  readonly board?: string;
  readonly out?: string;
  readonly images: string;
  readonly runs: string;
  readonly data?: string;
  readonly models?: string;
  readonly model?: string;
  readonly preprocess?: string;
  readonly resize?: string;
  readonly place?: string;
  readonly json?: boolean;
}

/** `--place` of export: absent = the point's own placement (as its run chose and timed it), flash or a fixed placement; `auto` is chosen by build and profile. */
function exportPlacement(text: string | undefined): Placement | undefined {
  if (text === undefined) return undefined;
  const r = parsePlace(text);
  if (r.kind === 'auto') throw new UsageError('export: --place takes flash or OP:CODE[/DATA],... (copy the placement `sim-dse build --place auto` prints)');
  return r.placement;
}

/** Point id option: a non-negative integer. */
function pointId(value: string | undefined): number {
  if (value === undefined) throw new UsageError('missing --point <k> (a point id of the run; see sim-dse show) or --loss <pp>');
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--point: '${value}' is not a point id (0, 1, ...)`);
  return Number(value);
}

/** The point `--point K` or `--loss PP` (the report's choice within PP points of top-1 loss) names; exactly one of them. */
export function selectedPoint(opts: { readonly run: string; readonly point?: string; readonly loss?: string; readonly runs: string }, choice: BoardChoice = {}): number {
  if (opts.point !== undefined && opts.loss !== undefined) throw new UsageError('give --point <k> or --loss <pp>, not both');
  if (opts.loss === undefined) return pointId(opts.point);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(opts.loss)) throw new UsageError(`--loss: '${opts.loss}' is not a number of percentage points`);
  return pointAtLoss(opts.run, Number(opts.loss), opts.runs, choice);
}

/** Runs `sim-dse export`. */
export function runExport(opts: ExportOptions): ExportedPoint {
  if (!opts.run) throw new UsageError('missing --run <id>');
  if (!opts.board) throw new UsageError(`missing --board (${FIRMWARE_BOARD_IDS.join(' or ')})`);
  if (!opts.out) throw new UsageError('missing --out <dir>');
  return exportPoint({
    run: opts.run,
    // a multi-board run: the target board's store when the run explored it, else its first board's
    point: selectedPoint({ ...opts, run: opts.run }, { board: opts.board, firstByDefault: true }),
    board: opts.board,
    outDir: opts.out,
    images: parsePositiveInt('--images', opts.images) ?? DEFAULT_FIRMWARE_IMAGES,
    runsDir: opts.runs,
    dataDir: opts.data,
    modelsDir: opts.models,
    modelFile: opts.model,
    preprocess: opts.preprocess ? parsePreprocess(opts.preprocess) : undefined,
    resize: opts.resize ? parseResize(opts.resize) : undefined,
    placement: exportPlacement(opts.place),
  });
}

/** `sim-dse export`: a design point as a standalone Nucleo firmware project. */
export function registerExport(program: Command): void {
  withOptions(program.command('export').description('Export a design point of a DSE run as a standalone Nucleo firmware project (Makefile, flash targets, QEMU variant)'), {
    board: { note: `a firmware target: ${FIRMWARE_BOARD_IDS.join(' or ')}` },
    data: true,
    ...modelOptions({ note: "the run's model: needed only when it is outside the manifest and no longer where the run found it (checked against the run's sha256)" }),
  })
    .option('--run <id>', 'run id (folder under --runs) or run directory')
    .option('--point <k>', 'point id in the run (see sim-dse show)')
    .option('--loss <pp>', "instead of --point: the fastest re-evaluated point within this top-1 loss (percentage points on the full test set), as the run's report names it")
    .option('--out <dir>', 'project folder to write (new, empty, or a previous export)')
    .option('--images <n>', 'CIFAR-10 test images to embed (the DSE timed the points on its full-test-set front on the first 10)', String(DEFAULT_FIRMWARE_IMAGES))
    .option('--runs <dir>', 'folder holding run directories', 'runs')
    .option('--place <placement>', 'where layer code and constants live: flash or OP:CODE[/DATA],... as `sim-dse build` prints it (default: where the run placed the point)')
    .option('--json', 'print a JSON summary', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sim-dse export --run lenet-0123456789 --point 17 --board nucleo-f446re --out fw-lenet\n' +
        '  sim-dse export --run lenet-0123456789 --loss 0 --board nucleo-f446re --out fw-lenet-lossless\n' +
        '  make -C fw-lenet && make -C fw-lenet flash\n' +
        '  sim-dse validate --serial /dev/ttyACM0 --run lenet-0123456789 --point 17',
    )
    .action((opts: ExportOptions) => {
      const r = runExport(opts);
      for (const n of r.notes) process.stderr.write(`sim-dse: note: ${n}\n`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ dir: r.dir, files: r.files, manifest: r.manifest, notes: r.notes }, null, 2)}\n`);
        return;
      }
      const m = r.manifest;
      process.stdout.write(
        [
          `wrote ${r.dir}: point ${m.origin?.point} of run ${m.origin?.run} (${m.origin?.model}) for ${m.board}, ${m.layers.length} layers, ${m.labels.length} test images`,
          `  predicted: ${predictionLine(m.predicted)}`,
          `  build:    make -C ${r.dir}`,
          `  flash:    make -C ${r.dir} flash   (or flash-openocd, flash-pyocd)`,
          `  emulate:  sim-dse emulate-firmware ${r.dir}`,
          `  validate: sim-dse validate --serial /dev/ttyACM0 --run ${m.origin?.run} --point ${m.origin?.point}`,
        ].join('\n') + '\n',
      );
    });
}
