/**
 * Whole-firmware timings on `threads` piscina workers (each builds through
 * the shared object cache and emulates in its own Unicorn engine), or on the
 * calling thread. A timing is a pure function of its request, so where it
 * runs changes nothing but the wall time.
 */
import { createWorkerPool, workerScript } from '../util/worker-pool.js';
import type { ProjectRequest } from './export.js';
import { getFirmwareBoard } from './firmware-boards.js';
import { type FirmwareTimingOutcome, timeFittingFirmware } from './image-timing.js';

/** Times firmware. */
export interface FirmwareTimer {
  /** `threads` (piscina workers), `inline` (the calling thread) or `cluster` (workers reached through a queue). */
  readonly kind: 'threads' | 'inline' | 'cluster';
  time(request: ProjectRequest): Promise<FirmwareTimingOutcome>;
  close(): Promise<void>;
}

/** Compiled worker script beside this module (null when running from the TypeScript sources). */
const workerPath = workerScript(import.meta.url, './timing-worker.js');

/** What a worker receives: the request with its board as an id (re-resolved once at the worker's entry). */
export type TimingTask = Omit<ProjectRequest, 'board'> & { readonly board: string };

/** The task of `request` for a worker. */
function timingTask(request: ProjectRequest): TimingTask {
  return { ...request, board: request.board.profile.id };
}

/** Times a worker's task: its board resolved here, once, then passed whole. */
export function timeTask(task: TimingTask): Promise<FirmwareTimingOutcome> {
  return timeFittingFirmware({ ...task, board: getFirmwareBoard(task.board) });
}

/** A timer on `threads` workers when more than one is asked for and the worker script exists, else inline. */
export function createFirmwareTimer(threads: number): FirmwareTimer {
  if (threads <= 1 || workerPath === null) {
    return { kind: 'inline', time: timeFittingFirmware, close: async () => undefined };
  }
  const workers = createWorkerPool<TimingTask, FirmwareTimingOutcome>(workerPath, { minThreads: 1, maxThreads: threads, idleTimeout: 10_000 });
  return {
    kind: 'threads',
    time: (request) => workers.run(timingTask(request)),
    close: workers.close,
  };
}
