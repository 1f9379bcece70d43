/**
 * The Optimal Brain Surgeon saliency of skip units (src/model/compensation/
 * saliency.ts): hand-worked cases (uncorrelated inputs; a refit that lowers
 * the next unit's cost), the lazily downdated walk against a plain one that
 * updates the whole inverse every step, and refusals.
 */
import { describe, expect, test } from 'vitest';
import { GREEDY_FRACTION, gramInverse, obsSaliency, reductionGram, type GramInverse } from '../src/model/compensation/index.js';
import type { Geometry, PreparedWeighted } from '../src/model/engine/prepare.js';

/** A fully connected layer of `oc` channels over `c` inputs with only what the saliency reads. */
function fc(c: number, oc: number, weights: number[], multiplier: number, shift: number): PreparedWeighted {
  const g: Geometry = { n: 1, h: 1, w: 1, c, oh: 1, ow: 1, oc, kh: 1, kw: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0 };
  return {
    kind: 'fc', opIndex: 3, input: 0, output: 1, geometry: g, weights: Int8Array.from(weights), bias: new Int32Array(oc), inZp: 0,
    requant: { multiplier: new Int32Array(oc).fill(multiplier), shift: new Int32Array(oc).fill(shift), outZp: 0, actMin: -128, actMax: 127 },
    depthMultiplier: 1, macs: 0,
  };
}
const inverse = (size: number, values: number[]): GramInverse => ({ opIndex: 3, size, values: Float64Array.from(values) });
const smladPairs = (k: number): number => k ^ 1;
const alone = (): number => -1;

describe('OBS saliency, worked by hand', () => {
  test('uncorrelated inputs: w^2 / Hinv per operand, summed over a pair, greedy order, output scale', () => {
    // Hinv = diag(1, 1/4, 1/2, 1 | bias 1); weights [3, 1, 0, 2]: weight 2 is 0, so (2, 3) is the unit {3}.
    // losses: {3} 2^2/1 = 4; pair (0, 1) 3^2/1 + 1^2/(1/4) = 13. Half of 2 units: one greedy step takes {3};
    // the pair keeps its loss then. Scale 2^30 / 2^31 = 0.5, squared over 10 rows: 0.025 per unit of loss.
    const h = inverse(5, [1, 0, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    const v = obsSaliency(fc(4, 1, [3, 1, 0, 2], 2 ** 30, 0), h, 10, smladPairs);
    expect(Array.from(v)).toEqual([13 * 0.025, 13 * 0.025, 0, 4 * 0.025].map(Math.fround));
  });

  test('the refit after a step lowers what the next unit costs', () => {
    // Hinv = [2 1 0; 1 2 0; 0 0 1], weights [1, 2], scale 1 (2^30 << 1), 1 row. {0}: 1/2 = 0.5, {1}: 4/2 = 2.
    // Step 1 takes {0}: w -= Hinv[:,0] * 1/2 = [0, 1.5]; Hinv[1,1] = 2 - 1/2 = 1.5; then {1}: 1.5^2 / 1.5 = 1.5, not 2.
    const v = obsSaliency(fc(2, 1, [1, 2], 2 ** 30, 1), inverse(3, [2, 1, 0, 1, 2, 0, 0, 0, 1]), 1, alone);
    expect(Array.from(v)).toEqual([0.5, 1.5]);
  });
});

/** The greedy walk written plainly: the whole inverse updated after every removal. */
function plainSaliency(weights: number[], hinv: Float64Array, n: number, pairOf: (k: number) => number, perRow: number): number[] {
  const h = Float64Array.from(hinv);
  const w = Float64Array.from([...weights, 0]);
  const inv2 = (s: number[]): number[] => {
    if (s.length === 1) return [1 / h[s[0] * n + s[0]]];
    const [a, b] = s;
    const det = h[a * n + a] * h[b * n + b] - h[a * n + b] ** 2;
    return [h[b * n + b] / det, -h[a * n + b] / det, -h[a * n + b] / det, h[a * n + a] / det];
  };
  const loss = (s: number[]): number => {
    const m = inv2(s);
    let l = 0;
    s.forEach((a, i) => s.forEach((b, j) => (l += w[a] * m[i * s.length + j] * w[b])));
    return l;
  };
  const remove = (s: number[]): void => {
    const m = inv2(s);
    const cols = s.map((c) => Array.from({ length: n }, (_, k) => h[k * n + c]));
    const z = s.map((_, i) => s.reduce((acc, b, j) => acc + m[i * s.length + j] * w[b], 0));
    for (let k = 0; k < n; k++) w[k] -= cols.reduce((acc, col, i) => acc + col[k] * z[i], 0);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let d = 0;
        s.forEach((_, i) => s.forEach((__, j) => (d += cols[i][a] * m[i * s.length + j] * cols[j][b])));
        h[a * n + b] -= d;
      }
    }
    for (const c of s) w[c] = 0;
  };
  weights.forEach((x, k) => x === 0 && remove([k]));
  const units: number[][] = [];
  weights.forEach((x, k) => {
    const p = pairOf(k);
    if (x === 0 || (p >= 0 && p < k && weights[p] !== 0)) return;
    units.push(p > k && weights[p] !== 0 ? [k, p] : [k]);
  });
  const out = new Array<number>(weights.length).fill(0);
  let level = 0;
  const alive = [...units];
  for (let step = 0; step < Math.ceil(units.length * GREEDY_FRACTION); step++) {
    const losses = alive.map(loss);
    const best = losses.indexOf(Math.min(...losses));
    const [u] = alive.splice(best, 1);
    level = Math.max(level, losses[best] * perRow);
    for (const k of u) out[k] = level;
    remove(u);
  }
  for (const u of alive) for (const k of u) out[k] = Math.max(level, loss(u) * perRow);
  return out;
}

