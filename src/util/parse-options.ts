/**
 * Parsers of option values as the command line gives them; each throws
 * UsageError naming the option and the offending text.
 */
import { UsageError } from './errors.js';

/** Parses an integer option in [min, max]; undefined text gives `fallback`. */
export function parseIntOption(name: string, text: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!/^-?[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(v)) throw new UsageError(`${name}: '${text}' is not an integer`);
  if (v < min || v > max) throw new UsageError(`${name}: ${v} is out of range (${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max})`);
  return v;
}

/** Parses one of `choices`; undefined gives `fallback`. */
export function parseChoice<T extends string>(name: string, text: string | undefined, choices: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  const found = choices.find((c) => c === text);
  if (found === undefined) throw new UsageError(`${name}: '${text}' is not one of ${choices.join(', ')}`);
  return found;
}

/** Parses a number option in (min, max]; undefined text gives `fallback`. */
export function parseNumberOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${name}: '${text}' is not a number`);
  if (!(v > min && v <= max)) throw new UsageError(`${name}: ${v} is out of range (more than ${min}, at most ${max})`);
  return v;
}

/** Parses a positive integer option value; undefined text gives undefined. */
export function parsePositiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name}: '${value}' is not a positive integer`);
  return n;
}
