/**
 * The prediction export and validate use for a design point: the DSE's
 * whole-firmware timing when it made one (mean over the first N images of
 * the firmware, every layer), else the sum of layer variants (maskable
 * layers only).
 */
import { describe, expect, test } from 'vitest';
import { type DesignPoint, pointPrediction } from '../src/explore/export/design-point.js';
import type { PointRow, TimedFirmwareRow } from '../src/explore/store/rows.js';
import type { RunConfig } from '../src/explore/store/run-config.js';

const names = ['conv_2d#0', 'max_pool_2d#1', 'fully_connected#2'];
const row = { id: 7, hash: 'h7', cycles: 1500, layers: [{ opIndex: 0, skipped: 1, weights: 9, cycles: 1000 }, { opIndex: 2, skipped: 0, weights: 4, cycles: 300 }] } as unknown as PointRow;
const firmware: TimedFirmwareRow = {
  hash: 'h7',
  kind: 'timed',
  board: 'nucleo-f446re',
  images: 3,
  layers: [
    { name: 'conv_2d#0', cycles: [1010, 1010, 1010] },
    { name: 'max_pool_2d#1', cycles: [200, 200, 200] },
    { name: 'fully_connected#2', cycles: [301, 302, 306] },
  ],
  inference: [1550, 1551, 1555],
  flashBytes: 4096,
};
const point = (fw: TimedFirmwareRow | null): DesignPoint => ({ run: 'r', dir: '/r', config: { board: 'nucleo-f446re' } as RunConfig, row, firmware: fw });

describe('pointPrediction', () => {
  test('whole-firmware timing: every layer, mean over the first N images of the firmware', () => {
    expect(pointPrediction(point(firmware), names, 2)).toEqual({ board: 'nucleo-f446re', cycles: 1550.5, layers: [1010, 200, 301.5], source: 'firmware', images: 2 });
    expect(pointPrediction(point(firmware), names, 1).layers).toEqual([1010, 200, 301]);
    // more images than the DSE timed: the mean over those it timed
    expect(pointPrediction(point(firmware), names, 10)).toMatchObject({ cycles: 1552, layers: [1010, 200, 303], images: 3 });
  });

  test('no timing, or a firmware whose layers differ: the layer variants, maskable layers only', () => {
    const variants = { board: 'nucleo-f446re', cycles: 1500, layers: [1000, null, 300], source: 'variants' };
    expect(pointPrediction(point(null), names, 2)).toEqual(variants);
    expect(pointPrediction(point(firmware), ['conv_2d#0', 'fully_connected#2'], 2)).toEqual({ ...variants, layers: [1000, 300] });
  });
});
