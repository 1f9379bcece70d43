/**
 * Dense symmetric positive definite linear algebra for the compensation
 * solver: Cholesky factorisation, solves and the inverse, on row-major
 * Float64Arrays. Plain loops in a fixed order, so results are identical on
 * every machine (IEEE double, no transcendental functions).
 */

/**
 * Factorises the n x n SPD matrix `a` (row-major, read only) as L L^T; returns L (lower triangle, row-major,
 * zeros above). Throws when a pivot is not positive (the matrix is not positive definite).
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`cholesky: pivot ${i} is ${s}, the matrix is not positive definite`);
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return l;
}

/** Solves L L^T x = b for x, given the factor L of {@link cholesky}. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** The inverse of the n x n SPD matrix `a` (row-major), through its Cholesky factor; symmetric. */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = choleskySolve(l, n, e);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  // exactly symmetric: the two triangles agree to rounding, take their mean
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const m = (inv[i * n + j] + inv[j * n + i]) / 2;
      inv[i * n + j] = m;
      inv[j * n + i] = m;
    }
  }
  return inv;
}
