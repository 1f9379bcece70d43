/**
 * Turns a configuration into skip masks (src/model/ir.ts layout: one byte per
 * weight in storage order, 1 = skipped). Pure and deterministic.
 *
 * Zero weights produce no code whatever the mask says, so they are never
 * marked: a mask marks only non-zero weights, and a layer that skips nothing
 * has no mask. Operands are skipped in units:
 *  - `contribution` and `magnitude`: each non-zero weight is a unit, unless
 *    the configuration's `unit` is `pair` (then as `seed`);
 *  - `seed` and `obs`: each SMLAD pair of a channel (see pairPartner in
 *    ../significance/layout.ts: input channels 2p, 2p + 1 of one tap) is a
 *    unit, skipped only when all its non-zero weights are below the
 *    threshold (a zero weight counts as below); unpaired operands are units.
 *  - unit `sparse` (any metric; depthwise layers keep the above): the
 *    sparse kernel's units, two output channels x two input channels of one
 *    tap (src/kernels/sparse/units.ts), so that every skipped unit is a unit
 *    the kernel leaves out.
 * A unit's key is the largest significance among its non-zero weights.
 * Threshold t skips every unit with key < t. Fraction f skips units in
 * ascending (key, first storage index) order until round(f * non-zero
 * weights) weights are skipped (a seed pair may overshoot by one weight).
 */
import type { SkipMask, SkipMasks } from '../../model/ir.js';
import { operandIndex, pairPartner } from '../significance/layout.js';
import { metricPairs, type SignificanceMetric } from '../significance/metric.js';
import { layerSignificance, type LayerSignificance, type ModelSignificance } from '../significance/types.js';
import { UsageError } from '../../util/errors.js';
import { unitOf } from '../../kernels/sparse/units.js';
import { checkConfiguration, type Configuration, type LayerSetting, type SkipUnit } from './config.js';

/** Skip units of a layer: storage indices of non-zero weights grouped, with a key each, sorted by (key, first index). */
interface Units {
  /** Start of unit u's members in `members` (length units + 1). */
  readonly start: Int32Array;
  readonly members: Int32Array;
  readonly key: Float32Array;
  /** Unit indices in ascending (key, first member) order. */
  readonly order: Int32Array;
  readonly nonZero: number;
}

const unitCache = new WeakMap<LayerSignificance, Map<string, Units>>();

/** Sorts units by (key, first member). */
function finishUnits(start: number[], members: number[], key: number[]): Units {
  const keys = Float32Array.from(key);
  const st = Int32Array.from(start);
  const mem = Int32Array.from(members);
  const order = Int32Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b] || mem[st[a]] - mem[st[b]]);
  return { start: st, members: mem, key: keys, order, nonZero: mem.length };
}

/** The sparse kernel's units of a CONV_2D / FULLY_CONNECTED layer (members in storage order). */
function buildSparseUnits(layer: LayerSignificance): Units {
  const { values, weights, channels, reduction } = layer;
  const byUnit = new Map<number, number[]>();
  for (let o = 0; o < channels; o++) {
    for (let k = 0; k < reduction; k++) {
      const i = operandIndex(layer, o, k);
      if (weights[i] === 0) continue;
      const u = unitOf(layer, o, k);
      const list = byUnit.get(u);
      if (list === undefined) byUnit.set(u, [i]);
      else list.push(i);
    }
  }
  const start: number[] = [0];
  const members: number[] = [];
  const key: number[] = [];
  for (const u of [...byUnit.keys()].sort((a, b) => a - b)) {
    const list = byUnit.get(u)!.sort((a, b) => a - b);
    members.push(...list);
    key.push(Math.max(...list.map((i) => values[i])));
    start.push(members.length);
  }
  return finishUnits(start, members, key);
}

