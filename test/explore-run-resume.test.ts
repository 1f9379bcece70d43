import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeRun } from '../src/explore/run/execute.js';
import { planRun, type RunOptions } from '../src/explore/run/plan.js';
import { sharedDir } from '../src/util/paths.js';
import { createMacsLatency } from '../src/explore/evaluate/macs-latency.js';
import type { LatencyProvider } from '../src/explore/evaluate/latency-types.js';
import type { FirmwareTimingOutcome } from '../src/firmware/image-timing.js';
import type { SkipMasks } from '../src/model/ir.js';
import { files } from './helpers/run-files.js';
import { firmwareCandidates } from '../src/explore/run/firmware-phase.js';
import { readStore } from '../src/explore/store/run-store.js';
import type { FirmwareRow } from '../src/explore/store/rows.js';
import { oneLayerGenomes } from '../src/explore/search/sensitivity.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

/** A small NSGA-II run on LeNet (4 layers x 5 fractions = 625 points, 40 evaluated) with the seed grid beside it. */
const base: RunOptions = {
  model: 'lenet', layers: '1,3,5,7', levels: '0,0.1,0.2,0.3,0.4', search: 'nsga2', budget: '40', population: '8', seed: '5',
  images: '40', fullImages: '150', latency: 'macs', id: 'r',
};

