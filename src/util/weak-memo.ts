/**
 * A value computed once per key object and held as long as the key is (a
 * WeakMap): e.g. a prepared operator's tables, which every image or every
 * mask of that operator reuses.
 */
export function weakMemo<K extends object, V>(): (key: K, compute: () => V) => V {
  const values = new WeakMap<K, V>();
  return (key, compute) => {
    if (values.has(key)) return values.get(key) as V;
    const value = compute();
    values.set(key, value);
    return value;
  };
}
