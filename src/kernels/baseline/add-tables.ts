/**
 * Lookup-table form of int8 ADD (TFLite's integer Add), exact by
 * construction.
 *
 * The engine computes, per element,
 *     sa = MBQM((a - aZp) << 20, aMult, aShift)     (a function of the byte a)
 *     sb = MBQM((b - bZp) << 20, bMult, bShift)     (a function of the byte b)
 *     y  = clamp(RDBPOT(SRDHM(sa + sb, outMult), e) + outZp, actMin, actMax)
 * (MBQM: MultiplyByQuantizedMultiplier; e = -outShift). The kernel holds
 * 2 * sa and 2 * sb in two 256-entry int32 tables indexed by the unsigned
 * byte, so that with S = 2 * (sa + sb):
 *   - SRDHM(sa + sb, m) = (S * m + 2^31) >> 32, one SMMULR (the identity of
 *     snn_output.h: gemmlowp's nudge-and-truncate is the floor of the
 *     product plus 2^30, over 2^31);
 *   - RDBPOT(v, e) + outZp = (v + (v >> 31) + 2^(e-1) + (outZp << e)) >> e
 *     (half away from zero: a negative v rounds a tie down), one ADD with
 *     an ASR #31 operand, one ADD of a constant, one ASR.
 * The form needs outShift <= -1 and no int32 overflow on the way, which
 * {@link addTables} checks over every byte pair's bound; otherwise the
 * kernel keeps the two-step path.
 */
import { multiplyByQuantizedMultiplier } from '../../model/engine/fixed-point.js';
import type { PreparedOp } from '../../model/engine/prepare.js';

type AddOp = Extract<PreparedOp, { kind: 'add' }>;

/** The tables and constants of the table form of an ADD. */
export interface AddTables {
  /** 512 int32: 2 * sa (indexed by the byte of a as unsigned), then 2 * sb. */
  readonly table: Int32Array;
  /** The right shift e (1..31). */
  readonly shift: number;
  /** 2^(e-1) + outZp * 2^e, added before the shift. */
  readonly rounding: number;
}

/** 2 * sa (or 2 * sb) for every byte, indexed by the unsigned byte. */
function inputTable(zp: number, mult: number, shift: number, leftShift: number): Int32Array {
  const t = new Int32Array(256);
  for (let u = 0; u < 256; u++) {
    const x = u < 128 ? u : u - 256;
    t[u] = 2 * multiplyByQuantizedMultiplier(((x - zp) * 2 ** leftShift) | 0, mult, shift);
  }
  return t;
}

const LIMIT = 2 ** 31;

/** The table form of an ADD, or null when its parameters fall outside the form's int32 range. */
export function addTables(p: AddOp): AddTables | null {
  const e = -p.outShift;
  if (e < 1 || e > 31 || p.leftShift < 0 || p.leftShift > 30) return null;
  const ta = inputTable(p.aZp, p.aMult, p.aShift, p.leftShift);
  const tb = inputTable(p.bZp, p.bMult, p.bShift, p.leftShift);
  let peakA = 0;
  let peakB = 0;
  for (let u = 0; u < 256; u++) {
    peakA = Math.max(peakA, Math.abs(ta[u]));
    peakB = Math.max(peakB, Math.abs(tb[u]));
  }
  // S = ta + tb must not wrap (the engine sums sa + sb without wrapping here), and
  // |v| <= |S| / 2 plus the rounding constant must stay inside int32.
  const rounding = 2 ** (e - 1) + p.outZp * 2 ** e;
  if (peakA + peakB >= LIMIT || (peakA + peakB) / 2 + 1 + Math.abs(rounding) >= LIMIT) return null;
  const table = new Int32Array(512);
  table.set(ta, 0);
  table.set(tb, 256);
  return { table, shift: e, rounding };
}
