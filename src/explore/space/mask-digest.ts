/**
 * Content hash of one layer's skip mask, computed once per mask object (masks.ts hands out the same
 * object for the same layer and level, and a point asks for it many times). Read-only masks only.
 */
import { createHash } from 'node:crypto';
import type { SkipMask } from '../../model/ir.js';

const digests = new WeakMap<SkipMask, string>();

/** sha256 (hex) of `m`'s bytes. */
export function maskDigest(m: SkipMask): string {
  let d = digests.get(m);
  if (d === undefined) digests.set(m, (d = createHash('sha256').update(m).digest('hex')));
  return d;
}
