/**
 * What a run's pool workers do: evaluate configurations' accuracy, and cost
 * layer variants the run's own thread found in no cache (compile and emulate:
 * so a cold run's compiles, emulations and code generation spread over the
 * workers instead of queueing on the thread that searches). A variant's
 * outcome crosses back as a tagged union, so a sim-dse error (a compiler
 * failure, say) stays one clear error on the run's thread.
 */
import type { VariantCost } from '../../kernels/variant-cost.js';
import { SimDseError, type ErrorKind } from '../../util/errors.js';
import type { VariantPayload } from '../evaluate/variant-payload.js';
import type { AccuracyTask } from './accuracy-bench.js';

/** One task of a pool worker. */
export type PoolTask = ({ readonly kind: 'accuracy' } & AccuracyTask) | { readonly kind: 'variant'; readonly payload: VariantPayload };

/** How costing a variant in a worker ended. */
export type VariantOutcome =
  | { readonly kind: 'cost'; readonly cost: VariantCost }
  | { readonly kind: 'error'; readonly error: { readonly kind: ErrorKind; readonly message: string; readonly data: unknown } };

/** The outcome of `cost` (a sim-dse error becomes the error outcome; anything else is thrown on). */
export async function variantOutcome(cost: Promise<VariantCost>): Promise<VariantOutcome> {
  try {
    return { kind: 'cost', cost: await cost };
  } catch (err) {
    if (err instanceof SimDseError) return { kind: 'error', error: { kind: err.kind, message: err.message, data: err.data } };
    throw err;
  }
}

/** The cost of an outcome, or its sim-dse error thrown again on this thread. */
export function costOfOutcome(outcome: VariantOutcome): VariantCost {
  if (outcome.kind === 'cost') return outcome.cost;
  const { kind, message, data } = outcome.error;
  throw new (SimDseError as new (kind: ErrorKind, message: string, data: unknown) => SimDseError)(kind, message, data);
}
