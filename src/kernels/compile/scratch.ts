/**
 * What a compile leaves behind while it runs, owned by this thread and
 * cleaned up however the run ends: the compiler processes (started by this
 * thread's helper, in its process group, so gcc's cc1/as/ld children go with
 * it: spawner.ts) are killed and the temporary folders removed at exit;
 * folders left by a process that was killed outright (SIGKILL: no exit
 * handler runs; its helper then kills its compilers) are removed by the next
 * compile on this machine.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../util/process-alive.js';
import { killCompilers, spawnCompiler } from './spawner.js';

/** Prefix of every temporary compile folder: `sim-dse-<kind>-<pid>-XXXXXX`. */
const PREFIX = 'sim-dse-';
const FOLDER = /^sim-dse-(?:cc|as|ld)-(\d+)-/;

const folders = new Set<string>();
let registered = false;
let swept = false;

/** Kills every running compiler (its whole process group) and removes every temporary folder of this thread. */
export function cleanUpScratch(): void {
  killCompilers();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  folders.clear();
}

function register(): void {
  if (registered) return;
  registered = true;
  process.once('exit', cleanUpScratch);
}

/** Removes temporary compile folders of processes that no longer exist (once per thread). */
function sweepStale(): void {
  if (swept) return;
  swept = true;
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(FOLDER.exec(name)?.[1] ?? NaN);
    if (Number.isSafeInteger(pid) && pid !== process.pid && !processAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** A new temporary folder (`kind`: cc, as or ld), removed at exit if its owner does not remove it first. */
export function scratchFolder(kind: 'cc' | 'as' | 'ld'): string {
  register();
  sweepStale();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${kind}-${process.pid}-`));
  folders.add(dir);
  return dir;
}

/** Removes a folder made by {@link scratchFolder}. */
export function removeScratchFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  folders.delete(dir);
}

/**
 * Runs a compiler (through this thread's helper process, killed with its
 * children if this thread exits first); rejects on a non-zero exit with the
 * error's `stderr` set (its first `maxBuffer` bytes).
 */
export async function runCompiler(file: string, args: readonly string[], options: { cwd: string; maxBuffer: number }): Promise<void> {
  register();
  const exit = await spawnCompiler(file, args, options.cwd, options.maxBuffer);
  if (exit.kind === 'failed-to-start') throw Object.assign(new Error(`${file}: ${exit.message}`), { stderr: exit.message });
  if (exit.code !== 0) throw Object.assign(new Error(`${file} exited with ${exit.signal ?? exit.code}`), { stderr: exit.stderr });
}
