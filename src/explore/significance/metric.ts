/**
 * The significance metrics: how much each operand (weight) of a maskable
 * layer matters to its output channel. See ./compute.ts for the definitions.
 */
import { UsageError } from '../../util/errors.js';

/** Names of the significance metrics. */
export const SIGNIFICANCE_METRICS = ['contribution', 'seed', 'magnitude'] as const;

/**
 * A significance metric:
 *  - `contribution`: mean |w_i x_i| over calibration positions over the mean of the channel's sum of |w_j x_j|;
 *  - `seed`: the seed toolkit's running-partial-sum metric (SMLAD pair order);
 *  - `magnitude`: |w_i| over the channel's sum of |w_j| (no data).
 */
export type SignificanceMetric = (typeof SIGNIFICANCE_METRICS)[number];

/** True when the metric is computed from calibration activations. */
export function metricNeedsData(metric: SignificanceMetric): boolean {
  return metric !== 'magnitude';
}

/** Parses a metric name; throws UsageError naming the known metrics otherwise. */
export function parseMetric(text: string): SignificanceMetric {
  const found = SIGNIFICANCE_METRICS.find((m) => m === text);
  if (found === undefined) {
    throw new UsageError(`unknown significance metric ${JSON.stringify(text)}; known: ${SIGNIFICANCE_METRICS.join(', ')}`);
  }
  return found;
}
