/**
 * The accuracy pool of a cluster run: each batch is cut into chunks of
 * prefix-sharing configurations, each chunk one `accuracy` job. Results come
 * back per configuration in the batch's order, as from a local pool. A
 * compensated run's jobs name its compensation (workers refit alike).
 */
import { batchEvaluator, type AccuracyPool } from '../pool/accuracy-pool.js';
import type { AccuracySpec } from '../pool/accuracy-bench.js';
import type { ClusterClient } from './client.js';
import { clusterCompensation } from './jobs.js';

/** Configurations per search job: enough to share prefixes on the worker, few enough to spread a batch over many workers. */
const CONFIGS_PER_JOB = 8;

/** An {@link AccuracyPool} whose chunks run as jobs on the cluster's workers. */
export function createClusterPool(client: ClusterClient, spec: AccuracySpec): AccuracyPool {
  const { searchImages, fullImages } = spec;
  const compensation = spec.compensation ? { compensation: clusterCompensation(spec.compensation) } : {};
  return {
    kind: 'cluster',
    threads: 0,
    evaluate: batchEvaluator(
      async (set, points) => [...(await client.submit('accuracy', { set, searchImages, fullImages, points, ...compensation }))],
      (configs) => Math.ceil(configs / CONFIGS_PER_JOB),
    ),
    close: async () => undefined,
  };
}
