/** A deterministic xorshift32 stream of unsigned 32-bit integers (Marsaglia 2003; seed 0 is taken as 1). */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}
