/**
 * Job data and results as they travel through Redis: plain JSON, with typed
 * arrays as base64 and Maps as entry lists, each tagged so that
 * {@link fromPlain} rebuilds exactly what {@link toPlain} was given. The plain
 * form of a value is deterministic (object keys in insertion order), so its
 * hash can name a job.
 */

const TYPED = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedName = keyof typeof TYPED;

/** A JSON value. */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Converts a value of JSON data, typed arrays and Maps to plain JSON. */
export function toPlain(value: unknown): Plain {
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') throw new TypeError(`cannot send a ${typeof value} to a worker`);
    return value as Plain;
  }
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (!(name in TYPED)) throw new TypeError(`cannot send a ${name} to a worker`);
    return { $typed: name, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Map) return { $map: [...value.entries()].map(([k, v]) => [toPlain(k), toPlain(v)]) };
  if (Array.isArray(value)) return value.map(toPlain);
  const out: { [key: string]: Plain } = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlain(v);
  return out;
}

/** Rebuilds the value {@link toPlain} converted. */
export function fromPlain<T>(plain: Plain): T {
  return revive(plain) as T;
}

function revive(p: Plain): unknown {
  if (p === null || typeof p !== 'object') return p;
  if (Array.isArray(p)) return p.map(revive);
  if (typeof p.$typed === 'string' && typeof p.base64 === 'string') {
    const bytes = Buffer.from(p.base64, 'base64');
    const Ctor = TYPED[p.$typed as TypedName];
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new Ctor(copy.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
  }
  if (Array.isArray(p.$map)) return new Map((p.$map as [Plain, Plain][]).map(([k, v]) => [revive(k), revive(v)]));
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, revive(v)]));
}
