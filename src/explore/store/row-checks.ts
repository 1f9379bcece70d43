/**
 * Validation of stored rows before a run trusts them (resume, report, show,
 * export): each row has the shape the writer gives it, ids run 0, 1, 2, ...,
 * no configuration is stored twice, and the derived fields agree with the
 * fields they derive from. A store edited or corrupted by hand is reported
 * (file and line) instead of silently used.
 */
import { FileError } from '../../util/errors.js';
import type { FinalRow, FirmwareRow, PointRow } from './rows.js';

/** What is wrong with a value, or null when it is fine. */
type Check = (v: unknown) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const count = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

/** The first field of `row` (by name) that is not a non-negative integer, or null. */
function firstNonCount(row: Record<string, unknown>, fields: readonly string[]): string | null {
  const bad = fields.find((f) => !count(row[f]));
  return bad === undefined ? null : `${bad} is ${JSON.stringify(row[bad]) ?? 'missing'}, not a count`;
}

/** top1 must equal correct / images, with correct <= images. */
function accuracyProblem(row: Record<string, unknown>): string | null {
  const bad = firstNonCount(row, ['correct', 'images']);
  if (bad) return bad;
  const { correct, images } = row as { correct: number; images: number };
  if (images === 0 || correct > images) return `correct ${correct} of images ${images} is impossible`;
  return row.top1 === correct / images ? null : `top1 ${JSON.stringify(row.top1)} is not correct/images (${correct}/${images})`;
}

const pointCheck: Check = (v) => {
  if (!isObject(v)) return 'not an object';
  if (typeof v.hash !== 'string' || typeof v.masksHash !== 'string') return 'hash or masksHash missing';
  if (v.phase !== 'search' && v.phase !== 'seed-grid') return `phase ${JSON.stringify(v.phase)} is not search or seed-grid`;
  if (!Array.isArray(v.genome) || !Array.isArray(v.layers)) return 'genome or layers missing';
  if (typeof v.fits !== 'boolean') return 'fits missing';
  const bad = firstNonCount(v, ['id', 'skipped', 'weights', 'cycles', 'flashBytes']) ?? accuracyProblem(v);
  if (bad) return bad;
  const layers = v.layers as unknown[];
  if (!layers.every((l) => isObject(l) && firstNonCount(l, ['opIndex', 'skipped', 'weights', 'cycles']) === null)) return 'a layer row is malformed';
  const sum = (f: string) => (layers as Record<string, number>[]).reduce((s, l) => s + l[f]!, 0);
  if (sum('skipped') !== v.skipped || sum('weights') !== v.weights) return 'skipped/weights disagree with its layers';
  if ((v.cycles as number) < sum('cycles')) return `cycles ${String(v.cycles)} are fewer than its layers' ${sum('cycles')}`;
  return null;
};

const finalCheck: Check = (v) => (!isObject(v) ? 'not an object' : typeof v.hash !== 'string' ? 'hash missing' : accuracyProblem(v));

const firmwareCheck: Check = (v) => {
  if (!isObject(v)) return 'not an object';
  if (typeof v.hash !== 'string') return 'hash missing';
  if (v.kind === 'too-large') return typeof v.reason === 'string' ? null : 'reason missing';
  return v.kind === 'timed' ? null : `kind ${JSON.stringify(v.kind)} is not timed or too-large`;
};

/** Throws a FileError naming `file`'s first bad line (1-based), duplicated hash or out-of-order id. */
function checkRows(file: string, rows: readonly unknown[], check: Check, ids: boolean): void {
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const problem = check(row);
    const where = `${file} line ${i + 1}`;
    if (problem) throw new FileError(`${where}: ${problem}; the store is corrupt (restore it or start another --id)`);
    const r = row as { hash: string; id?: number };
    if (ids && r.id !== i) throw new FileError(`${where}: id ${String(r.id)} where ${i} was expected; the store is corrupt (restore it or start another --id)`);
    const first = seen.get(r.hash);
    if (first !== undefined) throw new FileError(`${where}: hash ${r.hash.slice(0, 12)} is already stored on line ${first}; the store is corrupt (restore it or start another --id)`);
    seen.set(r.hash, i + 1);
  });
}

/** Checks `points.jsonl` rows (shape, ids 0..n-1, unique hashes, derived fields). */
export function checkPointRows(file: string, rows: readonly unknown[]): asserts rows is PointRow[] {
  checkRows(file, rows, pointCheck, true);
}

/** Checks `final.jsonl` rows (shape, unique hashes, top1 = correct/images). */
export function checkFinalRows(file: string, rows: readonly unknown[]): asserts rows is FinalRow[] {
  checkRows(file, rows, finalCheck, false);
}

/** Checks `firmware.jsonl` rows (shape, unique hashes). */
export function checkFirmwareRows(file: string, rows: readonly unknown[]): asserts rows is FirmwareRow[] {
  checkRows(file, rows, firmwareCheck, false);
}
