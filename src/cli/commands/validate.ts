import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readFirmwareRun } from '../../firmware/firmware-run.js';
import { type BoardChoice, pointLayerNames, pointName, pointPrediction, readDesignPoint, runDirectory } from '../../explore/export/design-point.js';
import { readSerialRun } from '../../firmware/serial.js';
import { type Validation, checkRunIsPoint, formatValidation, validateRun } from '../../firmware/validate.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { FileError, UsageError } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/parse-options.js';
import { selectedPoint } from './export.js';
import { modelOptions, withOptions } from '../options.js';
import { parsePreprocess, parseResize } from '../../model/registry.js';

/** Options of `sim-dse validate` (as parsed by commander). */
export interface ValidateOptions {
  readonly serial?: string;
  readonly log?: string;
  readonly run?: string;
  readonly point?: string;
  readonly loss?: string;
  readonly runs: string;
  /** The board of a multi-board run whose prediction to check (default: the board the firmware's log names). */
  readonly board?: string;
  readonly models?: string;
  readonly model?: string;
  readonly preprocess?: string;
  readonly resize?: string;
  readonly baud: string;
  readonly timeout: string;
  readonly save?: string;
  readonly json?: boolean;
}

/** The output text of the firmware: from --log, or read from --serial (lines echoed to `echo`). */
async function firmwareText(opts: ValidateOptions, echo: (line: string) => void): Promise<{ text: string; source: string }> {
  if (opts.log) {
    try {
      return { text: readFileSync(opts.log, 'latin1'), source: opts.log };
    } catch (err) {
      throw new FileError(`cannot read log file ${opts.log} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const text = await readSerialRun(opts.serial!, {
    baudRate: parsePositiveInt('--baud', opts.baud) ?? 115200,
    timeoutMs: (parsePositiveInt('--timeout', opts.timeout) ?? 120) * 1000,
    onLine: echo,
  });
  if (opts.save) writeFileAtomic(opts.save, text);
  return { text, source: opts.serial! };
}

/** Runs `sim-dse validate`. */
export async function runValidate(opts: ValidateOptions, echo: (line: string) => void = () => undefined): Promise<Validation> {
  if ((opts.serial === undefined) === (opts.log === undefined)) throw new UsageError('give one of --serial <port> or --log <file>');
  if (!opts.run) throw new UsageError('missing --run <id>');
  // the run and the point are checked before waiting on a board (a multi-board run: --board's store, else the first board's)
  const pointOn = (choice: BoardChoice) => readDesignPoint(opts.run!, selectedPoint({ ...opts, run: opts.run! }, choice), opts.runs, choice);
  const early = pointOn({ board: opts.board, firstByDefault: opts.board === undefined });
  const { text, source } = await firmwareText(opts, echo);
  const run = readFirmwareRun(text, source);
  // without --board, the prediction of the board the firmware says it ran on
  const point = opts.board === undefined && early.dir !== runDirectory(opts.run, opts.runs, { board: run.board }) ? pointOn({ board: run.board }) : early;
  const layerNames = pointLayerNames(point, {
    modelsDir: opts.models,
    modelFile: opts.model,
    preprocess: opts.preprocess ? parsePreprocess(opts.preprocess) : undefined,
    resize: opts.resize ? parseResize(opts.resize) : undefined,
  });
  checkRunIsPoint(run, pointName(point), layerNames);
  return validateRun(run, pointPrediction(point, layerNames, run.images.length));
}

/** `sim-dse validate`: predicted against measured cycles per layer, from a board's serial port or a saved log. */
export function registerValidate(program: Command): void {
  withOptions(
    program.command('validate').description("Compare a design point's predicted cycles with what its exported firmware measured (serial port or saved log)"),
    modelOptions({ note: "the run's model: needed only when it is outside the manifest and no longer where the run found it (checked against the run's sha256)" }),
  )
    .option('--serial <port>', "the board's virtual COM port, e.g. /dev/ttyACM0 (press RESET on the board while this waits)")
    .option('--log <file>', 'a saved output of the firmware (any terminal log, or sim-dse emulate-firmware > file)')
    .option('--run <id>', 'run id (folder under --runs) or run directory')
    .option('--point <k>', 'point id in the run')
    .option('--loss <pp>', "instead of --point: the point the run's report names at this top-1 loss budget (percentage points)")
    .option('--runs <dir>', 'folder holding run directories', 'runs')
    .option('--board <id>', "a run of several boards: whose prediction to check (default: the board the firmware's log names)")
    .option('--baud <n>', 'baud rate of --serial', '115200')
    .option('--timeout <s>', 'seconds to wait for a complete run on --serial', '120')
    .option('--save <file>', 'with --serial: also save what the board printed')
    .option('--json', 'print JSON', false)
    .addHelpText(
      'after',
      '\nError = (predicted - measured) / measured; measured = mean over the embedded images.\n' +
        "Predicted: the DSE's whole-firmware timing of the point (the points on an emulated run's front of full-test-set top-1 against cycles:\n" +
        'the same image emulated, mean over the same test images), else the sum of its layer variants.\n' +
        'Examples:\n' +
        '  sim-dse validate --serial /dev/ttyACM0 --run lenet-0123456789 --point 17\n' +
        '  sim-dse validate --log board.log --run lenet-0123456789 --point 17 --json',
    )
    .action(async (opts: ValidateOptions) => {
      const v = await runValidate(opts, (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(opts.json ? `${JSON.stringify(v, null, 2)}\n` : `${formatValidation(v)}\n`);
    });
}
