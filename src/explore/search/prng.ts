/**
 * A small seeded pseudo-random generator so that every search is a pure
 * function of its seed: mulberry32 (32-bit state, period 2^32), seeded
 * through one round of a splitmix32-style mixer so that nearby seeds give
 * unrelated streams.
 */

/** A deterministic stream of pseudo-random numbers. */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n) (n >= 1). */
  int(n: number): number;
}

function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Creates a generator from an integer seed (any safe integer; only its low 32 bits and high bits mixed matter). */
export function createPrng(seed: number): Prng {
  let state = mix32((seed | 0) ^ mix32(Math.floor(seed / 2 ** 32)));
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}
