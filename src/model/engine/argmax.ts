/** Argmax of output tensor bytes, shared by the engine and its sessions. */

/** Argmax of int8 or float32 little-endian tensor bytes (ties: lowest index). */
export function argmaxBytes(bytes: Uint8Array, dtype: 'int8' | 'float32'): number {
  let best = 0;
  if (dtype === 'int8') {
    const v = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let bv = dv.getFloat32(0, true);
    for (let i = 1; i < bytes.byteLength / 4; i++) {
      const x = dv.getFloat32(i * 4, true);
      if (x > bv) {
        bv = x;
        best = i;
      }
    }
  }
  return best;
}
