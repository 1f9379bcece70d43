/**
 * One writer per run directory. `run.lock` is created exclusively (O_EXCL)
 * and holds the writer's pid, host and start time; a second `run` on the
 * same directory refuses with one line naming the holder. A lock left by a
 * process that no longer exists on this host (a killed run) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../util/process-alive.js';
import { FileError, UsageError } from '../../util/errors.js';

/** File name of the lock inside a run directory. */
export const LOCK_FILE = 'run.lock';

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** The holder recorded in `path`, or null when the file is unreadable or not a lock. */
function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isSafeInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Creates the lock file exclusively; false when it already exists. */
function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FileError(`cannot lock ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  writeSync(fd, `${JSON.stringify(holder)}\n`);
  closeSync(fd);
  return true;
}

/**
 * Locks run directory `dir` (creating it) for this process; returns the
 * release function. Throws UsageError naming the holder when another live
 * process holds it.
 */
export function lockRunDir(dir: string): () => void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FileError(`cannot create run directory ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; !tryCreate(path, me); attempt++) {
    const holder = readHolder(path);
    const stale = holder !== null && holder.host === me.host && !processAlive(holder.pid);
    if (!stale || attempt > 0) {
      const who = holder === null ? 'another process' : `sim-dse pid ${holder.pid} on ${holder.host} since ${holder.since}`;
      throw new UsageError(`run directory ${dir} is in use by ${who}; wait for it, or delete ${path} if no run is active`);
    }
    unlinkSync(path); // left by a run that was killed
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    try {
      unlinkSync(path);
    } catch {
      // already gone: nothing to release
    }
  };
  process.once('exit', release);
  return () => {
    process.removeListener('exit', release);
    release();
  };
}
