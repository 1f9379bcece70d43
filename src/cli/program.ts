import { Command, CommanderError } from 'commander';
import { SimDseError, UsageError } from '../util/errors.js';
import { commands } from './commands/index.js';

/** Builds the `sim-dse` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('sim-dse')
    .description(
      'Design-space exploration of approximate unpacked int8 CNN kernels for Arm Cortex-M4,\n' +
        'measured in an emulated Cortex-M4 with a cycle cost model (no board needed).',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Prints one line for a user-facing error and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or help/version) on stderr/stdout
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`sim-dse: ${err.message}\n`);
    return 2;
  }
  if (err instanceof SimDseError) {
    process.stderr.write(`sim-dse: ${err.message}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`sim-dse: internal error: ${message}\n`);
  if (process.env.SIM_DSE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('sim-dse: (set SIM_DSE_DEBUG=1 for a stack trace)\n');
  return 70;
}

