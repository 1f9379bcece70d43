/**
 * JSON for cache keys: every typed array is replaced by its type and the
 * sha256 of its bytes, so a key over a prepared graph or operator hashes its
 * weights without spelling them out.
 */
import { createHash } from 'node:crypto';

/** JSON of `x` with every typed array replaced by `<Type>:<sha256 of its bytes>`. */
export function hashedJson(x: unknown): string {
  return JSON.stringify(x, (_, v: unknown) =>
    ArrayBuffer.isView(v) ? `${v.constructor.name}:${createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex')}` : v,
  );
}
