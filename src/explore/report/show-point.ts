/**
 * One stored point in detail (`sim-dse show <run> --point K`): its
 * configuration, top-1 on the search images and, when re-evaluated, on the
 * full test set, cycles, flash, per-layer skipped weights and cycles, and
 * whether it is on the front.
 */
import { UsageError } from '../../util/errors.js';
import { analyseRun } from '../front/analysis.js';
import { describeConfig } from '../front/front-files.js';
import { EXACT_HASH, type FinalRow, type PointRow, type TimedFirmwareRow, meanCycles, rowPlacement, timedFirmware } from '../store/rows.js';
import { homesOf, layerUnit, LIBRARY_UNIT } from '../../kernels/placement/placement.js';
import type { StoreContents } from '../store/run-store.js';
import { isBuilt } from '../evaluate/latency-types.js';

/** What `show` prints. */
export interface PointDetails {
  readonly point: PointRow;
  readonly full: FinalRow | null;
  readonly onFront: boolean;
  readonly onSeedGridFront: boolean;
  /** 1 - cycles / exact unpacked cycles (null without references). */
  readonly reductionVsUnpacked: number | null;
  readonly reductionVsBaseline: number | null;
  /** The point timed as a whole firmware (the points on the full-test-set front of an emulated run). */
  readonly firmware: TimedFirmwareRow | null;
}

/** Details of row `k` of a store; UsageError when there is no such row. */
export function pointDetails(store: StoreContents, k: number): PointDetails {
  const point = store.points[k];
  if (point === undefined) {
    throw new UsageError(`--point ${k}: ${store.dir} has ${store.points.length} points (0 to ${store.points.length - 1})`);
  }
  const a = analyseRun(store);
  const ref = store.reference;
  return {
    point,
    full: store.finals.find((f) => f.hash === point.hash || (point.skipped === 0 && f.hash === EXACT_HASH)) ?? null,
    onFront: a.front.some((e) => e.row.id === k),
    onSeedGridFront: a.seedGridFront?.some((e) => e.row.id === k) ?? false,
    reductionVsUnpacked: ref && isBuilt(ref.unpackedExact) ? 1 - point.cycles / ref.unpackedExact.cycles : null,
    reductionVsBaseline: ref ? 1 - point.cycles / ref.baseline.cycles : null,
    firmware: timedFirmware(store.firmware, point.hash),
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(2)} %`;

/** Text form of {@link PointDetails}. */
export function formatPointDetails(d: PointDetails): string {
  const p = d.point;
  const lines = [
    `point     ${p.id} (${p.phase}${d.onFront ? ', on the front' : ''}${d.onSeedGridFront ? ', on the seed grid front' : ''})`,
    `hash      ${p.hash}`,
    `config    ${describeConfig(p.config)}`,
    `top-1     ${pct(p.top1)} (${p.correct} / ${p.images} search images)${d.full ? `; ${pct(d.full.top1)} (${d.full.correct} / ${d.full.images}) on the full test set` : ''}`,
    `cycles    ${p.cycles}${d.reductionVsBaseline === null ? '' : ` (${d.reductionVsUnpacked === null ? '' : `${pct(d.reductionVsUnpacked)} less than exact unpacked, `}${pct(d.reductionVsBaseline)} less than the baseline)`}`,
    `flash     ${p.flashBytes} B${p.fits ? '' : ' (does not fit the board)'}`,
    `skipped   ${p.skipped} of ${p.weights} weights`,
    `layer     skipped / weights   cycles${p.layers.some((l) => l.kernels !== undefined) ? '    kernel    code/constants' : ''}`,
  ];
  if (p.placement !== undefined) lines.splice(lines.length - 1, 0, `placement ${p.placement} (library code: ${homesOf(rowPlacement(p), LIBRARY_UNIT).code})`);
  const place = rowPlacement(p);
  for (const l of p.layers) {
    const h = homesOf(place, layerUnit(l.opIndex));
    const kernel = l.kernels === undefined ? '' : ` ${l.kernels.padEnd(9)} ${h.code}/${h.data}`;
    lines.push(`op${String(l.opIndex).padEnd(7)} ${`${l.skipped} / ${l.weights}`.padEnd(19)} ${String(l.cycles).padEnd(kernel ? 9 : 0)}${kernel}`.trimEnd());
  }
  const fw = d.firmware;
  if (fw !== null) {
    const mean = (v: readonly number[]): string => String(Math.round(meanCycles(v)));
    lines.push(`firmware  ${mean(fw.inference)} cycles per inference, mean of ${fw.images} test images; flash ${fw.flashBytes} B (the image sim-dse export writes, emulated)`);
    const width = Math.max(...fw.layers.map((l) => l.name.length));
    for (const l of fw.layers) lines.push(`  ${l.name.padEnd(width)}  ${mean(l.cycles)}`);
  }
  return `${lines.join('\n')}\n`;
}
