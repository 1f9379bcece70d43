/**
 * Computes the significance of every operand of every maskable layer
 * (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) of a graph. Data-driven
 * metrics run each calibration image through the exact int8 reference engine
 * and read each maskable layer's input activation from its trace.
 */
import { createEngine } from '../../model/engine/index.js';
import { isWeightedOp, prepareGraph, type PreparedWeighted } from '../../model/engine/prepare.js';
import type { Graph } from '../../model/ir.js';
import { contributionAccumulator, magnitudeValues, seedAccumulator, type LayerAccumulator } from './accumulate.js';
import { significanceKey } from './key.js';
import { obsAccumulator } from './obs.js';
import { layoutOf } from './layout.js';
import { metricNeedsData, type SignificanceMetric } from './metric.js';
import type { LayerSignificance, ModelSignificance } from './types.js';
import { UsageError } from '../../util/errors.js';

/** The maskable layers of a graph, prepared, in operator order. */
export function maskableLayers(graph: Graph): PreparedWeighted[] {
  return prepareGraph(graph).ops.filter(isWeightedOp);
}

/**
 * Significance of every operand under `metric`. `inputs` are calibration
 * images as the graph's input bytes (ignored, and may be empty, for
 * `magnitude`; at least one is needed otherwise). Deterministic.
 */
export function computeSignificance(graph: Graph, metric: SignificanceMetric, inputs: readonly Uint8Array[]): ModelSignificance {
  const layers = maskableLayers(graph);
  const data = metricNeedsData(metric) ? inputs : [];
  if (metricNeedsData(metric) && data.length === 0) throw new UsageError(`significance metric ${metric} needs at least one calibration image`);
  let values: Float32Array[];
  if (!metricNeedsData(metric)) {
    values = layers.map(magnitudeValues);
  } else {
    const accs: LayerAccumulator[] = layers.map((p) =>
      metric === 'seed' ? seedAccumulator(p) : metric === 'obs' && p.kind !== 'depthwise' ? obsAccumulator(p) : contributionAccumulator(p),
    );
    const engine = createEngine(graph);
    for (const input of data) {
      const trace = engine.trace(input);
      layers.forEach((p, i) => {
        const bytes = trace.get(p.input)!;
        accs[i].add(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      });
    }
    values = accs.map((a) => a.finish());
  }
  const result: LayerSignificance[] = layers.map((p, i) => {
    const l = layoutOf(p);
    return { opIndex: p.opIndex, ...l, values: values[i], weights: p.weights };
  });
  return { model: graph.name, metric, calibration: data.length, key: significanceKey(graph, metric, data), layers: result };
}
