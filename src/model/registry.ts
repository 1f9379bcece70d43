/**
 * Model registry: maps the `--model` argument to a .tflite file, its graph
 * and the preprocessing that turns dataset pixels into the model's input.
 *
 * The committed manifest (models/manifest.json in the checkout) lists the
 * known models: name, file name (looked up in the models folder), sha256,
 * dataset, channel order and input preprocessing. `--model` takes either
 *  - a name from the manifest (`lenet`, `resnet8`): the file is read from the
 *    models folder, or
 *  - a path to a .tflite file (anything containing a path separator or ending
 *    in `.tflite`): if its sha256 matches a manifest entry, that entry's name
 *    and preprocessing are used; otherwise `--preprocess` gives the
 *    preprocessing, and without it the model's own input quantization is used
 *    (see {@link preprocessFromInput}).
 *
 * The models folder is `--models DIR`, else the env SIM_DSE_MODELS, else
 * `../shared/models` beside the checkout when present.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readInputFile } from '../util/read-file.js';
import { basename, extname, join, resolve } from 'node:path';
import { FileError } from '../util/errors.js';
import { projectRoot, sharedDir } from '../util/paths.js';
import { ModelError } from './errors.js';
import type { Graph } from './ir.js';
import { importTflite } from './tflite/import.js';
import { describeResize, RESIZE_METHODS, type ResizeMethod } from './dataset/resize.js';
import { DATASET_SIZE, imageInputSize } from './dataset/preprocess.js';

/**
 * How dataset pixels (0..255, RGB) become the model's input values:
 *  - `float`: float32 input = pixel * scale + offset (LeNet: scale 1/255, offset 0);
 *  - `int8`: int8 input = clamp(pixel + offset, -128, 127) (ResNet-8: offset -128).
 * `resize`, when present: images are first resized to the model's input
 * height and width with that method (models whose input is not 32x32).
 */
export type Preprocess =
  | { readonly kind: 'float'; readonly scale: number; readonly offset: number; readonly resize?: ResizeMethod }
  | { readonly kind: 'int8'; readonly offset: number; readonly resize?: ResizeMethod };

/** A `--resize` value: a method, or `none` (refuse models whose input is not 32x32). */
export type ResizeOption = ResizeMethod | 'none';

/** Parses `--resize`: bilinear or none. */
export function parseResize(spec: string): ResizeOption {
  const found = [...RESIZE_METHODS, 'none' as const].find((m) => m === spec);
  if (found === undefined) throw new ModelError(`--resize ${spec}: expected ${[...RESIZE_METHODS, 'none'].join(' or ')}`);
  return found;
}

/** One model of the manifest. */
export interface ManifestEntry {
  readonly name: string;
  /** File name inside the models folder. */
  readonly file: string;
  /** Lower-case hex sha256 of the file. */
  readonly sha256: string;
  readonly dataset: 'cifar10';
  /** Input layout and channel order; only NHWC RGB exists so far. */
  readonly channelOrder: 'NHWC-RGB';
  readonly preprocess: Preprocess;
  readonly description: string;
}

/** Path of the committed manifest. */
export const manifestPath: string = join(projectRoot, 'models', 'manifest.json');

/** Validates manifest JSON text; throws ModelError naming `source` and the bad entry. */
export function parseManifest(text: string, source: string): ManifestEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ModelError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const models = (doc as { models?: unknown }).models;
  if (!Array.isArray(models)) throw new ModelError(`${source}: missing "models" array`);
  return models.map((m: Record<string, unknown>, i): ManifestEntry => {
    const bad = (what: string): never => {
      throw new ModelError(`${source}: models[${i}] ${what}`);
    };
    if (typeof m.name !== 'string' || !/^[a-z0-9_.-]+$/i.test(m.name)) bad('needs a "name" (letters, digits, _ . -)');
    if (typeof m.file !== 'string' || m.file.length === 0) bad('needs a "file"');
    if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) bad('needs a lower-case hex "sha256"');
    if (m.dataset !== 'cifar10') bad(`has dataset ${JSON.stringify(m.dataset)}; supported: "cifar10"`);
    if (m.channelOrder !== 'NHWC-RGB') bad(`has channelOrder ${JSON.stringify(m.channelOrder)}; supported: "NHWC-RGB"`);
    const p = m.preprocess as Record<string, unknown> | undefined;
    let preprocess: Preprocess;
    if (p?.kind === 'float' && typeof p.scale === 'number' && typeof p.offset === 'number') {
      preprocess = { kind: 'float', scale: p.scale, offset: p.offset };
    } else if (p?.kind === 'int8' && Number.isInteger(p.offset)) {
      preprocess = { kind: 'int8', offset: p.offset as number };
    } else {
      return bad('has a bad "preprocess" (expected {"kind":"float","scale":S,"offset":O} or {"kind":"int8","offset":O})');
    }
    return {
      name: m.name as string,
      file: m.file as string,
      sha256: m.sha256 as string,
      dataset: 'cifar10',
      channelOrder: 'NHWC-RGB',
      preprocess,
      description: typeof m.description === 'string' ? m.description : '',
    };
  });
}

