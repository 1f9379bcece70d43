/**
 * Validation of cycle predictions against a firmware's measurements: per
 * layer and for the whole inference, the predicted cycles beside the
 * measured ones (mean over the run's images, with min and max) and the
 * prediction's error, (predicted - measured) / measured in percent.
 */
import { SimDseError } from '../util/errors.js';
import type { FirmwareRun } from './firmware-run.js';

/**
 * Where a prediction comes from: the point's whole firmware timed in the
 * emulator by the DSE (`firmware`: per image, so exact for the same test
 * images), or the sum of its layer variants each timed alone (`variants`:
 * maskable layers only).
 */
export type PredictionSource = 'firmware' | 'variants';

/** Predicted cycles of one firmware: the whole inference and each layer (null: no prediction for that layer). */
export interface Prediction {
  readonly board: string;
  readonly cycles: number;
  readonly layers: readonly (number | null)[];
  /** Default `variants` (predictions recorded before sources were named). */
  readonly source?: PredictionSource;
  /** With `firmware`: the first N test images the figures are the mean over. */
  readonly images?: number;
}

/** Predicted against measured cycles of one layer or of the whole inference. */
export interface CycleComparison {
  readonly predicted: number | null;
  /** Mean over the images. */
  readonly measured: number;
  readonly min: number;
  readonly max: number;
  /** (predicted - measured) / measured * 100; null without a prediction or a measurement. */
  readonly errorPercent: number | null;
}

/** One layer's comparison. */
export interface LayerComparison extends CycleComparison {
  readonly index: number;
  readonly name: string;
}

/** The validation of one run. */
export interface Validation {
  readonly board: string;
  readonly source: PredictionSource;
  /** Images the prediction is the mean over (firmware source), null otherwise. */
  readonly predictedImages: number | null;
  readonly coreHz: number;
  readonly clock: string;
  readonly images: number;
  readonly correct: number;
  readonly layers: readonly LayerComparison[];
  readonly total: CycleComparison;
}

function compare(predicted: number | null, measured: readonly number[]): CycleComparison {
  // no spread into Math.min/max: a log may hold 100,000s of images
  const mean = measured.reduce((s, v) => s + v, 0) / measured.length;
  const errorPercent = predicted === null || mean === 0 ? null : ((predicted - mean) / mean) * 100;
  return { predicted, measured: mean, min: measured.reduce((m, v) => Math.min(m, v), Infinity), max: measured.reduce((m, v) => Math.max(m, v), -Infinity), errorPercent };
}

/**
 * Checks that a measured run is the firmware of the design point it is
 * validated against: the point its start line names (`<run id>/<point>`) and
 * the layer list of that point's network, so that a log of another point or
 * model is refused instead of compared.
 * @throws SimDseError (`validate`) naming what differs
 */
export function checkRunIsPoint(run: FirmwareRun, point: string, layerNames: readonly string[]): void {
  if (run.point === '-') {
    throw new SimDseError('validate', `the log names no design point (a firmware not exported from a run, e.g. by sim-dse build); export point ${point} and run that`);
  }
  if (run.point !== point) throw new SimDseError('validate', `the log is of point ${run.point}, not ${point}`);
  const logged = run.images[0]?.layers.map((l) => l.name) ?? [];
  if (logged.length !== layerNames.length || logged.some((n, k) => n !== layerNames[k])) {
    const list = (names: readonly string[]) => `${names.length} layers${names.length ? `: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}` : ''}`;
    throw new SimDseError('validate', `the log has ${list(logged)}; point ${point}'s network has ${list(layerNames)}`);
  }
}

/**
 * Compares a run with a prediction.
 * @throws SimDseError (`validate`) when the run is from another board or has another number of layers
 */
export function validateRun(run: FirmwareRun, prediction: Prediction): Validation {
  if (run.board !== prediction.board) {
    throw new SimDseError('validate', `the log was printed by ${run.board}, but the prediction is for ${prediction.board}`);
  }
  if (run.layerCount !== prediction.layers.length) {
    throw new SimDseError('validate', `the log has ${run.layerCount} layers, the predicted network ${prediction.layers.length}`);
  }
  const layers = prediction.layers.map((p, k) => ({
    index: k,
    name: run.images[0].layers[k].name,
    ...compare(p, run.images.map((m) => m.layers[k].cycles)),
  }));
  return {
    board: run.board,
    source: prediction.source ?? 'variants',
    predictedImages: prediction.images ?? null,
    coreHz: run.coreHz,
    clock: run.clock,
    images: run.images.length,
    correct: run.correct,
    layers,
    total: compare(prediction.cycles, run.images.map((m) => m.cycles)),
  };
}

const num = (v: number | null): string => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(1));
const pct = (v: number | null): string => (v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(2)}%`);

/** The validation as a text table. */
export function formatValidation(v: Validation): string {
  const rows = [
    ['layer', 'name', 'predicted', 'measured', 'min', 'max', 'error'],
    ...v.layers.map((l) => [String(l.index), l.name, num(l.predicted), num(l.measured), num(l.min), num(l.max), pct(l.errorPercent)]),
    ['total', 'inference', num(v.total.predicted), num(v.total.measured), num(v.total.min), num(v.total.max), pct(v.total.errorPercent)],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [
    `${v.board} at ${v.coreHz / 1e6} MHz (clock ${v.clock}), ${v.images} images, ${v.correct} correct`,
    `cycles: predicted vs measured (mean over images); error = (predicted - measured) / measured`,
    v.source === 'firmware'
      ? `predicted: this firmware emulated by the DSE, mean over the first ${v.predictedImages} test images`
      : 'predicted: the sum of layer variants timed alone (maskable layers only; the point was not timed as a whole firmware)',
    ...rows.map(line),
  ].join('\n');
}
