import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildProgram, reportError } from '../../src/cli/program.js';

/** The built CLI, dist/cli/main.js (compiled once per test run by ./global-setup.ts). */
export const BUILT_CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** Runs the sim-dse CLI in-process; returns the exit code and captured stdout/stderr. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  let code = 0;
  try {
    await buildProgram().parseAsync(['node', 'sim-dse', ...args]);
  } catch (e) {
    code = reportError(e);
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
  return { code, out, err };
}

/** Runs the built CLI ({@link BUILT_CLI}) in a child Node process; returns the exit code, stdout and stderr. */
export function builtCli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUILT_CLI, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
