/**
 * A configuration: one setting per maskable layer, either a threshold on
 * significance (skip the operands whose significance is below it) or a skip
 * fraction (skip that fraction of the layer's non-zero weights, lowest
 * significance first). Layers without a setting are exact.
 *
 * Canonical form (used for serialisation and the content hash, i.e. the point
 * id in the store): settings sorted by operator index, settings with value 0
 * (which skip nothing) dropped, -0 written as 0, numbers as JSON writes them.
 */
import { createHash } from 'node:crypto';
import { metricPairs, parseMetric, SIGNIFICANCE_METRICS, type SignificanceMetric } from '../significance/metric.js';
import { UsageError } from '../../util/errors.js';

/** How a layer's setting selects operands to skip. */
export type SettingKind = 'threshold' | 'fraction';

/** One layer's setting, tagged by kind; `value` is in [0, 1] for both. */
export type LayerSetting =
  | {
      readonly kind: 'threshold';
      /** Operator index of the maskable layer. */
      readonly opIndex: number;
      /** Skip operands whose significance is strictly below this value. */
      readonly value: number;
    }
  | {
      readonly kind: 'fraction';
      readonly opIndex: number;
      /** Skip this fraction of the layer's non-zero weights (lowest significance first). */
      readonly value: number;
    };

/**
 * What a setting skips: single non-zero weights, or whole SMLAD pairs (input
 * channels 2p, 2p + 1 of one tap, ranked by the larger significance of the
 * two). Unpacked code saves a cycle only when both weights of a pair go, so
 * `pair` makes every skipped weight pay. The `seed` metric always uses pairs.
 * `sparse`: the sparse kernel's 2 x 2 units (two output channels x one input
 * channel pair, src/kernels/sparse/units.ts) ranked by their most significant
 * weight; depthwise layers keep the metric's units.
 */
export type SkipUnit = 'weight' | 'pair' | 'sparse';

/** A point of the design space. */
export interface Configuration {
  /** The significance metric the settings refer to. */
  readonly metric: SignificanceMetric;
  readonly settings: readonly LayerSetting[];
  /** Skip unit (absent: `weight`, pairs for `seed`). */
  readonly unit?: SkipUnit;
}

/** Throws UsageError unless `value` is a valid setting value of `kind` for layer `opIndex`. */
export function checkSettingValue(kind: SettingKind, opIndex: number, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    const what = kind === 'threshold' ? 'significance threshold' : 'skip fraction';
    throw new UsageError(`${what} ${value} of layer ${opIndex} is out of range: expected a number from 0 to 1`);
  }
}

/** Validates a configuration's shape and values (not its layers against a model: see masksFor). */
export function checkConfiguration(config: Configuration): void {
  if (!SIGNIFICANCE_METRICS.includes(config.metric)) parseMetric(String(config.metric));
  if (config.unit !== undefined && config.unit !== 'weight' && config.unit !== 'pair' && config.unit !== 'sparse') {
    throw new UsageError(`unknown skip unit ${JSON.stringify(config.unit)}; expected weight, pair or sparse`);
  }
  const seen = new Set<number>();
  for (const s of config.settings) {
    if (s.kind !== 'threshold' && s.kind !== 'fraction') throw new UsageError(`unknown layer setting kind ${JSON.stringify((s as { kind: unknown }).kind)}; expected threshold or fraction`);
    if (!Number.isInteger(s.opIndex) || s.opIndex < 0) throw new UsageError(`layer ${JSON.stringify(s.opIndex)} is not an operator index`);
    if (seen.has(s.opIndex)) throw new UsageError(`layer ${s.opIndex} has two settings`);
    seen.add(s.opIndex);
    checkSettingValue(s.kind, s.opIndex, s.value);
  }
}

/** The canonical form of a configuration (validated): sorted, zero settings dropped, `unit` kept only when it changes the masks (sparse, or pair with a metric that does not already pair: see metricPairs). */
export function canonicalConfiguration(config: Configuration): Configuration {
  checkConfiguration(config);
  const settings = config.settings
    .filter((s) => s.value !== 0)
    .map((s): LayerSetting => ({ kind: s.kind, opIndex: s.opIndex, value: s.value }))
    .sort((a, b) => a.opIndex - b.opIndex);
  const unit = config.unit === 'sparse' || (config.unit === 'pair' && !metricPairs(config.metric)) ? config.unit : undefined;
  return unit === undefined ? { metric: config.metric, settings } : { metric: config.metric, settings, unit };
}

/** Stable JSON text of a configuration (canonical form, fixed key order, one line). */
export function configurationJson(config: Configuration): string {
  const c = canonicalConfiguration(config);
  const settings = c.settings.map((s) => ({ op: s.opIndex, kind: s.kind, value: s.value }));
  return JSON.stringify(c.unit === undefined ? { metric: c.metric, settings } : { metric: c.metric, unit: c.unit, settings });
}

/** Parses configuration JSON text as {@link configurationJson} writes it; throws UsageError on anything else. */
export function parseConfigurationJson(text: string, source = 'configuration'): Configuration {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const d = doc as { metric?: unknown; settings?: unknown; unit?: unknown };
  if (typeof d !== 'object' || d === null || typeof d.metric !== 'string' || !Array.isArray(d.settings)) {
    throw new UsageError(`${source}: expected {"metric": "...", "unit"?: "weight"|"pair"|"sparse", "settings": [{"op": N, "kind": "threshold"|"fraction", "value": X}]}`);
  }
  const metric = parseMetric(d.metric);
  const settings = d.settings.map((s: { op?: unknown; kind?: unknown; value?: unknown }): LayerSetting => {
    if (typeof s !== 'object' || s === null || (s.kind !== 'threshold' && s.kind !== 'fraction') || typeof s.op !== 'number' || typeof s.value !== 'number') {
      throw new UsageError(`${source}: setting ${JSON.stringify(s)} is not {"op": N, "kind": "threshold"|"fraction", "value": X}`);
    }
    return { kind: s.kind, opIndex: s.op, value: s.value };
  });
  const config: Configuration = d.unit === undefined ? { metric, settings } : { metric, settings, unit: d.unit as SkipUnit };
  checkConfiguration(config);
  return config;
}

/** Content hash of a configuration: sha256 (hex) of its stable JSON. */
export function configurationHash(config: Configuration): string {
  return createHash('sha256').update(configurationJson(config)).digest('hex');
}

/** Point id of a configuration: the first 16 hex digits of {@link configurationHash}. */
export function configurationId(config: Configuration): string {
  return configurationHash(config).slice(0, 16);
}
