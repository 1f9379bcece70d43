/**
 * Which points the whole-firmware phase times: the re-evaluated points on the
 * front of full-test-set top-1 against cycles (the search's and the seed
 * grid's), a too-large firmware leaving that front.
 */
import { describe, expect, it } from 'vitest';
import { firmwareCandidates } from '../src/explore/run/firmware-phase.js';
import type { FinalRow, FirmwareRow, PointRow } from '../src/explore/store/rows.js';

/** A point row with what the front reads; `correct` is on the search images. */
function point(id: number, cycles: number, correct: number, phase: PointRow['phase'] = 'search', fits = true): PointRow {
  return { id, hash: `h${id}`, masksHash: `m${id}`, phase, genome: [], config: {}, skipped: 0, weights: 1, correct, images: 100, top1: correct / 100, cycles, flashBytes: 100, fits, layers: [] };
}
const final = (id: number, correct: number): FinalRow => ({ hash: `h${id}`, correct, images: 1000, top1: correct / 1000 });
const tooLarge = (id: number): FirmwareRow => ({ hash: `h${id}`, kind: 'too-large', board: 'nucleo-f446re', reason: 'region FLASH overflowed' });

// On the search images 1..5 form a front; on the full test set point 3 is below point 2 (dominated) and
// point 4 does not fit; point 6 was never re-evaluated.
const points = [point(0, 1000, 80), point(1, 500, 70), point(2, 600, 74), point(3, 700, 76), point(4, 400, 60, 'search', false), point(5, 800, 79), point(6, 300, 50)];
const finals = [{ hash: 'exact', correct: 800, images: 1000, top1: 0.8 }, final(0, 800), final(5, 790), final(3, 740), final(2, 750), final(1, 700), final(4, 650)];

describe('firmware phase: the points it times', () => {
  it('the full-test-set front of the re-evaluated points that fit, in the order of the final rows', () => {
    const ids = firmwareCandidates({ points, finals, firmware: [], seedGrid: null }).map((r) => r.id);
    // point 3 (700 cycles, 740) is dominated by point 2 (600 cycles, 750); 4 does not fit; 6 has no final row
    expect(ids).toEqual([0, 5, 2, 1]);
  });

  it('a point whose firmware is too large leaves the front and uncovers the one it dominated', () => {
    const ids = firmwareCandidates({ points, finals, firmware: [tooLarge(2)], seedGrid: null }).map((r) => r.id);
    expect(ids).toEqual([0, 5, 3, 1]);
  });

  it("the seed grid's front is its own: a grid point dominated by search points is timed", () => {
    const grid = [...points, point(7, 900, 77, 'seed-grid')];
    const ids = firmwareCandidates({ points: grid, finals: [...finals, final(7, 770)], firmware: [], seedGrid: ['h7', 'h0'] }).map((r) => r.id);
    // 7 (900 cycles, 770) is dominated by 5 (800, 790) among all points, but on the grid's front with 0
    expect(ids).toEqual([0, 5, 2, 1, 7]);
  });
});
