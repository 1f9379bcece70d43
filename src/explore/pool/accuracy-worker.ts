/**
 * The piscina worker: builds one {@link AccuracyBench} from its workerData
 * (on the first task) and runs tasks on it.
 */
import { workerData } from 'node:worker_threads';
import { createAccuracyBench, type AccuracyBench, type AccuracySpec, type AccuracyTask } from './accuracy-bench.js';

let bench: AccuracyBench | undefined;

/** Runs one task: the correct count of each configuration, in order. */
export default function runTask(task: AccuracyTask): number[] {
  bench ??= createAccuracyBench(workerData as AccuracySpec);
  return bench.run(task);
}
