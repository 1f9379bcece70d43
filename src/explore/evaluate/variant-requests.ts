/**
 * The compile-and-emulate requests of a model's layer variants on one board:
 * each layer is timed on its own inputs as the reference engine computes
 * them for one representative image. The emulated latency provider
 * (./emulated-latency.ts) and a cluster worker (../cluster/) build the same
 * requests from the same model, board and image, so a variant costs the same
 * wherever it is compiled and emulated.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { createEngine } from '../../model/engine/index.js';
import { isWeightedOp, prepareGraph, type PreparedGraph, type PreparedOp } from '../../model/engine/prepare.js';
import { refittedLayer } from '../../model/compensation/index.js';
import type { WeightRefit } from '../../model/engine/index.js';
import type { Graph, SkipMask } from '../../model/ir.js';
import type { KernelStyle } from '../../kernels/network/assemble.js';
import { networkInputOf, planNetwork, type NetworkPlan } from '../../kernels/network/plan.js';
import type { VariantPlacement, VariantRequest } from '../../kernels/variant-cost.js';

/** A model prepared for timing its layer variants on one board. */
export interface VariantRequests {
  readonly prepared: PreparedGraph;
  readonly plan: NetworkPlan;
  /** The network's input tensor bytes for the representative image. */
  readonly netInput: Uint8Array;
  /**
   * The request that compiles and emulates `op` in `style` under `mask` (undefined: exact), with its
   * code and constants where `placement` puts them (default: flash); with `flashLimit`, an unpacked
   * variant estimated larger than it is not compiled (VariantRequest.flashLimit).
   */
  request(op: PreparedOp, style: KernelStyle, mask: SkipMask | undefined, where?: { readonly placement?: VariantPlacement; readonly flashLimit?: number }): VariantRequest;
  /** The prepared operator with index `opIndex` (undefined when the network has none). */
  op(opIndex: number): PreparedOp | undefined;
}

/**
 * Prepares `graph` and traces `input` (graph input bytes) through the reference engine once. With `refit`
 * (compensation), a masked layer's request carries its refitted weights and bias, which its generated code
 * bakes in and its cache keys hash.
 */
export function createVariantRequests(graph: Graph, board: BoardProfile, input: Uint8Array, refit: WeightRefit | null = null): VariantRequests {
  const prepared = prepareGraph(graph);
  const plan = planNetwork(prepared);
  const trace = createEngine(graph).trace(input);
  const layerInputs = (op: PreparedOp): Uint8Array[] => (op.kind === 'add' ? [op.inputA, op.inputB] : [op.input]).map((t) => trace.get(t)!);
  return {
    prepared,
    plan,
    netInput: networkInputOf(plan, trace),
    request: (op, style, mask, where = {}) => ({
      op: isWeightedOp(op) ? refittedLayer(op, mask, refit) : op,
      style,
      mask: mask ?? null,
      board,
      inputs: layerInputs(op),
      outputBytes: prepared.tensorBytes[op.output],
      ...(where.flashLimit !== undefined && { flashLimit: where.flashLimit }),
      ...(where.placement !== undefined && { placement: where.placement }),
    }),
    op: (opIndex) => plan.layers.find((l) => l.op.opIndex === opIndex)?.op,
  };
}
