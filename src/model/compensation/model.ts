/**
 * Compensation for a whole model: the Gram inverse of every compensable
 * layer from one engine trace per calibration image, and the graph whose
 * masked layers carry compensated weights and biases (what the engine then
 * runs with the same masks).
 */
import { createEngine, type ReferenceEngine } from '../engine/index.js';
import { isWeightedOp, prepareGraph, type PreparedWeighted } from '../engine/prepare.js';
import { ModelError } from '../errors.js';
import type { Graph, SkipMasks, Tensor } from '../ir.js';
import { compensateLayer, DEFAULT_DAMPING, gramInverse, type GramInverse } from './compensate.js';
import { reductionGram } from './gram.js';
import type { Compensation } from './refit.js';

/** The compensable layers (CONV_2D and FULLY_CONNECTED) of a prepared graph, by operator index. */
export function compensableLayers(graph: Graph): Map<number, PreparedWeighted> {
  const out = new Map<number, PreparedWeighted>();
  for (const p of prepareGraph(graph).ops) if (isWeightedOp(p) && p.kind !== 'depthwise') out.set(p.opIndex, p);
  return out;
}

/**
 * The Gram inverse of each of `ops` (default: every compensable layer) over `calibration` (model inputs),
 * damped by `damping` (see gramInverse).
 */
export function layerInverses(engine: ReferenceEngine, calibration: readonly Uint8Array[], ops?: readonly number[], damping: number = DEFAULT_DAMPING): Map<number, GramInverse> {
  const layers = compensableLayers(engine.graph);
  const wanted = (ops ?? [...layers.keys()]).map((op) => {
    const layer = layers.get(op);
    if (layer === undefined) throw new ModelError(`op ${op} is not a compensable layer (CONV_2D or FULLY_CONNECTED) of ${engine.graph.name}`);
    return layer;
  });
  const activations = wanted.map(() => [] as Uint8Array[]);
  for (const input of calibration) {
    const trace = engine.trace(input);
    wanted.forEach((layer, i) => activations[i].push(trace.get(layer.input)!));
  }
  return new Map(wanted.map((layer, i) => [layer.opIndex, gramInverse(reductionGram(layer, activations[i]), damping)]));
}

function withData(t: Tensor, data: Uint8Array): Tensor {
  return { ...t, data };
}

/**
 * `graph` with the weights and bias of every masked layer of `masks` compensated (skipped weights 0),
 * each with its entry of `inverses`; the engine runs it with the same masks.
 * @throws ModelError when a masked layer has no inverse or no bias tensor
 */
export function compensatedGraph(graph: Graph, masks: SkipMasks, inverses: ReadonlyMap<number, GramInverse>): Graph {
  const layers = compensableLayers(graph);
  const tensors = [...graph.tensors];
  for (const [op, mask] of masks) {
    const layer = layers.get(op);
    const inverse = inverses.get(op);
    if (layer === undefined || inverse === undefined) throw new ModelError(`op ${op}: no compensation for this layer`);
    const [, wIndex, bIndex] = graph.ops[op].inputs;
    if (bIndex === undefined || bIndex < 0) throw new ModelError(`op ${op}: compensation needs a bias tensor`);
    const c = compensateLayer(layer, mask, inverse);
    tensors[wIndex] = withData(tensors[wIndex], new Uint8Array(c.weights.buffer));
    tensors[bIndex] = withData(tensors[bIndex], new Uint8Array(c.bias.buffer));
  }
  return { ...graph, tensors };
}

/** The compensation of every compensable layer of `graph` over `calibration` (model inputs), damped by `damping`. */
export function computeCompensation(graph: Graph, calibration: readonly Uint8Array[], damping: number = DEFAULT_DAMPING): Compensation {
  return { calibration: calibration.length, damping, inverses: layerInverses(createEngine(graph), calibration, undefined, damping) };
}
