/**
 * A run directory on disk: `config.json`, `reference.json`, `points.jsonl`,
 * `final.jsonl`, `firmware.jsonl`, `seed-grid.json`, and the derived `front.csv`,
 * `front.json`, `report.md` and its SVG plots. Whole files are written
 * atomically, rows are appended one complete line at a time, so an
 * interrupted run leaves a consistent store.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { FileError, UsageError } from '../../util/errors.js';
import type { Cost, ReferenceCost } from '../evaluate/latency-types.js';
import { BOARDS_FILE } from './board-stores.js';
import { appendJsonLine, readJsonLines } from './jsonl-file.js';
import { checkFinalRows, checkFirmwareRows, checkPointRows, configProblem, referenceProblem } from './row-checks.js';
import { checkSameRun, STORE_VERSION, type RunConfig } from './run-config.js';
import type { FinalRow, FirmwareRow, PointRow } from './rows.js';

/** `reference.json`: the exact points of the run. */
export interface StoredReference {
  /** Where the latency numbers come from (the provider's description). */
  readonly latency: string;
  readonly baseline: Cost;
  readonly unpackedExact: ReferenceCost;
  /** The exact model with the per-layer kernel style and placement choice (emulated runs; absent in older stores). */
  readonly exactChosen?: Cost & { readonly fits: boolean; readonly placement?: string };
  /** The exact model's top-1 on the search images. */
  readonly exactSearch: { readonly correct: number; readonly images: number; readonly top1: number };
}

/**
 * `cmsis-nn.json`: Arm's CMSIS-NN on the run's model and board, the exact
 * reference the seed paper compares against (one inference of test image 0,
 * output checked against the engine), or why it was not measured.
 */
export type StoredCmsisNn =
  | {
      readonly found: true;
      /** The CMSIS-NN folder it was compiled from. */
      readonly dir: string;
      readonly cycles: number;
      readonly flashBytes: number;
      readonly fits: boolean;
      readonly matchesEngine: boolean;
      readonly layers: readonly { readonly name: string; readonly style: string; readonly cycles: number }[];
    }
  | { readonly found: false; readonly reason: string };

/** `proxy.json`: what the seed toolkit's MAC proxy needs of the model (written once per run). */
export interface MacProxyModel {
  /** Multiply-accumulates of one inference, all maskable layers. */
  readonly totalMacs: number;
  /** MACs each weight of a maskable layer takes part in, by operator index. */
  readonly macsPerWeight: Readonly<Record<string, number>>;
}

/** File names inside a run directory. */
export const STORE_FILES = {
  config: 'config.json',
  model: 'model.json',
  reference: 'reference.json',
  cmsisNn: 'cmsis-nn.json',
  macProxy: 'proxy.json',
  points: 'points.jsonl',
  final: 'final.jsonl',
  firmware: 'firmware.jsonl',
  seedGrid: 'seed-grid.json',
  frontCsv: 'front.csv',
  frontJson: 'front.json',
  report: 'report.md',
  plotCycles: 'accuracy-vs-cycles.svg',
  plotFlash: 'accuracy-vs-flash.svg',
  plotSensitivity: 'sensitivity.svg',
} as const;

