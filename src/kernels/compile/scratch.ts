/**
 * What a compile leaves behind while it runs, owned by this thread and
 * cleaned up however the run ends: the compiler processes (each started in
 * its own process group, so gcc's cc1/as/ld children go with it) are killed
 * and the temporary folders removed at exit; folders left by a process that
 * was killed outright (SIGKILL: no exit handler runs) are removed by the next
 * compile on this machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../util/process-alive.js';

/** Prefix of every temporary compile folder: `sim-dse-<kind>-<pid>-XXXXXX`. */
const PREFIX = 'sim-dse-';
const FOLDER = /^sim-dse-(?:cc|ld)-(\d+)-/;

const folders = new Set<string>();
const children = new Set<ChildProcess>();
let registered = false;
let swept = false;

/** Kills every running compiler (its whole process group) and removes every temporary folder of this thread. */
export function cleanUpScratch(): void {
  for (const child of children) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
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

/** A new temporary folder (`kind`: cc or ld), removed at exit if its owner does not remove it first. */
export function scratchFolder(kind: 'cc' | 'ld'): string {
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
 * Runs a compiler in its own process group, killed (with its children) if
 * this thread exits first; rejects on a non-zero exit with the error's
 * `stderr` set (its first `maxBuffer` bytes).
 */
export function runCompiler(file: string, args: readonly string[], options: { cwd: string; maxBuffer: number }): Promise<void> {
  register();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < options.maxBuffer) stderr += chunk;
    });
    child.on('error', (err) => {
      children.delete(child);
      reject(Object.assign(err, { stderr: err.message }));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`${file} exited with ${signal ?? code}`), { stderr }));
    });
  });
}
