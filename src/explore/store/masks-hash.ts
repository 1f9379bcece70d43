/**
 * Content hash of a configuration's skip masks: configurations with equal
 * masks compute the same network, so they share accuracy and latency.
 */
import { createHash } from 'node:crypto';
import type { SkipMasks } from '../../model/ir.js';

/** Content hash of a set of masks (operator order, then bytes; all-zero masks count as absent). */
export function masksHash(masks: SkipMasks): string {
  const h = createHash('sha256');
  for (const [op, m] of [...masks.entries()].sort((a, b) => a[0] - b[0])) {
    let any = false;
    for (let i = 0; i < m.length && !any; i++) any = m[i] !== 0;
    if (!any) continue;
    h.update(`${op}:${m.length};`);
    h.update(m);
  }
  return h.digest('hex');
}

/** Masks hash of the exact model (no weight skipped). */
export const EXACT_MASKS_HASH: string = masksHash(new Map());
