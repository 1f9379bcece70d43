import type { Command } from 'commander';
import { getBoard } from '../../emulator/boards.js';
import { buildProject } from '../../firmware/build.js';
import { emulateFirmware } from '../../firmware/emulate.js';
import { getFirmwareBoard } from '../../firmware/firmware-boards.js';
import { type FirmwareRun, readFirmwareRun } from '../../firmware/firmware-run.js';
import { readManifest } from '../../firmware/manifest.js';
import { runQemu } from '../../firmware/qemu.js';
import { SimDseError, UsageError } from '../../util/errors.js';
import { positiveInt } from './eval.js';

/** Options of `sim-dse emulate-firmware` (as parsed by commander). */
export interface EmulateFirmwareOptions {
  readonly board?: string;
  readonly qemu?: boolean;
  readonly timeout: string;
  readonly json?: boolean;
}

/** What `sim-dse emulate-firmware` did. */
export interface EmulatedFirmware {
  /** Board profile emulated, or `qemu-netduinoplus2`. */
  readonly target: string;
  /** Everything the firmware printed. */
  readonly output: string;
  readonly run: FirmwareRun;
  /** Emulator cycles and instructions from reset to the end (null in QEMU). */
  readonly cycles: number | null;
  readonly instructions: number | null;
  /** Images whose printed prediction differs from the reference engine's (empty when none, null when unknown). */
  readonly mismatches: readonly number[] | null;
}

/** Board families: firmware runs on profiles of its own family (the same peripheral registers). */
const FAMILY: Record<string, string> = { 'nucleo-f446re': 'f4', 'nucleo-f401re': 'f4', ideal: 'f4', 'nucleo-l4r5zi': 'l4', 'nucleo-l476rg': 'l4' };

/** Runs `sim-dse emulate-firmware`. */
export async function runEmulateFirmware(dir: string, opts: EmulateFirmwareOptions): Promise<EmulatedFirmware> {
  const manifest = readManifest(dir);
  getFirmwareBoard(manifest.board);
  const profileId = opts.board ?? manifest.board;
  if (FAMILY[getBoard(profileId).id] !== FAMILY[manifest.board]) {
    throw new UsageError(`${dir} was exported for ${manifest.board}; it cannot run on ${profileId} (export it again with --board ${profileId})`);
  }
  let output: string;
  let cycles: number | null = null;
  let instructions: number | null = null;
  let target: string;
  if (opts.qemu) {
    const { elf } = await buildProject(dir, 'qemu');
    const r = await runQemu(elf, (positiveInt('--timeout', opts.timeout) ?? 300) * 1000);
    if (r.kind === 'timeout') throw new SimDseError('qemu', `QEMU did not finish within ${opts.timeout} s; it printed ${r.output.length} bytes`);
    output = r.output;
    target = 'qemu-netduinoplus2';
  } else {
    const { elf } = await buildProject(dir, 'board');
    const r = emulateFirmware(elf, getBoard(profileId));
    if (r.kind === 'fault') throw new SimDseError('fault', `${r.message}${r.uart ? ` (after printing ${r.uart.split('\n').length - 1} lines)` : ''}`);
    output = r.uart;
    cycles = r.cycles;
    instructions = r.instructions;
    target = profileId;
  }
  const run = readFirmwareRun(output, target);
  const mismatches = manifest.expected ? run.images.filter((m) => m.pred !== manifest.expected![m.index]).map((m) => m.index) : null;
  return { target, output, run, cycles, instructions, mismatches };
}

/** `sim-dse emulate-firmware DIR`: run an exported firmware in the emulator (or QEMU) and print what the board would. */
export function registerEmulateFirmware(program: Command): void {
  program
    .command('emulate-firmware')
    .description('Build an exported firmware project and run it in the emulator from reset, printing the lines the board would print')
    .argument('<dir>', 'project folder written by sim-dse export')
    .option('--board <id>', 'board profile to emulate (default: the board the project was exported for)')
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
      process.stdout.write(opts.json ? `${JSON.stringify({ ...r }, null, 2)}\n` : r.output);
      if (r.mismatches === null) return;
      if (r.mismatches.length > 0) {
        throw new SimDseError('firmware', `predictions of images ${r.mismatches.join(', ')} differ from the reference engine's`);
      }
      process.stderr.write(`sim-dse: the ${r.run.images.length} predictions equal the reference engine's\n`);
    });
}