/** Reads and validates the committed manifest. */
export function loadManifest(path: string = manifestPath): ManifestEntry[] {
  if (!existsSync(path)) throw new FileError(`model manifest ${path} not found`);
  return parseManifest(readFileSync(path, 'utf8'), path);
}

/** The models folder: `option`, else SIM_DSE_MODELS, else ../shared/models when present. */
export function modelsDir(option?: string): string | undefined {
  if (option) return resolve(option);
  const env = process.env.SIM_DSE_MODELS;
  if (env) return resolve(env);
  const shared = sharedDir();
  const guess = shared ? join(shared, 'models') : undefined;
  return guess && existsSync(guess) ? guess : undefined;
}

/**
 * Parses a `--preprocess` value: `int8:OFFSET` (e.g. `int8:-128`) or
 * `float:SCALE:OFFSET` where SCALE may be a fraction (e.g. `float:1/255:0`).
 */
export function parsePreprocess(spec: string): Preprocess {
  const num = (s: string): number => {
    const parts = s.split('/');
    const v = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(s);
    if (s.trim() === '' || parts.length > 2 || !Number.isFinite(v)) {
      throw new ModelError(`--preprocess ${spec}: ${JSON.stringify(s)} is not a number`);
    }
    return v;
  };
  const f = spec.split(':');
  if (f[0] === 'int8' && f.length === 2) {
    const offset = num(f[1]);
    if (!Number.isInteger(offset)) throw new ModelError(`--preprocess ${spec}: the int8 offset must be an integer`);
    return { kind: 'int8', offset };
  }
  if (f[0] === 'float' && f.length === 3) return { kind: 'float', scale: num(f[1]), offset: num(f[2]) };
  throw new ModelError(`--preprocess ${spec}: expected int8:OFFSET or float:SCALE:OFFSET (e.g. int8:-128, float:1/255:0)`);
}

/** Human-readable form of a preprocessing, e.g. "int8 = pixel - 128", with its resize method when it has one. */
export function describePreprocess(p: Preprocess): string {
  const value = p.kind === 'int8' ? `int8 = pixel ${p.offset < 0 ? '-' : '+'} ${Math.abs(p.offset)}` : `float32 = pixel * ${p.scale} + ${p.offset}`;
  return p.resize === undefined ? value : `${value}, pixels resized ${describeResize(p.resize)}`;
}

/**
 * Preprocessing derived from the graph input alone (models not in the manifest):
 *  - float32 input: pixel / 255 (values in [0, 1]);
 *  - int8 input with scale 1: q = pixel + zeroPoint (the model's real input is the raw pixel);
 *  - int8 input with scale 1/255: q = pixel + zeroPoint (real input pixel / 255).
 * Anything else needs `--preprocess`.
 */
export function preprocessFromInput(graph: Graph): Preprocess {
  const t = graph.tensors[graph.inputs[0]];
  if (t.dtype === 'float32') return { kind: 'float', scale: 1 / 255, offset: 0 };
  if (t.dtype === 'int8' && t.quant && t.quant.scale.length === 1) {
    const s = t.quant.scale[0];
    if (Math.abs(s - 1) < 1e-6 || Math.abs(s * 255 - 1) < 1e-4) return { kind: 'int8', offset: t.quant.zeroPoint[0] };
  }
  const q = t.quant ? `scale ${t.quant.scale[0]}, zero point ${t.quant.zeroPoint[0]}` : 'no quantization';
  throw new ModelError(
    `${graph.name}: cannot derive preprocessing from input ${t.name} (${t.dtype}, ${q}); pass --preprocess int8:OFFSET or float:SCALE:OFFSET`,
  );
}

