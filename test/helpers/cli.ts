import { buildProgram, reportError } from '../../src/cli/program.js';

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
