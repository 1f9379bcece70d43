/**
 * Runs an exported project: builds it with its Makefile (or uses the built
 * ELF), runs the board image in sim-dse's emulator or the QEMU variant in
 * qemu-system-arm, reads the run it printed and checks its predictions
 * against the reference engine's (when the export recorded them).
 */
import type { BoardProfile } from '../emulator/board.js';
import { peripheralRegisters } from '../emulator/stm32-peripherals.js';
import { SimDseError, UsageError } from '../util/errors.js';
import { buildProject } from './build.js';
import { emulateFirmware } from './emulate.js';
import { getFirmwareBoard } from './firmware-boards.js';
import { type FirmwareRun, readFirmwareRun } from './firmware-run.js';
import { readManifest } from './manifest.js';
import { runQemu } from './qemu.js';

/** Where to run a project. */
export type RunTarget =
  /** sim-dse's emulator on a board profile (default: the board the project was exported for). */
  | { readonly kind: 'emulator'; /** The profile to run on (default: the board the project was exported for). */ readonly board?: BoardProfile }
  /** qemu-system-arm -M netduinoplus2, killed after `timeoutMs`. */
  | { readonly kind: 'qemu'; readonly timeoutMs: number };

/** What a project's run printed and measured. */
export interface ProjectRun {
  /** Board profile emulated, or `qemu-netduinoplus2`. */
  readonly target: string;
  /** Everything the firmware printed. */
  readonly output: string;
  readonly run: FirmwareRun;
  /** Emulator cycles and instructions from reset to the end (null in QEMU). */
  readonly cycles: number | null;
  readonly instructions: number | null;
  /** Images whose printed prediction differs from the reference engine's (empty when none, null when not recorded). */
  readonly mismatches: readonly number[] | null;
}

/** Builds and runs project `dir` on `target`. */
export async function runProject(dir: string, target: RunTarget): Promise<ProjectRun> {
  const manifest = readManifest(dir);
  const exportedFor = getFirmwareBoard(manifest.board).profile;
  let output: string;
  let cycles: number | null = null;
  let instructions: number | null = null;
  let name: string;
  if (target.kind === 'qemu') {
    const { elf } = await buildProject(dir, 'qemu');
    const r = await runQemu(elf, target.timeoutMs);
    if (r.kind === 'timeout') throw new SimDseError('qemu', `QEMU did not finish within ${target.timeoutMs / 1000} s (it printed ${r.output.length} bytes)`);
    output = r.output;
    name = 'qemu-netduinoplus2';
  } else {
    const profile = target.board ?? exportedFor;
    // a firmware runs on any profile with its board's peripheral register tables
    if (peripheralRegisters(exportedFor) !== peripheralRegisters(profile)) {
      throw new UsageError(`${dir} was exported for ${manifest.board}; it cannot run on ${profile.id} (export it again with --board ${profile.id})`);
    }
    const { elf } = await buildProject(dir, 'board');
    const r = emulateFirmware(elf, profile);
    if (r.kind === 'fault') throw new SimDseError('fault', `${r.message}${r.uart ? ` (after printing ${r.uart.split('\n').length - 1} lines)` : ''}`, {
        unit: dir,
        pc: r.pc,
        address: r.address,
      });
    output = r.uart;
    cycles = r.cycles;
    instructions = r.instructions;
    name = profile.id;
  }
  const run = readFirmwareRun(output, name);
  const expected = manifest.expected;
  const mismatches = expected ? run.images.filter((m) => m.pred !== expected[m.index]).map((m) => m.index) : null;
  return { target: name, output, run, cycles, instructions, mismatches };
}
