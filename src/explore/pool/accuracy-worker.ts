/**
 * The piscina worker of a run's pool: builds one {@link AccuracyBench} from
 * its workerData (on the first accuracy task) and runs accuracy tasks on it;
 * costs layer variants (pool-task.ts) through the variant index, as the run's
 * thread would.
 */
import { workerData } from 'node:worker_threads';
import { compensationRefit } from '../../model/compensation/index.js';
import { testImageInput } from '../../model/dataset/preprocess.js';
import { importTflite } from '../../model/tflite/import.js';
import { variantCoster, type VariantCoster } from '../evaluate/variant-payload.js';
import { createAccuracyBench, type AccuracyBench, type AccuracySpec } from './accuracy-bench.js';
import { variantOutcome, type PoolTask, type VariantOutcome } from './pool-task.js';

let bench: AccuracyBench | undefined;
let coster: VariantCoster | undefined;

/** Runs one task: an accuracy task's correct count of each configuration, in order; a variant's outcome. */
export default function runTask(task: PoolTask): number[] | Promise<VariantOutcome> {
  const spec = workerData as AccuracySpec;
  if (task.kind === 'variant') {
    if (coster === undefined) {
      const graph = importTflite(spec.modelBytes, spec.modelName);
      // a compensated run's masked layers are compiled with their refitted weights, as the run's own requests are
      coster = variantCoster(graph, () => testImageInput(graph, spec.preprocess, 0, spec.dataDir), spec.compensation ? compensationRefit(spec.compensation) : null);
    }
    const cost = coster(task.payload);
    if (cost === undefined) throw new Error(`model ${spec.modelName} has no layer with operator index ${task.payload.opIndex}`);
    return variantOutcome(cost);
  }
  bench ??= createAccuracyBench(spec);
  return bench.run(task);
}
