import { getBoard } from '../../emulator/boards.js';
import type { Command } from 'commander';
import { type ProjectRun, runProject } from '../../firmware/run-project.js';
import { SimDseError } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/parse-options.js';
import { withOptions } from '../options.js';

/** Options of `sim-dse emulate-firmware` (as parsed by commander). */
export interface EmulateFirmwareOptions {
  readonly board?: string;
  readonly qemu?: boolean;
  readonly timeout: string;
  readonly json?: boolean;
}

/** Runs `sim-dse emulate-firmware`. */
export function runEmulateFirmware(dir: string, opts: EmulateFirmwareOptions): Promise<ProjectRun> {
  return runProject(dir, opts.qemu ? { kind: 'qemu', timeoutMs: (parsePositiveInt('--timeout', opts.timeout) ?? 300) * 1000 } : { kind: 'emulator', board: opts.board === undefined ? undefined : getBoard(opts.board) });
}

/** `sim-dse emulate-firmware DIR`: run an exported firmware in the emulator (or QEMU) and print what the board would. */
export function registerEmulateFirmware(program: Command): void {
  withOptions(program.command('emulate-firmware').description('Build an exported firmware project and run it in the emulator from reset, printing the lines the board would print'), {
    board: { note: 'default: the board the project was exported for' },
  })
    .argument('<dir>', 'project folder written by sim-dse export')
    .option('--qemu', 'run the QEMU variant on qemu-system-arm -M netduinoplus2 instead (functional check; no cycle counts)', false)
    .option('--timeout <s>', 'seconds QEMU may run', '300')
    .option('--json', 'print JSON (the parsed run, the output, cycles)', false)
    .addHelpText(
      'after',
      '\nThe output is what the board prints; save it and validate it like a board log:\n' +
        '  sim-dse emulate-firmware fw-lenet > emulated.log\n' +
        '  sim-dse validate --log emulated.log --run lenet-0123456789 --point 17',
    )
    .action(async (dir: string, opts: EmulateFirmwareOptions) => {
      const r = await runEmulateFirmware(dir, opts);
      process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : r.output);
      if (r.mismatches === null) return;
      if (r.mismatches.length > 0) throw new SimDseError('firmware', `predictions of images ${r.mismatches.join(', ')} differ from the reference engine's`);
      process.stderr.write(`sim-dse: the ${r.run.images.length} predictions equal the reference engine's\n`);
    });
}