/** Everything a run directory holds (derived files excluded). */
export interface StoreContents {
  readonly dir: string;
  readonly config: RunConfig;
  readonly reference: StoredReference | null;
  /** CMSIS-NN on the run's model and board (null: not measured by this run). */
  readonly cmsisNn: StoredCmsisNn | null;
  /** The MAC proxy's model facts (null: not stored by the run). */
  readonly macProxy: MacProxyModel | null;
  readonly points: PointRow[];
  readonly finals: FinalRow[];
  /** Whole-firmware timings of the points on the full-test-set front (emulated latency source only). */
  readonly firmware: FirmwareRow[];
  /** Hashes of the seed toolkit's grid points (null when not part of the run). */
  readonly seedGrid: string[] | null;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new FileError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** JSON text as the store writes it (2-space indent, final newline). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Reads `config.json` of `dir`: an object of the supported store version. */
function readConfig(dir: string): RunConfig {
  const cfgPath = join(dir, STORE_FILES.config);
  if (!existsSync(cfgPath)) throw new UsageError(`${dir} is not a run directory (no ${STORE_FILES.config})`);
  const config = readJson<unknown>(cfgPath);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new FileError(`${cfgPath} is not a run configuration (a JSON object)`);
  const version = (config as { version?: unknown }).version;
  if (version !== STORE_VERSION) throw new UsageError(`${dir}: store version ${String(version)} is not supported (expected ${STORE_VERSION})`);
  const problem = configProblem(config);
  if (problem) throw new FileError(`${cfgPath}: ${problem}; the store is corrupt (restore it or start another --id)`);
  return config as RunConfig;
}

/** Reads `reference.json`, checked (a corrupt one is a FileError, never used). */
function readReference(path: string): StoredReference {
  const ref = readJson<unknown>(path);
  const problem = referenceProblem(ref);
  if (problem) throw new FileError(`${path}: ${problem}; the store is corrupt (restore it or start another --id)`);
  return ref as StoredReference;
}

/** Reads the rows of one JSON-lines file of `dir` and checks them. */
function readRows<T>(dir: string, file: string, repair: boolean, check: (file: string, rows: unknown[]) => void): T[] {
  const rows = readJsonLines<unknown>(join(dir, file), repair);
  check(file, rows);
  return rows as T[];
}

/**
 * Reads a run directory, checking every row (a corrupt store is a FileError
 * naming the line); `repair` trims a partial last row (only a writer should).
 */
export function readStore(dir: string, repair = false): StoreContents {
  const config = readConfig(dir);
  const refPath = join(dir, STORE_FILES.reference);
  const seedPath = join(dir, STORE_FILES.seedGrid);
  const cmsisPath = join(dir, STORE_FILES.cmsisNn);
  const proxyPath = join(dir, STORE_FILES.macProxy);
  return {
    dir,
    config,
    reference: existsSync(refPath) ? readReference(refPath) : null,
    cmsisNn: existsSync(cmsisPath) ? readJson<StoredCmsisNn>(cmsisPath) : null,
    macProxy: existsSync(proxyPath) ? readJson<MacProxyModel>(proxyPath) : null,
    points: readRows<PointRow>(dir, STORE_FILES.points, repair, checkPointRows),
    finals: readRows<FinalRow>(dir, STORE_FILES.final, repair, checkFinalRows),
    firmware: readRows<FirmwareRow>(dir, STORE_FILES.firmware, repair, checkFirmwareRows),
    seedGrid: existsSync(seedPath) ? readJson<{ hashes: string[] }>(seedPath).hashes : null,
  };
}

/**
 * Opens a run directory for writing: creates it with `config` or, when it
 * exists, checks that it was made with the same configuration (UsageError
 * otherwise, touching nothing) and returns what it holds.
 */
export function openStore(dir: string, config: RunConfig): StoreContents {
  if (existsSync(join(dir, BOARDS_FILE))) throw new UsageError(`run directory ${dir} is a multi-board run, not one of ${config.board} alone; choose another --id or --out`);
  if (existsSync(join(dir, STORE_FILES.config))) {
    checkSameRun(readConfig(dir), config, dir);
    return readStore(dir, true);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FileError(`cannot create run directory ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  writeFileAtomic(join(dir, STORE_FILES.config), jsonText(config));
  return { dir, config, reference: null, cmsisNn: null, macProxy: null, points: [], finals: [], firmware: [], seedGrid: null };
}

/**
 * `model.json`: where the run's model file was when the run last ran, for a
 * model outside the manifest (export and validate read it there without
 * --model). Not part of the configuration: moving the file keeps the run id.
 */
export interface StoredModelSource {
  /** Absolute path of the .tflite. */
  readonly path: string;
  readonly sha256: string;
}

/** Writes `model.json` (see {@link StoredModelSource}). */
export function writeModelSource(dir: string, value: StoredModelSource): void {
  writeFileAtomic(join(dir, STORE_FILES.model), jsonText(value));
}

/** Reads `model.json`, or null when the run has none or it is not a path and a sha256. */
export function readModelSource(dir: string): StoredModelSource | null {
  const path = join(dir, STORE_FILES.model);
  if (!existsSync(path)) return null;
  const v = readJson<Record<string, unknown> | null>(path);
  return v !== null && typeof v === 'object' && typeof v.path === 'string' && typeof v.sha256 === 'string' ? { path: v.path, sha256: v.sha256 } : null;
}

/** Appends one evaluated point. */
export function appendPoint(dir: string, row: PointRow): void {
  appendJsonLine(join(dir, STORE_FILES.points), row);
}

/** Appends one full-test-set result. */
export function appendFinal(dir: string, row: FinalRow): void {
  appendJsonLine(join(dir, STORE_FILES.final), row);
}

/** Appends one whole-firmware timing. */
export function appendFirmware(dir: string, row: FirmwareRow): void {
  appendJsonLine(join(dir, STORE_FILES.firmware), row);
}

/** Writes `reference.json`. */
export function writeReference(dir: string, ref: StoredReference): void {
  writeFileAtomic(join(dir, STORE_FILES.reference), jsonText(ref));
}

/** Writes `cmsis-nn.json`. */
export function writeCmsisNn(dir: string, value: StoredCmsisNn): void {
  writeFileAtomic(join(dir, STORE_FILES.cmsisNn), jsonText(value));
}

/** Writes `proxy.json`. */
export function writeMacProxy(dir: string, value: MacProxyModel): void {
  writeFileAtomic(join(dir, STORE_FILES.macProxy), jsonText(value));
}

/** Writes `seed-grid.json` (the hashes of the preset's points, in its order). */
export function writeSeedGrid(dir: string, hashes: readonly string[]): void {
  writeFileAtomic(join(dir, STORE_FILES.seedGrid), jsonText({ hashes }));
}
