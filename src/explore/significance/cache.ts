/**
 * Significance with a disk cache. Results are keyed by the content hash of
 * the graph, the metric and the calibration inputs (see ./key.ts) and stored
 * as one binary file each (see ./cache-format.ts) in the cache folder:
 * `<SIM_DSE_CACHE or <project>/.sim-dse-cache>/significance/`. Writes are
 * atomic; a file that fails any check is recomputed and replaced.
 */
import { join } from 'node:path';
import type { Graph } from '../../model/ir.js';
import { cacheRoot } from '../../util/cache-dir.js';
import { readCacheFile, writeCacheFile } from './cache-file.js';
import { decodeSignificance, encodeSignificance, type StoredSignificance } from './cache-format.js';
import { computeSignificance, maskableLayers } from './compute.js';
import { significanceKey } from './key.js';
import { layoutOf } from './layout.js';
import { metricNeedsData, type SignificanceMetric } from './metric.js';
import type { ModelSignificance } from './types.js';

/** The significance cache folder: `$SIM_DSE_CACHE/significance`, else `<project>/.sim-dse-cache/significance`. */
export function significanceCacheDir(): string {
  return join(cacheRoot(), 'significance');
}

/** What {@link loadSignificance} needs. */
export interface SignificanceRequest {
  readonly graph: Graph;
  readonly metric: SignificanceMetric;
  /** Calibration images as input bytes (see ./calibration.ts); ignored by `magnitude`. */
  readonly inputs: readonly Uint8Array[];
  /** Cache folder (default {@link significanceCacheDir}). */
  readonly cacheDir?: string;
}

/** Where the values came from: a valid cache file, a fresh computation, or a recomputation replacing a bad file. */
export type SignificanceSource =
  | { readonly kind: 'cache' }
  | { readonly kind: 'computed' }
  | { readonly kind: 'recomputed'; readonly reason: string };

/** Significance and where it came from. */
export interface LoadedSignificance {
  readonly significance: ModelSignificance;
  readonly source: SignificanceSource;
  /** The cache file. */
  readonly path: string;
}

/** Cache file name of a key. */
export function cacheFileName(model: string, metric: SignificanceMetric, calibration: number, key: string): string {
  const safe = model.replace(/[^A-Za-z0-9_.-]/g, '_') || 'model';
  return `${safe}-${metric}-n${calibration}-${key.slice(0, 16)}.sig`;
}

/** Checks a decoded file against what was asked; returns a reason when it does not match. */
function mismatch(stored: StoredSignificance, key: string, metric: SignificanceMetric, layers: ReturnType<typeof maskableLayers>): string | null {
  if (stored.key !== key) return 'key differs';
  if (stored.metric !== metric) return `metric ${stored.metric}, expected ${metric}`;
  if (stored.layers.length !== layers.length) return `${stored.layers.length} layers, expected ${layers.length}`;
  for (let i = 0; i < layers.length; i++) {
    const l = layoutOf(layers[i]);
    const s = stored.layers[i];
    if (s.opIndex !== layers[i].opIndex || s.kind !== l.kind || s.channels !== l.channels || s.reduction !== l.reduction || s.inputChannels !== l.inputChannels) return `layer ${s.opIndex} does not fit the graph`;
  }
  return null;
}

/** Significance of `graph` under `metric`, from the cache when a valid file exists, else computed and cached. */
export function loadSignificance(req: SignificanceRequest): LoadedSignificance {
  const { graph, metric } = req;
  const inputs = metricNeedsData(metric) ? req.inputs : [];
  const key = significanceKey(graph, metric, inputs);
  const dir = req.cacheDir ?? significanceCacheDir();
  const path = join(dir, cacheFileName(graph.name, metric, inputs.length, key));
  let reason: string | null = null;
  const bytes = readCacheFile(path, 'significance');
  if (bytes !== null) {
    const decoded = decodeSignificance(bytes);
    const layers = maskableLayers(graph);
    reason = decoded.kind === 'corrupt' ? decoded.reason : mismatch(decoded.value, key, metric, layers);
    if (decoded.kind === 'ok' && reason === null) {
      const significance: ModelSignificance = {
        model: graph.name,
        metric,
        calibration: decoded.value.calibration,
        key,
        layers: decoded.value.layers.map((l, i) => ({ ...l, weights: layers[i].weights })),
      };
      return { significance, source: { kind: 'cache' }, path };
    }
  }
  const significance = computeSignificance(graph, metric, inputs);
  writeCacheFile(path, encodeSignificance(significance), 'significance');
  return { significance, source: reason === null ? { kind: 'computed' } : { kind: 'recomputed', reason }, path };
}
