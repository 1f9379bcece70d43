/**
 * A configuration space: a metric, a setting kind and, for each layer in the
 * space, its discrete levels. Points are numbered in mixed radix, the last
 * layer varying fastest; a point is also given by its per-layer level indices
 * (the genome of an evolutionary search). Layers outside the space are exact.
 */
import { isMaskable, type Graph } from '../../model/ir.js';
import { parseMetric, SIGNIFICANCE_METRICS, type SignificanceMetric } from '../significance/metric.js';
import { UsageError } from '../../util/errors.js';
import { checkSettingValue, type Configuration, type LayerSetting, type SettingKind, type SkipUnit } from './config.js';
import { parseSettingKind } from './parse.js';

/** One layer of a space and its levels (thresholds or fractions, ascending, distinct). */
export interface SpaceLayer {
  readonly opIndex: number;
  readonly levels: readonly number[];
}

/** A discrete configuration space. */
export interface ConfigSpace {
  /** Preset or user-given name (for reports). */
  readonly name: string;
  readonly metric: SignificanceMetric;
  readonly kind: SettingKind;
  readonly layers: readonly SpaceLayer[];
  /** Skip unit of every configuration (absent for `weight`). */
  readonly unit?: SkipUnit;
}

/**
 * Skip fractions of the default space: 15 levels from 0 to 0.6, steps of
 * 0.01 to 0.025 up to 0.2 (where most layers lose no top-1), coarser above.
 */
export const DEFAULT_FRACTION_LEVELS: readonly number[] = [0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4, 0.6];

/** Thresholds of the seed toolkit's grid: 0 to 0.01 in steps of 0.001 (11 levels). */
export const SEED_THRESHOLD_LEVELS: readonly number[] = Array.from({ length: 11 }, (_, i) => i / 1000);

/** Options of {@link buildSpace}. */
export interface SpaceOptions {
  /** Default `contribution`. */
  readonly metric?: SignificanceMetric;
  /** Default `fraction`. */
  readonly kind?: SettingKind;
  /** Operator indices of the layers in the space (default: every maskable layer). */
  readonly layers?: readonly number[];
  /** Leave the first maskable CONV_2D out of the space (`--exclude-first`). */
  readonly excludeFirst?: boolean;
  /** Levels of every layer (default: {@link DEFAULT_FRACTION_LEVELS} or {@link SEED_THRESHOLD_LEVELS}). */
  readonly levels?: readonly number[];
  /** Default `custom`. */
  readonly name?: string;
  /** Skip unit (default `weight`). */
  readonly unit?: SkipUnit;
}

/** Operator indices of a graph's maskable layers, in order. */
export function maskableOps(graph: Graph): number[] {
  return graph.ops.filter(isMaskable).map((op) => op.index);
}

/** Operator indices of a graph's CONV_2D layers, in order. */
export function convOps(graph: Graph): number[] {
  return graph.ops.filter((op) => op.kind === 'CONV_2D').map((op) => op.index);
}

/** Validates levels: a non-empty ascending list of distinct values in [0, 1]. */
export function checkLevels(kind: SettingKind, opIndex: number, levels: readonly number[]): void {
  if (levels.length === 0) throw new UsageError(`layer ${opIndex} has no levels`);
  levels.forEach((v, i) => {
    checkSettingValue(kind, opIndex, v);
    if (i > 0 && !(v > levels[i - 1])) throw new UsageError(`levels of layer ${opIndex} must be strictly ascending: ${levels[i - 1]} then ${v}`);
  });
}

/** Builds and validates a space over `graph`; throws UsageError for an unknown layer, metric or a bad level. */
export function buildSpace(graph: Graph, options: SpaceOptions = {}): ConfigSpace {
  const metric = options.metric ?? 'contribution';
  if (!SIGNIFICANCE_METRICS.includes(metric)) parseMetric(String(metric));
  const kind = parseSettingKind(String(options.kind ?? 'fraction'));
  const maskable = maskableOps(graph);
  let ops = options.layers ? [...options.layers] : maskable;
  for (const op of ops) {
    if (!maskable.includes(op)) {
      const what = graph.ops[op] ? `operator ${op} is ${graph.ops[op].kind}, not maskable` : `no operator ${op}`;
      throw new UsageError(`unknown layer ${op} (${what}); ${graph.name} has maskable layers ${maskable.join(', ')}`);
    }
  }
  if (new Set(ops).size !== ops.length) throw new UsageError(`a layer is listed twice: ${ops.join(', ')}`);
  if (options.excludeFirst) {
    const first = convOps(graph)[0];
    ops = ops.filter((op) => op !== first);
  }
  ops.sort((a, b) => a - b);
  if (ops.length === 0) throw new UsageError('the space has no layers');
  const levels = options.levels ?? (kind === 'fraction' ? DEFAULT_FRACTION_LEVELS : SEED_THRESHOLD_LEVELS);
  for (const op of ops) checkLevels(kind, op, levels);
  const space: ConfigSpace = { name: options.name ?? 'custom', metric, kind, layers: ops.map((opIndex) => ({ opIndex, levels: [...levels] })) };
  return options.unit === undefined || options.unit === 'weight' ? space : { ...space, unit: options.unit };
}

/** Number of points of a space. */
export function spaceSize(space: ConfigSpace): number {
  return space.layers.reduce((n, l) => n * l.levels.length, 1);
}

/** The configuration of per-layer level indices (one per space layer). */
export function configurationFromLevels(space: ConfigSpace, levelIndices: ArrayLike<number>): Configuration {
  if (levelIndices.length !== space.layers.length) {
    throw new UsageError(`${levelIndices.length} level indices for a space of ${space.layers.length} layers`);
  }
  const settings = space.layers.map((l, i): LayerSetting => {
    const li = levelIndices[i];
    if (!Number.isInteger(li) || li < 0 || li >= l.levels.length) throw new UsageError(`level index ${li} of layer ${l.opIndex} is out of range 0..${l.levels.length - 1}`);
    return { kind: space.kind, opIndex: l.opIndex, value: l.levels[li] };
  });
  return space.unit === undefined ? { metric: space.metric, settings } : { metric: space.metric, settings, unit: space.unit };
}

/** Per-layer level indices of point `index` (0 <= index < spaceSize; last layer fastest). */
export function levelsAt(space: ConfigSpace, index: number): number[] {
  const size = spaceSize(space);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new UsageError(`point ${index} is out of range 0..${size - 1}`);
  const out = new Array<number>(space.layers.length);
  let rest = index;
  for (let i = space.layers.length - 1; i >= 0; i--) {
    const n = space.layers[i].levels.length;
    out[i] = rest % n;
    rest = Math.floor(rest / n);
  }
  return out;
}

/** The configuration of point `index` of the space. */
export function configurationAt(space: ConfigSpace, index: number): Configuration {
  return configurationFromLevels(space, levelsAt(space, index));
}
