/**
 * Parsers of space options as the command line gives them. Each throws
 * UsageError with the offending text.
 */
import { UsageError } from '../../util/errors.js';
import type { SettingKind } from './config.js';

/** Parses `threshold` or `fraction`. */
export function parseSettingKind(text: string): SettingKind {
  if (text === 'threshold' || text === 'fraction') return text;
  throw new UsageError(`unknown setting kind ${JSON.stringify(text)}; expected threshold or fraction`);
}

function parseNumber(text: string, what: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${what}: ${JSON.stringify(text)} is not a number`);
  return v;
}

/** Snaps a computed grid value to 12 significant digits (0.1 * 3 -> 0.3). */
const snap = (v: number): number => Number.parseFloat(v.toPrecision(12));

/**
 * Parses levels: a list `0,0.05,0.1` or a range `FROM:TO:STEP` (both ends
 * included, e.g. `0:0.01:0.001` gives 11 levels). Range checks are left to
 * the space builder.
 */
export function parseLevels(text: string): number[] {
  const what = `levels ${JSON.stringify(text)}`;
  const range = text.split(':');
  if (range.length === 3) {
    const [from, to, step] = range.map((s) => parseNumber(s, what));
    if (!(step > 0) || to < from) throw new UsageError(`${what}: a range FROM:TO:STEP needs STEP > 0 and TO >= FROM`);
    const n = Math.floor(snap((to - from) / step)) + 1;
    if (n > 10000) throw new UsageError(`${what}: ${n} levels is too many`);
    return Array.from({ length: n }, (_, i) => snap(from + i * step));
  }
  if (range.length !== 1) throw new UsageError(`${what}: expected a list A,B,C or a range FROM:TO:STEP`);
  return text.split(',').map((s) => parseNumber(s, what));
}

/** Parses a layer list of operator indices, e.g. `3,5`. */
export function parseLayers(text: string): number[] {
  return text.split(',').map((s) => {
    if (!/^\s*(0|[1-9][0-9]*)\s*$/.test(s)) throw new UsageError(`layer ${JSON.stringify(s)} is not an operator index (expected e.g. --layers 3,5)`);
    return Number(s);
  });
}
