/**
 * The offload of a local run's emulated latency source: a layer variant the
 * variant index holds is read here; any other is compiled and emulated on a
 * pool worker while the pool is open (after it closes, here).
 */
import { defaultEmitters } from '../../kernels/emitters.js';
import type { VariantCost, VariantRequest } from '../../kernels/variant-cost.js';
import type { LatencyContext } from '../evaluate/latency-sources.js';
import { indexedCostVariant, indexedVariantCost } from '../evaluate/variant-index.js';
import { variantPayload, type VariantPayload } from '../evaluate/variant-payload.js';

let costed = 0;
let running = 0;

/** Variants this process's pool workers have costed (index misses) and are costing now, for progress lines. */
export function poolVariantActivity(): { readonly costed: number; readonly running: number } {
  return { costed, running };
}

/** Costs a payload on a worker; null once the pool is closed. */
export type PoolVariantCost = (payload: VariantPayload) => Promise<VariantCost> | null;

/** The offload that sends index misses to `variantCost`. */
export function poolOffload(variantCost: PoolVariantCost): NonNullable<LatencyContext['offload']> {
  const emitters = defaultEmitters();
  const onWorker = async (request: VariantRequest): Promise<VariantCost> => {
    const cost = variantCost(variantPayload(request));
    if (cost === null) return indexedCostVariant(request, emitters);
    running++;
    try {
      return await cost;
    } finally {
      running--;
      costed++;
    }
  };
  return { variantCost: async (request) => indexedVariantCost(request) ?? onWorker(request) };
}
