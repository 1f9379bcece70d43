/**
 * Content keys of significance results: a hash of the graph (every tensor's
 * shape, type, quantization and constant data, every operator and its
 * options), the metric and the calibration input bytes. Same key, same values.
 */
import { createHash } from 'node:crypto';
import type { Graph } from '../../model/ir.js';
import type { SignificanceMetric } from './metric.js';

/** Version of the significance definitions; bump when a metric's computation changes. */
export const SIGNIFICANCE_VERSION = 1;

/** sha256 (hex) of a graph's content (its name excluded). */
export function graphHash(graph: Graph): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ inputs: graph.inputs, outputs: graph.outputs, ops: graph.ops }));
  for (const t of graph.tensors) {
    const quant = t.quant === null ? null : { scale: Array.from(t.quant.scale), zeroPoint: Array.from(t.quant.zeroPoint), axis: t.quant.axis };
    h.update(JSON.stringify({ index: t.index, shape: t.shape, dtype: t.dtype, quant, data: t.data === null ? null : t.data.length }));
    if (t.data !== null) h.update(t.data);
  }
  return h.digest('hex');
}

/** Key (hex sha256) of a significance computation. `inputs` is empty for data-free metrics. */
export function significanceKey(graph: Graph, metric: SignificanceMetric, inputs: readonly Uint8Array[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ version: SIGNIFICANCE_VERSION, graph: graphHash(graph), metric, calibration: inputs.length }));
  for (const x of inputs) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(x.byteLength);
    h.update(len);
    h.update(x);
  }
  return h.digest('hex');
}
