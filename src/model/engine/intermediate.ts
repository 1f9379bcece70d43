/**
 * Reading an intermediate tensor: the graph is cut after the operator that
 * produces it, and the cut graph (run by createEngine, or written by
 * writeTflite for another runtime) has that tensor as its only output.
 */
import type { Graph } from '../ir.js';
import { ModelError } from '../errors.js';

/**
 * The graph truncated at `tensor`: the operators up to and including the one
 * that produces it (execution order is kept, so every operator it needs comes
 * before it), with `tensor` as the only output. Tensors and inputs are kept as
 * they are, so tensor indices stay valid.
 *
 * @throws ModelError when no operator of the graph produces `tensor`
 */
export function truncateAt(graph: Graph, tensor: number): Graph {
  const producer = graph.ops.findIndex((op) => op.outputs.includes(tensor));
  if (producer < 0) throw new ModelError(`graph ${graph.name}: no operator produces tensor ${tensor}`);
  return { ...graph, ops: graph.ops.slice(0, producer + 1), outputs: [tensor] };
}

/**
 * The tensor holding the graph's logits: the input of a final SOFTMAX or
 * DEQUANTIZE (the int8 scores before they are normalised or converted to
 * float), otherwise the graph's first output itself.
 */
export function logitsTensor(graph: Graph): number {
  const out = graph.outputs[0];
  const last = graph.ops.find((op) => op.outputs.includes(out));
  return last !== undefined && (last.kind === 'SOFTMAX' || last.kind === 'DEQUANTIZE') ? last.inputs[0] : out;
}
