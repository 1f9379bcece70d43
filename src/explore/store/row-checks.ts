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
  return v.kind === 'timed' ? timingProblem(v) : `kind ${JSON.stringify(v.kind)} is not timed or too-large`;
};

const counts = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every(count);

/** A timed firmware row: board, images, one count per image for the inference and for each named layer, flash bytes. */
function timingProblem(v: Record<string, unknown>): string | null {
  if (typeof v.board !== 'string') return 'board missing';
  const bad = firstNonCount(v, ['images', 'flashBytes']);
  if (bad) return bad;
  const images = v.images as number;
  if (images === 0) return 'images is 0';
  if (!counts(v.inference, images)) return `inference is not ${images} cycle counts`;
  if (!Array.isArray(v.layers)) return 'layers is not a list';
  const k = v.layers.findIndex((l: unknown) => !isObject(l) || typeof l.name !== 'string' || !counts(l.cycles, images));
  return k < 0 ? null : `layer ${k} is not {name, ${images} cycle counts}`;
}

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

const isText = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/**
 * What is wrong with a parsed `config.json` (the fields readers use: model,
 * board, metric, latency, search, images, seedGrid), or null when it has the
 * shape the writer gives it. Extra fields are left alone.
 */
export function configProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not a run configuration (a JSON object)';
  const model = v.model;
  if (!isObject(model) || !isText(model.name) || !isText(model.sha256) || !isText(model.file)) return 'model is not {name, sha256, file}';
  const text = ['board', 'metric', 'latency'].find((f) => !isText(v[f]));
  if (text !== undefined) return `${text} is ${JSON.stringify(v[text]) ?? 'missing'}, not a name`;
  // calibration and maxLoss came later: a store without them is older, not corrupt
  if (v.calibration !== undefined && !count(v.calibration)) return `calibration is ${JSON.stringify(v.calibration)}, not a count`;
  if (!isObject(v.space)) return 'space is not an object';
  const search = v.search;
  if (!isObject(search)) return 'search is not an object';
  if (search.strategy !== 'grid' && search.strategy !== 'nsga2') return `search.strategy ${JSON.stringify(search.strategy)} is not grid or nsga2`;
  const badSearch = firstNonCount(search, ['budget', 'population', 'seed']);
  if (badSearch) return `search.${badSearch}`;
  if (search.maxLoss !== undefined && !(typeof search.maxLoss === 'number' && search.maxLoss >= 0)) return `search.maxLoss is ${JSON.stringify(search.maxLoss)}, not a number of percentage points`;
  if (search.sensitivity !== undefined && search.sensitivity !== true) return `search.sensitivity is ${JSON.stringify(search.sensitivity)}, not true`;
  const images = v.images;
  if (!isObject(images) || !isText(images.dataset)) return 'images is not {search, full, dataset}';
  const badImages = firstNonCount(images, ['search', 'full']);
  if (badImages) return `images.${badImages}`;
  return typeof v.seedGrid === 'boolean' ? null : `seedGrid is ${JSON.stringify(v.seedGrid) ?? 'missing'}, not true or false`;
}

const costProblem = (v: unknown, what: string): string | null =>
  !isObject(v) ? `${what} is not {cycles, flashBytes}` : ((bad) => (bad ? `${what}.${bad}` : null))(firstNonCount(v, ['cycles', 'flashBytes']));

/** What is wrong with a reference that may not have been built ({built: false, flashEstimate}), or null. */
const referenceCostProblem = (v: unknown, what: string): string | null =>
  isObject(v) && v.built === false ? ((bad) => (bad ? `${what}.${bad}` : null))(firstNonCount(v, ['flashEstimate'])) : costProblem(v, what);

/** What is wrong with a parsed `reference.json` (latency, baseline, unpackedExact, exactSearch), or null. */
export function referenceProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not a reference (a JSON object)';
  if (typeof v.latency !== 'string') return 'latency is not a description';
  const cost = costProblem(v.baseline, 'baseline') ?? referenceCostProblem(v.unpackedExact, 'unpackedExact');
  if (cost) return cost;
  if (!isObject(v.exactSearch)) return 'exactSearch is not {correct, images, top1}';
  const acc = accuracyProblem(v.exactSearch);
  return acc ? `exactSearch: ${acc}` : null;
}
