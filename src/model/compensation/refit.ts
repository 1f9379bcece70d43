/**
 * Compensation as the engine applies it: a {@link WeightRefit} over a
 * model's Gram inverses, each layer's results kept for the masks it met
 * last (a search asks for the same few masks of a layer again and again,
 * and a session's prefix reuse switches between them).
 */
import { createHash } from 'node:crypto';
import type { WeightRefit } from '../engine/executor.js';
import type { PreparedWeighted } from '../engine/prepare.js';
import type { SkipMask } from '../ir.js';
import { compensateLayer, type CompensatedLayer, type GramInverse } from './compensate.js';

/** Compensated layers kept per layer (by the mask's content). */
const KEPT_PER_LAYER = 64;

/** A model's compensation: the Gram inverse of each compensated layer and how they were computed. */
export interface Compensation {
  /** Calibration images (the first N of data_batch_1) the Gram matrices were summed over. */
  readonly calibration: number;
  /** Damping of the weights' diagonal, a fraction of its mean. */
  readonly damping: number;
  /** By operator index; a masked layer without one runs its own weights. */
  readonly inverses: ReadonlyMap<number, GramInverse>;
}

/**
 * sha256 of `compensation`: its settings and every Gram inverse's bytes, by operator index. Two machines
 * refit alike exactly when their digests agree (same calibration images, same floating-point results).
 */
export function compensationDigest(compensation: Compensation): string {
  const h = createHash('sha256').update(`compensation ${compensation.calibration} ${compensation.damping}\0`);
  for (const [opIndex, inverse] of [...compensation.inverses].sort((a, b) => a[0] - b[0])) {
    h.update(`${opIndex} ${inverse.size}\0`).update(new Uint8Array(inverse.values.buffer, inverse.values.byteOffset, inverse.values.byteLength));
  }
  return h.digest('hex');
}

/** The refit of `compensation`: a masked layer with an inverse runs its compensated weights and bias. */
export function compensationRefit(compensation: Compensation): WeightRefit {
  const kept = new Map<number, Map<string, CompensatedLayer>>();
  return (layer: PreparedWeighted, mask: SkipMask): CompensatedLayer | null => {
    const inverse = compensation.inverses.get(layer.opIndex);
    if (inverse === undefined) return null;
    let byMask = kept.get(layer.opIndex);
    if (byMask === undefined) kept.set(layer.opIndex, (byMask = new Map()));
    const key = createHash('sha1').update(mask).digest('hex');
    let c = byMask.get(key);
    if (c === undefined) {
      c = compensateLayer(layer, mask, inverse);
      if (byMask.size >= KEPT_PER_LAYER) byMask.delete(byMask.keys().next().value!);
      byMask.set(key, c);
    }
    return c;
  };
}

/** `layer` as it runs under `mask` with `refit`: its own, or with the refitted weights and bias. */
export function refittedLayer(layer: PreparedWeighted, mask: SkipMask | null | undefined, refit: WeightRefit | null): PreparedWeighted {
  if (!mask || refit === null) return layer;
  const r = refit(layer, mask);
  return r === null ? layer : { ...layer, weights: r.weights, bias: r.bias };
}
