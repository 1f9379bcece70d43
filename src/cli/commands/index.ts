import type { Command } from 'commander';
import { registerCycles } from './cycles.js';

/** A CLI command: adds itself to the program. Each lives in its own file. */
export type RegisterCommand = (program: Command) => void;

/** Every command of `sim-dse`, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [
  registerCycles,
];
