/**
 * The significance metrics: how much each operand (weight) of a maskable
 * layer matters to its output channel. See ./compute.ts for the definitions.
 */
import { UsageError } from '../../util/errors.js';

/** Names of the significance metrics. */
export const SIGNIFICANCE_METRICS = ['contribution', 'seed', 'magnitude', 'obs'] as const;

/**
 * A significance metric:
 *  - `contribution`: mean |w_i x_i| over calibration positions over the mean of the channel's sum of |w_j x_j|;
 *  - `seed`: the seed toolkit's running-partial-sum metric (SMLAD pair order);
 *  - `magnitude`: |w_i| over the channel's sum of |w_j| (no data);
 *  - `obs`: Optimal Brain Surgeon saliency of each SMLAD pair after least-squares refitting, in each channel's
 *    greedy removal order (src/model/compensation/saliency.ts): the rise of the mean squared output error, in
 *    output LSB^2; for runs that compensate (`--compensate`). Depthwise layers, which are not refitted, get
 *    `contribution` values.
 */
export type SignificanceMetric = (typeof SIGNIFICANCE_METRICS)[number];

const METRIC_DESCRIPTIONS: Readonly<Record<SignificanceMetric, string>> = {
  contribution: "mean |w x| over the channel's total",
  seed: "the seed toolkit's running partial sums",
  magnitude: "|w| over the channel's total, no data",
  obs: 'Optimal Brain Surgeon saliency of SMLAD pairs after refitting, greedy per channel',
};

/** A stored metric name with what it ranks by, in a few words (the report's set-up table). */
export function describeMetric(name: string): string {
  const found = SIGNIFICANCE_METRICS.find((m) => m === name);
  return found === undefined ? name : `${name} (${METRIC_DESCRIPTIONS[found]})`;
}

/** True when the metric is computed from calibration activations. */
export function metricNeedsData(metric: SignificanceMetric): boolean {
  return metric !== 'magnitude';
}

/** True when the metric ranks SMLAD pairs (a pair is skipped whole whatever the skip unit, except sparse units). */
export function metricPairs(metric: SignificanceMetric): boolean {
  return metric === 'seed' || metric === 'obs';
}

/** Parses a metric name; throws UsageError naming the known metrics otherwise. */
export function parseMetric(text: string): SignificanceMetric {
  const found = SIGNIFICANCE_METRICS.find((m) => m === text);
  if (found === undefined) {
    throw new UsageError(`unknown significance metric ${JSON.stringify(text)}; known: ${SIGNIFICANCE_METRICS.join(', ')}`);
  }
  return found;
}