/** A model resolved from `--model`. */
export interface ResolvedModel {
  /** Manifest name, or the file name without extension. */
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: Uint8Array;
  /** The imported graph (its name is {@link ResolvedModel.name}). */
  readonly graph: Graph;
  readonly preprocess: Preprocess;
  /** Where the preprocessing came from. */
  readonly preprocessFrom: 'manifest' | 'option' | 'input-quantization';
  readonly entry: ManifestEntry | null;
  /** What the caller should tell the user (e.g. that images are resized automatically). */
  readonly notes: readonly string[];
}

/** Options of {@link resolveModel}. */
export interface ResolveOptions {
  /** `--models DIR`. */
  readonly modelsDir?: string;
  /** `--preprocess`, overrides the manifest. */
  readonly preprocess?: Preprocess;
  /** Manifest entries (default: the committed manifest). */
  readonly manifest?: readonly ManifestEntry[];
  /**
   * `--resize`: how 32x32 images become a model input of another size;
   * absent: bilinear, with a note; `none`: no resizing (such a model is refused
   * where images are fed).
   */
  readonly resize?: ResizeOption;
}

/** True when a `--model` argument is a path rather than a name. */
export function isModelPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || spec.endsWith('.tflite');
}

/** Resolves `--model NAME|FILE` to its bytes, graph and preprocessing (see the module comment). */
export function resolveModel(spec: string, opts: ResolveOptions = {}): ResolvedModel {
  const manifest = opts.manifest ?? loadManifest();
  let path: string;
  let byName: ManifestEntry | undefined;
  if (isModelPath(spec)) {
    path = resolve(spec);
    if (!existsSync(path)) throw new FileError(`model file ${path} not found`);
  } else {
    byName = manifest.find((m) => m.name === spec);
    if (!byName) {
      throw new ModelError(`unknown model "${spec}"; known: ${manifest.map((m) => m.name).join(', ')} (or give a path to a .tflite file)`);
    }
    const dir = modelsDir(opts.modelsDir);
    if (!dir) {
      throw new FileError(`no models folder for "${spec}": pass --models DIR or set SIM_DSE_MODELS (folder holding ${byName.file})`);
    }
    path = join(dir, byName.file);
    if (!existsSync(path)) throw new FileError(`model file ${path} not found (model "${spec}"; check --models or SIM_DSE_MODELS)`);
  }
  const buf = readInputFile(path, 'model file');
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const entry = byName ?? manifest.find((m) => m.sha256 === sha256) ?? null;
  if (byName && sha256 !== byName.sha256) {
    throw new ModelError(`${path}: sha256 ${sha256} differs from the manifest's ${byName.sha256} for model "${spec}"`);
  }
  const name = entry ? entry.name : basename(path, extname(path));
  const graph = importTflite(bytes, name);
  let preprocess: Preprocess;
  let preprocessFrom: ResolvedModel['preprocessFrom'];
  if (opts.preprocess) [preprocess, preprocessFrom] = [opts.preprocess, 'option'];
  else if (entry) [preprocess, preprocessFrom] = [entry.preprocess, 'manifest'];
  else [preprocess, preprocessFrom] = [preprocessFromInput(graph), 'input-quantization'];
  const notes: string[] = [];
  const size = imageInputSize(graph);
  if (size !== null && (size[0] !== DATASET_SIZE || size[1] !== DATASET_SIZE) && opts.resize !== 'none') {
    const method = opts.resize ?? 'bilinear';
    preprocess = { ...preprocess, resize: method };
    if (opts.resize === undefined) {
      notes.push(`${name}: input ${size[0]}x${size[1]}x3 differs from CIFAR-10's 32x32x3: images are resized ${describeResize(method)} (--resize bilinear says so; --resize none refuses)`);
    }
  }
  return { name, path, sha256, bytes, graph, preprocess, preprocessFrom, entry, notes };
}
