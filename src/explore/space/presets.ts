/**
 * Named configuration spaces:
 *  - `seed-grid`: the seed toolkit's grid: the 2nd and 3rd CONV_2D layers
 *    (LeNet operators 3 and 5), thresholds 0 to 0.01 in steps of 0.001 on
 *    the `seed` metric: 11 x 11 = 121 points (the exact point included);
 *  - `default`: every maskable layer (optionally without the first conv),
 *    skip fractions {@link DEFAULT_FRACTION_LEVELS}, `contribution` metric.
 */
import type { Graph } from '../../model/ir.js';
import type { SignificanceMetric } from '../significance/metric.js';
import { UsageError } from '../../util/errors.js';
import type { SkipUnit } from './config.js';
import { buildSpace, convOps, SEED_THRESHOLD_LEVELS, type ConfigSpace } from './space.js';

/** Names of the preset spaces. */
export const PRESETS = ['seed-grid', 'default'] as const;

/** A preset space name. */
export type PresetName = (typeof PRESETS)[number];

/** Options a preset takes. */
export interface PresetOptions {
  /** `default` only: leave the first conv out. */
  readonly excludeFirst?: boolean;
  /** `default` only: the metric (default `contribution`). */
  readonly metric?: SignificanceMetric;
  /** Skip unit of the `default` preset (seed-grid always skips pairs). */
  readonly unit?: SkipUnit;
}

/** The preset space `name` over `graph`; throws UsageError for an unknown preset or a graph it does not fit. */
export function presetSpace(name: string, graph: Graph, options: PresetOptions = {}): ConfigSpace {
  switch (name) {
    case 'seed-grid': {
      const convs = convOps(graph);
      if (convs.length < 3) throw new UsageError(`preset seed-grid needs a model with at least 3 CONV_2D layers; ${graph.name} has ${convs.length}`);
      return buildSpace(graph, { name, metric: 'seed', kind: 'threshold', layers: [convs[1], convs[2]], levels: SEED_THRESHOLD_LEVELS });
    }
    case 'default':
      return buildSpace(graph, { name, metric: options.metric ?? 'contribution', kind: 'fraction', excludeFirst: options.excludeFirst ?? false, unit: options.unit });
    default:
      throw new UsageError(`unknown space preset ${JSON.stringify(name)}; known: ${PRESETS.join(', ')}`);
  }
}