describe('OBS saliency, lazy downdates', () => {
  test('equal to the walk that updates the whole inverse, on a correlated random layer', () => {
    // 10 inputs (5 SMLAD pairs), 3 channels with zero weights; Gram matrix of 40 pseudo-random rows
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const rows = Array.from({ length: 40 }, () => {
      const base = rnd() * 40;
      return new Uint8Array(Int8Array.from({ length: 10 }, (_, k) => Math.round(base * (k % 3 === 0 ? 1 : 0.5) + rnd() * 30)).buffer);
    });
    const weights = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? 0 : Math.round(rnd() * 100)));
    const layer = fc(10, 3, weights, 1518500250, -7);
    const gram = reductionGram(layer, rows);
    const inv = gramInverse(gram);
    const got = obsSaliency(layer, inv, gram.rows, smladPairs);
    const scale = 1518500250 * 2 ** (-7 - 31);
    for (let o = 0; o < 3; o++) {
      const want = plainSaliency(weights.slice(o * 10, o * 10 + 10), inv.values, 11, smladPairs, (scale * scale) / 40);
      want.forEach((x, k) => expect(Math.abs(got[o * 10 + k] - x)).toBeLessThanOrEqual(1e-6 * x)); // float32 of the same float64 walk
    }
    expect(new Set(got).size).toBeGreaterThan(6); // distinct values: the walk ranks, not ties
  });
});

describe('OBS saliency, refusals', () => {
  test('a depthwise layer and an inverse of the wrong size', () => {
    const l = fc(2, 1, [1, 2], 2 ** 30, 0);
    expect(() => obsSaliency({ ...l, kind: 'depthwise' }, inverse(3, []), 1, alone)).toThrow('op 3: OBS saliency of DEPTHWISE_CONV_2D layers is not supported');
    expect(() => obsSaliency(l, inverse(4, []), 1, alone)).toThrow('op 3: inverse of size 4 does not fit 2 weights');
  });
});
