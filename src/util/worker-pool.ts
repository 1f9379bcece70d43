/**
 * A typed pool of piscina worker threads running one compiled worker script:
 * tasks of one type in, results of one type out. The accuracy pool
 * (explore/pool/) and the firmware timer (firmware/timing-pool.ts) are built
 * on it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/** Worker threads that run `Task`s and give back `Result`s. */
export interface WorkerPool<Task, Result> {
  run(task: Task): Promise<Result>;
  /** Ends every worker (tasks still queued are rejected). */
  close(): Promise<void>;
}

/** How many workers a pool keeps and what each starts with. */
export interface WorkerPoolOptions {
  readonly minThreads: number;
  readonly maxThreads: number;
  /** Milliseconds an idle worker above `minThreads` lives. */
  readonly idleTimeout: number;
  /** Given to every worker as `workerData` (structured-cloned). */
  readonly workerData?: unknown;
}

/**
 * The path of compiled worker script `name` beside the module at
 * `moduleUrl` (its import.meta.url), or null when it does not exist (running
 * from the TypeScript sources, where only inline evaluation is possible).
 */
export function workerScript(moduleUrl: string, name: string): string | null {
  const path = fileURLToPath(new URL(name, moduleUrl));
  return existsSync(path) ? path : null;
}

/** A pool of piscina workers running `script`, whose default export maps a Task to a Result. */
export function createWorkerPool<Task, Result>(script: string, options: WorkerPoolOptions): WorkerPool<Task, Result> {
  const piscina = new Piscina({ filename: script, ...options });
  return {
    run: (task) => piscina.run(task) as Promise<Result>,
    close: () => piscina.destroy(),
  };
}
