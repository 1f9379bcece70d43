/**
 * Fuzzing the firmware log reader and validation: mutants of a real
 * emulated ResNet-8 firmware log (lines deleted, duplicated, swapped, numbers
 * set to limits, words renamed, lines cut; byte flips, truncation, splices)
 * go through readFirmwareRun, the point check, validateRun and the table:
 * each validates or throws a SimDseError. And a log of 150,000 images
 * validates (no spread of per-image arrays into a call).
 *
 * test/fixtures/resnet8-board.log is what `sim-dse emulate-firmware` printed for
 * the fastest ResNet-8 point of test/firmware-end-to-end.test.ts (run e2e, point
 * 1, 2 images, nucleo-f446re); it is committed (an exception in .gitignore).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFirmwareRun } from '../src/firmware/firmware-run.js';
import { type Prediction, checkRunIsPoint, formatValidation, validateRun } from '../src/firmware/validate.js';
import { byteFlips, fuzz, logLines, mutantCount, splice, truncate } from './helpers/fuzz.js';

const LOG = readFileSync(join(import.meta.dirname, 'fixtures', 'resnet8-board.log'));
const real = readFirmwareRun(LOG.toString('latin1'), 'board.log');
const names = real.images[0].layers.map((l) => l.name);
const prediction: Prediction = { board: real.board, cycles: real.images[0].cycles, layers: real.images[0].layers.map((l) => l.cycles), source: 'firmware', images: 2 };

/** What `sim-dse validate --log` does with a log once it has the point's prediction. */
function validateLog(bytes: Uint8Array): void {
  const run = readFirmwareRun(Buffer.from(bytes).toString('latin1'), 'mutant.log');
  checkRunIsPoint(run, real.point, names);
  formatValidation(validateRun(run, prediction));
}

describe('firmware log fuzz: mutated logs validate or fail cleanly', () => {
  it('the real log validates exactly', () => {
    const v = validateRun(real, prediction);
    const [a, b] = real.images.map((m) => m.cycles);
    expect([real.point, real.images.length, names.length, v.total.measured, v.total.min, v.total.max]).toEqual(['e2e/1', 2, 15, (a + b) / 2, Math.min(a, b), Math.max(a, b)]);
    expect(v.total.errorPercent).toBe(((a - (a + b) / 2) / ((a + b) / 2)) * 100);
  });

  it(`${mutantCount(400)} mutants (seed 5)`, () => {
    const counts = fuzz('firmware log', new Uint8Array(LOG), [logLines, logLines, logLines, byteFlips, truncate, splice], 5, mutantCount(400), validateLog);
    expect(counts.crashes).toEqual([]);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.clean).toBeGreaterThan(0);
  });
});

describe('a 150,000-image log', () => {
  it('reads and validates (mean, min and max over every image)', () => {
    const n = 150_000;
    const lines = [`SIMDSE start board nucleo-f446re hz 180000000 clock ok layers 1 images ${n} point r/0`, 'SIMDSE warmup cycles 100'];
    for (let i = 0; i < n; i++) lines.push(`SIMDSE layer image ${i} index 0 name conv_2d#0 cycles ${100 + (i % 3)}`, `SIMDSE image index ${i} label 1 pred ${i % 2} cycles ${110 + (i % 3)}`);
    lines.push(`SIMDSE end images ${n} correct ${n / 2}`);
    const run = readFirmwareRun(lines.join('\r\n'), 'big.log');
    checkRunIsPoint(run, 'r/0', ['conv_2d#0']);
    const v = validateRun(run, { board: 'nucleo-f446re', cycles: 111, layers: [101], source: 'firmware', images: n });
    expect([run.images.length, run.correct, v.total.measured, v.total.min, v.total.max, v.layers[0].min, v.layers[0].max, v.total.errorPercent]).toEqual([n, n / 2, 111, 110, 112, 100, 102, 0]);
  });
});