describe.skipIf(!have)('run: determinism and resume', () => {
  it('two runs with the same seed give identical stores; another seed does not', async () => {
    const a = await executeRun(planRun({ ...base, out: mkdtempSync(join(tmpdir(), 'dse-a-')) }));
    const b = await executeRun(planRun({ ...base, out: mkdtempSync(join(tmpdir(), 'dse-b-')) }));
    expect([a.kind, b.kind]).toEqual(['complete', 'complete']);
    expect(files(b.dir)).toEqual(files(a.dir));
    const c = await executeRun(planRun({ ...base, seed: '6', out: mkdtempSync(join(tmpdir(), 'dse-c-')) }));
    expect(files(c.dir)['points.jsonl']).not.toBe(files(a.dir)['points.jsonl']);
    // 40 search points + 121 seed-grid points (the exact one shares its masks with the search's exact point)
    const rows = files(a.dir)['points.jsonl'].trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBe(161);
    expect(rows.map((r) => r.id)).toEqual(rows.map((_, i) => i));
    expect(rows.filter((r) => r.phase === 'search').length).toBe(40);
    expect(rows[0].config).toEqual({ metric: 'contribution', settings: [] });
    expect(rows[0].correct).toBe(30); // exact LeNet on the first 40 test images
    // the sensitivity pass: every layer alone at each level, then NSGA-II's first generation opens with composites of
    // what each layer tolerates (budget 0: op1 at 10 %, op5 at 20 %, op7 at 40 %; op3 loses an image at 10 %)
    expect(rows.slice(0, 21).map((r) => r.genome.join(','))).toEqual([...oneLayerGenomes({ levels: [5, 5, 5, 5] }).map((g) => g.join(',')), '1,0,2,4', '2,4,4,4', '1,4,2,4', '1,4,4,4']);
    expect(rows.slice(1, 5).map((r) => r.correct)).toEqual([30, 29, 25, 21]);
    const report = readFileSync(join(a.dir, 'report.md'), 'utf8');
    expect(report).toContain('| 20 % | -2.5 / 3.3 % | 0.0 / 13.1 % | 0.0 / 2.5 % | 0.0 / 0.3 % |');
    // op3 alone at 40 % (the pass's point 8) stays the fastest point losing nothing on the 40 images
    expect(report).toContain('| fastest point without loss (search images) | #8, 6,962,288 cycles: search point 9 of 40 |');
    expect(a.analysis.exactFull).toEqual({ hash: 'exact', correct: 112, images: 150, top1: 112 / 150 });
    expect(a.analysis.complete).toBe(true);
    // a rerun of a finished run evaluates nothing and changes nothing
    const before = files(a.dir);
    const again = await executeRun(planRun({ ...base, out: join(a.dir, '..') }));
    expect([again.kind, again.evaluated]).toEqual(['complete', 0]);
    expect(files(a.dir)).toEqual(before);
  });

  it('a run stopped twice (once in the search, once in the final phase) and resumed ends with the same store', async () => {
    const whole = await executeRun(planRun({ ...base, out: mkdtempSync(join(tmpdir(), 'dse-w-')) }));
    const points = whole.analysis.points.length;
    const out = mkdtempSync(join(tmpdir(), 'dse-s-'));
    const first = await executeRun(planRun({ ...base, out, stopAfter: '7' }));
    expect([first.kind, first.kind === 'stopped' && first.reason, first.evaluated]).toEqual(['stopped', 'limit', 7]);
    expect(readFileSync(join(first.dir, 'points.jsonl'), 'utf8').trim().split('\n').length).toBe(7);
    expect(readFileSync(join(first.dir, 'report.md'), 'utf8')).toContain('**This run is not finished**');
    appendFileSync(join(first.dir, 'points.jsonl'), '{"id":7,"hash":"cut sh'); // a write cut short by a crash
    const second = await executeRun(planRun({ ...base, out, stopAfter: String(points - 7 + 1) }));
    expect(second.kind).toBe('stopped');
    expect(readFileSync(join(second.dir, 'final.jsonl'), 'utf8').trim().split('\n').length).toBe(1);
    const third = await executeRun(planRun({ ...base, out }));
    expect(third.kind).toBe('complete');
    const finals = readFileSync(join(whole.dir, 'final.jsonl'), 'utf8').trim().split('\n').length;
    expect(third.evaluated).toBe(finals - 1); // only the full-test-set results not stored yet
    expect(files(third.dir)).toEqual(files(whole.dir));
  });

  it('the whole-firmware phase times the full-test-set front once, the points a too-large firmware uncovers in turn, and resumes where it stopped', async () => {
    const timed: number[] = [];
    /** The macs provider with a firmware timing that is a function of the masks (skipped weights per layer). */
    const latency = (plan: ReturnType<typeof planRun>): LatencyProvider => ({
      ...createMacsLatency(plan.model.graph, plan.board),
      async firmware(masks: SkipMasks): Promise<FirmwareTimingOutcome> {
        const skipped = [...masks.values()].map((m) => m.reduce((s, b) => s + b, 0));
        const total = skipped.reduce((s, v) => s + v, 0);
        timed.push(total);
        const timing = { board: plan.board.id, images: 2, layers: skipped.map((n, k) => ({ name: `layer#${k}`, cycles: [n, n + 1] })), inference: [1, 2], flashBytes: 0 };
        return total % 2 === 0 ? { kind: 'too-large', reason: 'region FLASH overflowed' } : { kind: 'timed', timing };
      },
    });
    // on the 2 MB nucleo-l4r5zi, where unpacked LeNet fits (on nucleo-f446re's 512 KB no point does: no firmware phase)
    const opts = { ...base, budget: '16', seedGrid: false, board: 'nucleo-l4r5zi' };
    const wholePlan = planRun({ ...opts, out: mkdtempSync(join(tmpdir(), 'dse-fw-w-')) });
    const whole = await executeRun(wholePlan, { latency: latency(wholePlan) });
    expect(whole.kind).toBe('complete');
    const finals = readFileSync(join(whole.dir, 'final.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).hash as string);
    const firmware = readFileSync(join(whole.dir, 'firmware.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { hash: string; kind: string });
    // round by round: the untimed points on the full-test-set front (macs on nucleo-l4r5zi: every point fits) in the
    // order of final.jsonl, then those that the too-large firmware of the round before uncovered
    const store = readStore(whole.dir);
    const rounds: string[][] = [];
    for (let known: FirmwareRow[] = []; ; known = store.firmware.slice(0, rounds.flat().length)) {
      const next = firmwareCandidates({ ...store, firmware: known }).filter((r) => !known.some((f) => f.hash === r.hash));
      if (next.length === 0) break;
      rounds.push(next.map((r) => r.hash));
    }
    expect(firmware.map((f) => f.hash)).toEqual(rounds.flat());
    expect(rounds.length).toBeGreaterThan(1);
    expect(firmware.length).toBe(timed.length);
    expect(firmware.length).toBeGreaterThan(2);
    // a point whose firmware does not fit is stored as such (here: an even number of skipped weights), not retried on resume
    const skippedOf = new Map(whole.analysis.points.map((p) => [p.hash, p.skipped]));
    expect(firmware.map((f) => f.kind)).toEqual(firmware.map((f) => (skippedOf.get(f.hash)! % 2 === 0 ? 'too-large' : 'timed')));
    expect(new Set(firmware.map((f) => f.kind)).size).toBe(2);

    const out = mkdtempSync(join(tmpdir(), 'dse-fw-s-'));
    const stopAt = 16 + finals.length + 1; // the search, the full-test-set rows, one firmware row
    const firstPlan = planRun({ ...opts, out, stopAfter: String(stopAt) });
    const first = await executeRun(firstPlan, { latency: latency(firstPlan) });
    expect(first.kind).toBe('stopped');
    expect(readFileSync(join(first.dir, 'firmware.jsonl'), 'utf8').trim().split('\n').length).toBe(1);
    timed.length = 0;
    const restPlan = planRun({ ...opts, out });
    const rest = await executeRun(restPlan, { latency: latency(restPlan) });
    expect([rest.kind, rest.evaluated, timed.length]).toEqual(['complete', firmware.length - 1, firmware.length - 1]);
    expect(files(rest.dir)).toEqual(files(whole.dir));
  });
});
