/**
 * Integer fixed-point arithmetic of TFLite's integer kernels, written from the
 * published TFLite quantization specification and the gemmlowp fixed-point
 * description: Q31 multipliers, saturating rounding doubling high multiply,
 * rounding division by a power of two (ties away from zero), and the
 * fixed-point exp / reciprocal used by the int8 softmax. All values are int32
 * held in JS numbers; 64-bit products are computed exactly without BigInt.
 */

/** Smallest int32. */
export const INT32_MIN = -2147483648;
/** Largest int32. */
export const INT32_MAX = 2147483647;

/** A real multiplier as TFLite stores it: `real ~= multiplier * 2^(shift - 31)`. */
export interface QuantizedMultiplier {
  /** Q31 significand in [2^30, 2^31) (or 0 for a zero multiplier). */
  readonly multiplier: number;
  /** Power-of-two exponent: > 0 shifts left, < 0 shifts right. */
  readonly shift: number;
}

/** C `frexp`: x = m * 2^e with 0.5 <= |m| < 1 (x finite and non-zero). */
function frexp(x: number): { m: number; e: number } {
  let e = Math.ceil(Math.log2(Math.abs(x))) | 0;
  let m = x / 2 ** e;
  // log2 may be off by one near powers of two; normalise exactly.
  while (Math.abs(m) >= 1) {
    m /= 2;
    e += 1;
  }
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e -= 1;
  }
  return { m, e };
}

/** C `round` (half away from zero) on a double. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * TFLite's QuantizeMultiplier: frexp-normalise a double to a Q31 significand
 * (rounded half away from zero) and an exponent; a significand that rounds to
 * 2^31 is halved with the exponent incremented; exponents below -31 flush to 0.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { m, e } = frexp(real);
  let q = roundHalfAway(m * 2147483648);
  let shift = e;
  if (q === 2147483648) {
    q /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: q, shift };
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b,
 * rounded (nudge of +-2^30 then truncating division by 2^31); INT32_MIN *
 * INT32_MIN saturates to INT32_MAX.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // Exact 64-bit product as hi * 2^16 + lo with |hi|, |lo| < 2^47.
  const bLo = b & 0xffff;
  const bHi = (b - bLo) / 65536;
  const pHi = a * bHi;
  const pLo = a * bLo;
  const negative = pHi * 65536 + pLo < 0; // sign is exact even if the sum rounds
  const x = pLo + (negative ? 1 - 1073741824 : 1073741824);
  // total = pHi * 2^16 + x; divide by 2^31 exactly via floor pieces.
  const q1 = Math.floor(pHi / 32768);
  const r1 = pHi - q1 * 32768;
  const y = r1 * 65536 + x;
  const q2 = Math.floor(y / 2147483648);
  const r2 = y - q2 * 2147483648;
  const q = q1 + q2;
  return q < 0 && r2 !== 0 ? q + 1 : q;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent, ties away from zero (0 <= exponent <= 31). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite MultiplyByQuantizedMultiplier: shift left (int32 wrap) when shift > 0,
 * SRDHM by the multiplier, then rounding right shift when shift < 0.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul((x << left) | 0, multiplier), right);
}

/**
 * gemmlowp SaturatingRoundingMultiplyByPOT: exponent > 0 is a saturating left
 * shift, exponent < 0 a rounding right shift.
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent <= 0) return roundingDivideByPOT(x, -exponent);
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x << exponent) | 0;
}

/** Fixed-point multiply of raw values (the result's integer bits are the sum of the operands'). */
const mul = saturatingRoundingDoublingHighMul;

/** gemmlowp RoundingHalfSum for int32: (a + b + sign) / 2, truncating. */
function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a) for a in [-1/4, 0), a and result in Q0.31 (gemmlowp's Taylor expansion around -1/8). */
function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constant1Over3 = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((mul((x4Over4 + x3) | 0, constant1Over3) + x2) | 0, 1);
  return (constantTerm + mul(constantTerm, (x + poly) | 0)) | 0;
}

/**
 * gemmlowp exp_on_negative_values for an input with `integerBits` integer
 * bits (raw int32 <= 0); returns exp(a) in Q0.31.
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits),
  );
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  const barrel: ReadonlyArray<readonly [number, number]> = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [exponent, multiplier] of barrel) {
    if (integerBits > exponent) {
      const bit = fractionalBits + exponent;
      if ((remainder & (1 << bit)) !== 0) result = mul(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(1 << (36 - integerBits));
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: x in Q0.31, result in Q0.31 (Newton-Raphson). */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const c48Over17 = 1515870810;
  const cNeg32Over17 = -1010580540;
  let x = (c48Over17 + mul(halfDenominator, cNeg32Over17)) | 0;
  const oneQ2 = 1 << 29;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = mul(halfDenominator, x);
    const oneMinus = (oneQ2 - halfDenominatorTimesX) | 0;
    x = (x + saturatingRoundingMultiplyByPOT(mul(x, oneMinus), 2)) | 0;
  }
  // ExactMulByPot<-1> keeps the raw value (Q2 -> Q1); Rescale to Q0 shifts left by 1.
  return saturatingRoundingMultiplyByPOT(x, 1);
}

/**
 * TFLite GetReciprocal: 1/x for x with `integerDigits` integer bits, as a
 * Q0.31 scale and the number of bits above unit.
 */
export function getReciprocal(x: number, integerDigits: number): { scale: number; bitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const bitsOverUnit = integerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((x << headroomPlusOne) - 0x80000000) | 0;
  return { scale: oneOverOnePlusXForXIn01(shiftedSumMinusOne), bitsOverUnit };
}

/** C++ `static_cast<int32>` of a float32 rounded by `std::round` (half away from zero). */
export function roundFloat32(x: number): number {
  return roundHalfAway(Math.fround(x));
}
