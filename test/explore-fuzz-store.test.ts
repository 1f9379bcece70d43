/**
 * Fuzzing the run store: mutants of a real LeNet run's rows (fields changed,
 * deleted or retyped, rows duplicated, swapped, dropped or cut short; byte
 * flips) in points.jsonl, final.jsonl, firmware.jsonl, config.json and
 * reference.json are
 * read with readStore, analysed and rendered as `report` (front files, plots,
 * report.md) and `show --point` do, in memory: each is read or refused with a
 * SimDseError naming the file.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseRun } from '../src/explore/front/analysis.js';
import { frontCsv, frontJson } from '../src/explore/front/front-files.js';
import { accuracyPlot } from '../src/explore/report/plots.js';
import { renderReport } from '../src/explore/report/report-md.js';
import { formatPointDetails, pointDetails } from '../src/explore/report/show-point.js';
import { readStore } from '../src/explore/store/run-store.js';
import { byteFlips, fuzz, jsonRows, mutantCount, truncate } from './helpers/fuzz.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'store-lenet');
/** What `sim-dse report` and `show --point <last>` do with a store, without writing files. */
function readAndReport(dir: string): void {
  const store = readStore(dir);
  const a = analyseRun(store);
  frontCsv(a);
  frontJson(a);
  accuracyPlot(a, 'cycles');
  accuracyPlot(a, 'flashBytes');
  renderReport(a, 'fuzz', { cycles: 'c.svg', flash: 'f.svg' });
  if (store.points.length > 0) formatPointDetails(pointDetails(store, store.points.length - 1));
}

const tmp = mkdtempSync(join(tmpdir(), 'sim-dse-fuzz-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('store fuzz: mutated rows are read or refused cleanly', () => {
  it('the real store reads', () => {
    const s = readStore(FIXTURE);
    expect([s.points.length, s.finals.length, s.firmware.length]).toEqual([21, 7, 6]);
    expect(analyseRun(s).front.length).toBeGreaterThan(0);
    readAndReport(FIXTURE);
  });

  const files = [['points.jsonl', 6], ['final.jsonl', 7], ['firmware.jsonl', 8], ['config.json', 9], ['reference.json', 10]] as const;
  for (const [file, seed] of files) {
    it(`${file}: ${mutantCount(80, 5)} mutants (seed ${seed})`, () => {
      const dir = join(tmp, file);
      cpSync(FIXTURE, dir, { recursive: true });
      const input = new Uint8Array(readFileSync(join(FIXTURE, file)));
      const counts = fuzz(`store ${file}`, input, [jsonRows, jsonRows, jsonRows, byteFlips, truncate], seed, mutantCount(80, 5), (m) => {
        writeFileSync(join(dir, file), m);
        readAndReport(dir);
      });
      expect(counts.crashes).toEqual([]);
      expect(counts.ok).toBeGreaterThan(0);
      expect(counts.clean).toBeGreaterThan(0);
    });
  }
});