function buildUnits(layer: LayerSignificance, paired: boolean): Units {
  const { values, weights, channels, reduction } = layer;
  const start: number[] = [0];
  const members: number[] = [];
  const key: number[] = [];
  for (let o = 0; o < channels; o++) {
    for (let k = 0; k < reduction; k++) {
      const partner = paired ? pairPartner(layer, k) : -1;
      if (partner >= 0 && partner < k) continue; // the pair was taken at its first operand
      let best = -1;
      for (const r of partner >= 0 ? [k, partner] : [k]) {
        const i = operandIndex(layer, o, r);
        if (weights[i] === 0) continue;
        members.push(i);
        if (values[i] > best) best = values[i];
      }
      if (best < 0) continue;
      key.push(best);
      start.push(members.length);
    }
  }
  return finishUnits(start, members, key);
}

function unitsOf(layer: LayerSignificance, metric: SignificanceMetric, unit: SkipUnit): Units {
  let byKey = unitCache.get(layer);
  if (byKey === undefined) unitCache.set(layer, (byKey = new Map()));
  // The sparse kernel's 2 x 2 units exist for CONV_2D and FULLY_CONNECTED; depthwise layers keep the metric's.
  const sparse = unit === 'sparse' && layer.kind !== 'depthwise';
  const paired = metricPairs(metric) || unit === 'pair';
  const key = sparse ? 'sparse' : `${metric}:${paired}`;
  let units = byKey.get(key);
  if (units === undefined) byKey.set(key, (units = sparse ? buildSparseUnits(layer) : buildUnits(layer, paired)));
  return units;
}

/** Masks already made, per units and setting (a search asks for the same few levels of each layer again and again). */
const maskCache = new WeakMap<Units, Map<string, SkipMask | null>>();
/** At most this many masks kept per layer and unit. */
const MASKS_KEPT = 256;

/**
 * The mask one setting gives a layer (skip unit `unit`, default weight), or null when it skips nothing.
 * The same setting returns the same mask object: read it, never write it.
 */
export function layerMask(layer: LayerSignificance, metric: SignificanceMetric, setting: LayerSetting, unit: SkipUnit = 'weight'): SkipMask | null {
  const u = unitsOf(layer, metric, unit);
  let made = maskCache.get(u);
  if (made === undefined) maskCache.set(u, (made = new Map()));
  const key = `${setting.kind}:${setting.value}`;
  if (made.has(key)) return made.get(key)!;
  const mask = buildMask(u, layer, setting);
  if (made.size >= MASKS_KEPT) made.clear(); // a long list of levels keeps memory bounded
  made.set(key, mask);
  return mask;
}

function buildMask(u: Units, layer: LayerSignificance, setting: LayerSetting): SkipMask | null {
  const mask = new Uint8Array(layer.weights.length);
  let skipped = 0;
  const skipUnit = (unit: number): void => {
    for (let m = u.start[unit]; m < u.start[unit + 1]; m++) mask[u.members[m]] = 1;
    skipped += u.start[unit + 1] - u.start[unit];
  };
  if (setting.kind === 'threshold') {
    for (let unit = 0; unit < u.key.length; unit++) if (u.key[unit] < setting.value) skipUnit(unit);
  } else {
    const target = Math.round(setting.value * u.nonZero);
    for (let j = 0; j < u.order.length && skipped < target; j++) skipUnit(u.order[j]);
  }
  return skipped === 0 ? null : mask;
}

/**
 * Skip masks of a configuration. Throws UsageError when the configuration is
 * invalid, names a layer the significance does not cover (not a maskable
 * layer of the model), or uses another metric than the significance.
 */
export function masksFor(config: Configuration, significance: ModelSignificance): SkipMasks {
  checkConfiguration(config);
  if (config.metric !== significance.metric) {
    throw new UsageError(`the configuration uses significance metric ${config.metric}, but the significance given is ${significance.metric}`);
  }
  const masks = new Map<number, SkipMask>();
  for (const s of [...config.settings].sort((a, b) => a.opIndex - b.opIndex)) {
    const layer = layerSignificance(significance, s.opIndex);
    if (layer === undefined) {
      throw new UsageError(`unknown layer ${s.opIndex}: ${significance.model} has maskable layers ${significance.layers.map((l) => l.opIndex).join(', ')}`);
    }
    const mask = layerMask(layer, config.metric, s, config.unit);
    if (mask !== null) masks.set(s.opIndex, mask);
  }
  return masks;
}
