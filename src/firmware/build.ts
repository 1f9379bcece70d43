/**
 * Builds an exported project with its own Makefile (so what is tested here
 * is what a user builds), or uses the ELF already built when the compiler is
 * missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compilerCommand, compilerVersion } from '../kernels/compile/toolchain.js';
import { SimDseError } from '../util/errors.js';
import { readManifest } from './manifest.js';

const run = promisify(execFile);

/** Which image of a project: the board's or the QEMU variant. */
export type FirmwareTarget = 'board' | 'qemu';

/** The result of {@link buildProject}: the ELF path and whether make ran or a prebuilt ELF was used. */
export type BuildOutcome = { readonly kind: 'built'; readonly elf: string } | { readonly kind: 'prebuilt'; readonly elf: string };

/** Last lines of a failed make, without noise. */
function makeError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return lines.find((l) => /error|overflow|will not fit/i.test(l)) ?? lines[lines.length - 1] ?? 'unknown error';
}

/**
 * Runs `make` (board: `all`, the ELF, .bin and .hex; QEMU: `qemu`) in project
 * `dir` (incremental), or returns the
 * existing ELF when arm-none-eabi-gcc is not installed.
 * @throws SimDseError (`compiler`) when the build fails, or neither compiler nor ELF exist
 */
export async function buildProject(dir: string, target: FirmwareTarget, jobs = 2): Promise<BuildOutcome> {
  const manifest = readManifest(dir);
  const elf = join(dir, manifest.elf[target]);
  if (compilerVersion() === null) {
    if (existsSync(elf)) return { kind: 'prebuilt', elf };
    throw new SimDseError('compiler', `arm-none-eabi-gcc is not installed and ${elf} was not built (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)`);
  }
  try {
    await run('make', ['-C', dir, `-j${jobs}`, `CC=${compilerCommand()}`, target === 'board' ? 'all' : 'qemu'], { maxBuffer: 64 << 20 });
  } catch (err) {
    const e = err as { stderr?: string; code?: string };
    if (e.code === 'ENOENT') throw new SimDseError('compiler', "'make' is not installed (apt-get install make)");
    throw new SimDseError('compiler', `building ${manifest.elf[target]} in ${dir} failed: ${makeError(e.stderr ?? String(err))}`);
  }
  return { kind: 'built', elf };
}
