/**
 * Significance values of a model: one Float32 per operand (weight) of every
 * maskable layer, in the layer's skip-mask order (see ./layout.ts).
 */
import type { LayerKind, LayerLayout } from './layout.js';
import type { SignificanceMetric } from './metric.js';

/** Significance of the operands of one maskable layer. */
export interface LayerSignificance extends LayerLayout {
  /** Operator index in the graph (the skip-mask key). */
  readonly opIndex: number;
  readonly kind: LayerKind;
  /** Output channels. */
  readonly channels: number;
  /** Operands per output channel. */
  readonly reduction: number;
  /** Input channels per tap (the reduction length for FC); defines the SMLAD pairs. */
  readonly inputChannels: number;
  /**
   * One value per weight, in storage (mask) order: for contribution, seed and magnitude each channel's values sum
   * to 1 (or are all 0); for obs they are output-error rises comparable across the layer (see ./metric.ts).
   */
  readonly values: Float32Array;
  /** The layer's int8 weights in the same order (zero weights cost nothing and are never masked). */
  readonly weights: Int8Array;
}

/** Significance of every maskable layer of a model under one metric. */
export interface ModelSignificance {
  /** Graph name. */
  readonly model: string;
  readonly metric: SignificanceMetric;
  /** Calibration images used (0 for `magnitude`). */
  readonly calibration: number;
  /** Cache key: hash of the graph, metric and calibration inputs (hex). */
  readonly key: string;
  /** Maskable layers in operator order. */
  readonly layers: readonly LayerSignificance[];
}

/** The layer of operator `opIndex`, or undefined. */
export function layerSignificance(sig: ModelSignificance, opIndex: number): LayerSignificance | undefined {
  return sig.layers.find((l) => l.opIndex === opIndex);
}
