import { describe, expect, test } from 'vitest';
import {
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../src/model/engine/fixed-point.js';
import { instantiateKernels, writeParams } from '../src/model/engine/wasm/gemm-module.js';

describe('quantizeMultiplier', () => {
  test('normalises to a Q31 significand and an exponent', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1073741824, shift: 0 });
    expect(quantizeMultiplier(1.0)).toEqual({ multiplier: 1073741824, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(0.0123)).toEqual({ multiplier: 1690499128, shift: -6 });
    expect(quantizeMultiplier(3.7)).toEqual({ multiplier: 1986422374, shift: 2 });
  });
  test('a significand rounding to 2^31 is halved and the exponent incremented', () => {
    expect(quantizeMultiplier((1 - 2 ** -34) * 2 ** -3)).toEqual({ multiplier: 1073741824, shift: -2 });
  });
  test('zero and exponents below -31 give a zero multiplier', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
  });
});

describe('saturatingRoundingDoublingHighMul', () => {
  test('INT32_MIN * INT32_MIN saturates to INT32_MAX', () => {
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
  });
  test('exact products', () => {
    expect(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30)).toBe(1 << 29);
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(2147483646);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-2147483647);
  });
  test('ties: +x.5 rounds up, -x.5 rounds toward zero (nudge then truncation)', () => {
    expect(saturatingRoundingDoublingHighMul(1, 1 << 30)).toBe(1); // 0.5
    expect(saturatingRoundingDoublingHighMul(3, 1 << 30)).toBe(2); // 1.5
    expect(saturatingRoundingDoublingHighMul(-1, 1 << 30)).toBe(0); // -0.5
    expect(saturatingRoundingDoublingHighMul(-3, 1 << 30)).toBe(-1); // -1.5
    expect(saturatingRoundingDoublingHighMul(-5, 1 << 29)).toBe(-1); // -1.25
    expect(saturatingRoundingDoublingHighMul(-7, 1 << 29)).toBe(-2); // -1.75
  });
});

describe('roundingDivideByPOT', () => {
  test('ties round away from zero', () => {
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    expect(roundingDivideByPOT(6, 2)).toBe(2);
  });
  test('non-ties round to nearest', () => {
    expect(roundingDivideByPOT(4, 1)).toBe(2);
    expect(roundingDivideByPOT(7, 2)).toBe(2);
    expect(roundingDivideByPOT(-7, 2)).toBe(-2);
    expect(roundingDivideByPOT(-5, 2)).toBe(-1);
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPOT(123, 0)).toBe(123);
  });
});

describe('multiplyByQuantizedMultiplier', () => {
  test('shift > 0 shifts left before the multiply', () => {
    expect(multiplyByQuantizedMultiplier(3, 1 << 30, 2)).toBe(6);
    expect(multiplyByQuantizedMultiplier(-3, 1 << 30, 1)).toBe(-3);
  });
  test('shift < 0 rounds the product then divides', () => {
    // 100 * 0.70710678 = 70.71 -> 71; 71 / 8 = 8.875 -> 9
    expect(multiplyByQuantizedMultiplier(100, 1518500250, -3)).toBe(9);
    // -100 * 0.70710678 = -70.71 -> -71; -71 / 8 = -8.875 -> -9
    expect(multiplyByQuantizedMultiplier(-100, 1518500250, -3)).toBe(-9);
    // double rounding: 10 * 0.5 = 5, 5 / 2 = 2.5 -> 3; -5 / 2 -> -3
    expect(multiplyByQuantizedMultiplier(10, 1 << 30, -1)).toBe(3);
    expect(multiplyByQuantizedMultiplier(-10, 1 << 30, -1)).toBe(-3);
  });
});

describe('WASM requantization (through a zero GEMM with the value as bias)', () => {
  test('matches the TS fixed-point on edge cases and random values', () => {
    const k = instantiateKernels(1 << 16);
    const m = k.memory.buffer;
    // A: 2 rows x 8 zeros at 0; W: 4 x 8 zeros at 64; params at 256 (128 bytes); out at 1024.
    new Int16Array(m, 0, 32).fill(0);
    const out = new Int8Array(m, 1024, 8);
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return seed;
    };
    const cases: Array<[number, number, number]> = [
      [INT32_MIN, 1 << 30, 0],
      [INT32_MAX, INT32_MAX, 0],
      [-3, 1 << 30, 0],
      [3, 1 << 30, 0],
      [-10, 1 << 30, -1],
      [10, 1 << 30, -1],
      [100, 1518500250, -3],
      [-100, 1518500250, -3],
      [12345, 1690499128, -6],
      [-77, 1986422374, 2],
    ];
    for (let i = 0; i < 400; i++) cases.push([rnd() >> (i % 24), (rnd() >>> 1) | (1 << 30), -(i % 32)]);
    for (let i = 0; i < 100; i++) cases.push([rnd() >> (8 + (i % 20)), (rnd() >>> 1) | (1 << 30), 1 + (i % 12)]);
    for (const [x, mult, shift] of cases) {
      const v = multiplyByQuantizedMultiplier(x, mult, shift);
      // 4 channels take the vector path; 3 of 4 the scalar one.
      writeParams(m, 256, 4, Int32Array.of(x, x, x, x), Int32Array.of(mult, mult, mult, mult), Int32Array.of(shift, shift, shift, shift));
      for (const channels of [4, 3]) {
        k.gemm(0, 64, 256, 1024, 1, channels, 8, 4, 0, -128, 127);
        expect(out[0]).toBe(Math.max(-128, Math.min(127, v)));
        // A zero point of 5 - v makes every exact result read back as 5.
        k.gemm(0, 64, 256, 1024, 1, channels, 8, 4, 5 - v, -128, 127);
        expect([out[0], out[channels - 1]]).toEqual([5, 5]);
      }
    }
    expect(cases.length).toBe(510);
  });
});
