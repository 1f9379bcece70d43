/**
 * A layer variant's compile-and-emulate request as plain data, for the
 * threads and machines that cost variants away from the run's own thread (a
 * local run's pool workers, a cluster's workers): the board by id, the
 * operator by index, exact as null. Whoever receives one builds the same
 * request from the same model and representative image (variant-requests.ts),
 * so the variant costs what it would on the run's thread.
 */
import { getBoard } from '../../emulator/boards.js';
import { defaultEmitters } from '../../kernels/emitters.js';
import type { KernelStyle } from '../../kernels/network/assemble.js';
import type { VariantCost, VariantPlacement, VariantRequest } from '../../kernels/variant-cost.js';
import type { WeightRefit } from '../../model/engine/index.js';
import type { Graph, SkipMask } from '../../model/ir.js';
import { indexedCostVariant } from './variant-index.js';
import { createVariantRequests, type VariantRequests } from './variant-requests.js';

/** A variant request as plain data. */
export interface VariantPayload {
  readonly board: string;
  readonly opIndex: number;
  readonly style: KernelStyle;
  readonly mask: SkipMask | null;
  readonly flashLimit: number | null;
  readonly placement: VariantPlacement | null;
}

/** The payload of `request`. */
export function variantPayload(request: VariantRequest): VariantPayload {
  return {
    board: request.board.id,
    opIndex: request.op.opIndex,
    style: request.style,
    mask: request.mask,
    flashLimit: request.flashLimit ?? null,
    placement: request.placement ?? null,
  };
}

/** Costs payloads of one model: undefined when the model has no operator of that index. */
export type VariantCoster = (payload: VariantPayload) => Promise<VariantCost> | undefined;

/**
 * A coster of `graph`'s variants through the variant index and the default emitters (as a run's own
 * thread costs them); `input` gives the representative image's graph input, read on first use. The
 * requests of each board are made once (each traces the image through the reference engine). With
 * `refit` (a `--compensate` run's), a masked layer is compiled with its refitted weights and bias, as
 * the run's own requests are (variant-requests.ts), so the cost is the one the run asked for.
 * @throws SimDseError (kind `board`) for an unknown board id
 */
export function variantCoster(graph: Graph, input: () => Uint8Array, refit: WeightRefit | null = null): VariantCoster {
  const byBoard = new Map<string, VariantRequests>();
  let image: Uint8Array | undefined;
  const emitters = defaultEmitters();
  return ({ board, opIndex, style, mask, flashLimit, placement }) => {
    let requests = byBoard.get(board);
    if (requests === undefined) {
      image ??= input();
      requests = createVariantRequests(graph, getBoard(board), image, refit);
      byBoard.set(board, requests);
    }
    const op = requests.op(opIndex);
    if (op === undefined) return undefined;
    return indexedCostVariant(requests.request(op, style, mask ?? undefined, { flashLimit: flashLimit ?? undefined, placement: placement ?? undefined }), emitters);
  };
}
