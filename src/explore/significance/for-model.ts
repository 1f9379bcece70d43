/**
 * One call for the command line: the significance of a resolved model under
 * a metric, with its calibration images read from data_batch_1 (not at all
 * for `magnitude`, which needs no dataset), through the cache.
 */
import type { Graph } from '../../model/ir.js';
import type { Preprocess } from '../../model/registry.js';
import { calibrationInputs, DEFAULT_CALIBRATION_IMAGES } from './calibration.js';
import { loadSignificance, type LoadedSignificance } from './cache.js';
import { metricNeedsData, type SignificanceMetric } from './metric.js';

/** Options of {@link significanceForModel}. */
export interface ModelSignificanceOptions {
  /** Calibration images (default {@link DEFAULT_CALIBRATION_IMAGES}). */
  readonly calibration?: number;
  /** CIFAR-10 folder (`--data`). */
  readonly dataDir?: string;
  /** Cache folder (default: see significanceCacheDir). */
  readonly cacheDir?: string;
}

/** Significance of `model` under `metric`, cached (see ./cache.ts). */
export function significanceForModel(
  model: { readonly graph: Graph; readonly preprocess: Preprocess },
  metric: SignificanceMetric,
  options: ModelSignificanceOptions = {},
): LoadedSignificance {
  const inputs = metricNeedsData(metric) ? calibrationInputs(model.graph, model.preprocess, options.calibration ?? DEFAULT_CALIBRATION_IMAGES, options.dataDir) : [];
  return loadSignificance({ graph: model.graph, metric, inputs, cacheDir: options.cacheDir });
}
