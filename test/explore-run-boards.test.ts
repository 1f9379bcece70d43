import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardProfile } from '../src/emulator/board.js';
import { paretoFront } from '../src/explore/front/pareto.js';
import { createInlinePool } from '../src/explore/pool/accuracy-pool.js';
import type { AccuracySpec } from '../src/explore/pool/accuracy-bench.js';
import { executeRun, type RunHooks } from '../src/explore/run/execute.js';
import { planRun, type RunOptions, type RunPlan } from '../src/explore/run/plan.js';
import { readStore } from '../src/explore/store/run-store.js';
import { EXACT_MASKS_HASH } from '../src/explore/store/masks-hash.js';
import { sharedDir } from '../src/util/paths.js';
import { boardLatency, boardLayerFactor, countingPool, treeFiles } from './helpers/board-runs.js';
import { builtCli, cli } from './helpers/cli.js';
import { files } from './helpers/run-files.js';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

const BOARDS = ['nucleo-f446re', 'nucleo-l4r5zi'];

/** A small NSGA-II run on LeNet (4 layers x 5 fractions, 40 evaluated) with the seed grid beside it, on two boards. */
const base: RunOptions = {
  model: 'lenet', board: BOARDS.join(','), layers: '1,3,5,7', levels: '0,0.1,0.2,0.3,0.4', search: 'nsga2', budget: '40', population: '8', seed: '5',
  images: '40', fullImages: '150', latency: 'macs', id: 'r', threads: '1',
};

/** Hooks giving each board its scaled analytic latency (see boardLatency) and, with `counts`, an inline pool counting its evaluations. */
function hooks(plan: RunPlan, counts?: { search: number; full: number }): RunHooks {
  const index = (board: BoardProfile) => plan.boards.findIndex((b) => b.board.id === board.id);
  return {
    latency: (board) => boardLatency(plan.model.graph, board, index(board)),
    ...(counts && { createPool: (spec: AccuracySpec) => countingPool(createInlinePool(spec), counts) }),
  };
}

async function runIn(out: string, extra: Partial<RunOptions> = {}, counts?: { search: number; full: number }) {
  const plan = planRun({ ...base, ...extra, out });
  return executeRun(plan, hooks(plan, counts));
}

const rowsOf = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe.skipIf(!have)('run on several boards', () => {
  it('evaluates each configuration once for top-1, times it on every board, and keeps one front per board', async () => {
    const counts = { search: 0, full: 0 };
    const run = await runIn(mkdtempSync(join(tmpdir(), 'dse-boards-')), {}, counts);
    expect(run.kind).toBe('complete');
    expect(JSON.parse(readFileSync(join(run.dir, 'boards.json'), 'utf8')).boards).toEqual(BOARDS);
    const [a, b] = BOARDS.map((board) => readStore(join(run.dir, board)));
    expect([a.config.board, b.config.board, a.config.boards, b.config.boards]).toEqual([...BOARDS, BOARDS, BOARDS]);
    // the same configurations under the same ids and the same top-1; cycles of each board
    expect(b.points.map((p) => [p.id, p.hash, p.correct])).toEqual(a.points.map((p) => [p.id, p.hash, p.correct]));
    expect(a.points.length).toBe(161);
    const cycles = (p: (typeof a.points)[number]) => p.layers.reduce((s, l, k) => s + l.cycles / boardLayerFactor(1, k), 0);
    expect(b.points.map(cycles)).toEqual(a.points.map((p) => p.cycles));
    // top-1 once per distinct masks, whatever the number of boards (plus the exact reference)
    expect(counts.search).toBe(1 + new Set(a.points.map((p) => p.masksHash)).size);
    const masksOf = (s: typeof a, hash: string) => (hash === 'exact' ? EXACT_MASKS_HASH : s.points.find((p) => p.hash === hash)!.masksHash);
    const finalMasks = [a, b].map((s) => new Set(s.finals.map((f) => masksOf(s, f.hash))));
    expect(counts.full).toBe(new Set([...finalMasks[0], ...finalMasks[1]]).size);
    expect(counts.full).toBeLessThan(finalMasks[0].size + finalMasks[1].size); // the fronts share some points
    // one front per board, from its own cycles, and they differ
    const fronts = [a, b].map((s) => (JSON.parse(readFileSync(join(s.dir, 'front.json'), 'utf8')) as { front: { id: number }[] }).front.map((p) => p.id));
    for (const [k, s] of [a, b].entries()) {
      const expected = paretoFront(s.points.filter((p) => p.phase === 'search')).map((p) => p.id);
      expect([...fronts[k]].sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
    }
    expect(fronts[1]).not.toEqual(fronts[0]);
    // the comparison report names both boards and links their reports
    const report = readFileSync(join(run.dir, 'report.md'), 'utf8');
    for (const board of BOARDS) expect(report).toContain(`[${board}](${board}/report.md)`);
    expect(readFileSync(join(run.dir, 'fronts-vs-baseline.svg'), 'utf8')).toContain('nucleo-l4r5zi front');
    expect(run.boards.map((x) => x.board)).toEqual(BOARDS);
  });

  it('a grid over two boards stores, per board, what a run on that board alone stores', async () => {
    const grid = { layers: '3,5', levels: '0,0.2,0.4', search: 'grid', seedGrid: false } as const;
    const both = await runIn(mkdtempSync(join(tmpdir(), 'dse-bg-')), grid);
    // with one board the scaled provider is board 0's, so compare the first board with its own single run
    const alone = await runIn(mkdtempSync(join(tmpdir(), 'dse-b1-')), { ...grid, board: BOARDS[0] });
    const sub = files(join(both.dir, BOARDS[0]));
    const single = files(alone.dir);
    const same = (f: Record<string, string>) => Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'config.json' && k !== 'report.md'));
    expect(same(sub)).toEqual(same(single));
    expect(JSON.parse(sub['config.json'])).toEqual({ ...JSON.parse(single['config.json']), boards: BOARDS });
  });

  it('stores the same bytes at 1 and 2 threads, and after being stopped twice and resumed', async () => {
    const one = await executeRun(planRun({ ...base, threads: '1', out: mkdtempSync(join(tmpdir(), 'dse-bt1-')) }), {});
    const two = await executeRun(planRun({ ...base, threads: '2', out: mkdtempSync(join(tmpdir(), 'dse-bt2-')) }), {});
    expect([one.kind, two.kind]).toEqual(['complete', 'complete']);
    expect(treeFiles(two.dir)).toEqual(treeFiles(one.dir));

    const whole = await runIn(mkdtempSync(join(tmpdir(), 'dse-bw-')));
    const out = mkdtempSync(join(tmpdir(), 'dse-bs-'));
    // 7 rows: the first board holds 4 points, the second 3 (stopped between the boards' rows)
    const first = await runIn(out, { stopAfter: '7' });
    expect(first.kind).toBe('stopped');
    expect(BOARDS.map((b) => rowsOf(join(first.dir, b), 'points.jsonl').length)).toEqual([4, 3]);
    const rows = BOARDS.map((b) => rowsOf(join(whole.dir, b), 'points.jsonl').length).reduce((s, n) => s + n, 0);
    const second = await runIn(out, { stopAfter: String(rows - 7 + 3) }); // into the final phase
    expect(second.kind).toBe('stopped');
    const third = await runIn(out);
    expect(third.kind).toBe('complete');
    expect(treeFiles(third.dir)).toEqual(treeFiles(whole.dir));
  });

  it('refuses an unknown board in the list with one line, touching no store', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dse-bad-'));
    const r = await cli(['run', '--model', 'lenet', '--board', 'nucleo-f446re,nucleo-x9', '--latency', 'macs', '--out', out, '--id', 'r']);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toEqual([expect.stringContaining("unknown board 'nucleo-x9'")]);
    expect(existsSync(join(out, 'r'))).toBe(false);
    // an existing two-board run is left as it was
    const run = await runIn(out, { budget: '8', population: '4', seedGrid: false });
    const before = treeFiles(run.dir);
    const again = builtCli('run', '--model', 'lenet', '--board', 'nucleo-f446re,nope', '--latency', 'macs', '--out', out, '--id', 'r');
    expect([again.code, again.stderr.trim().split('\n').length]).toEqual([1, 1]);
    expect(treeFiles(run.dir)).toEqual(before);
    // show needs --board on a run of several boards, and knows its boards
    expect((await cli(['show', run.dir, '--point', '0'])).err).toContain('choose one with --board');
    expect((await cli(['show', run.dir, '--point', '0', '--board', 'ideal'])).err).toContain('has no board ideal');
    const shown = await cli(['show', run.dir, '--point', '0', '--board', BOARDS[1], '--json']);
    expect([shown.code, JSON.parse(shown.out).point.cycles]).toEqual([0, rowsOf(join(run.dir, BOARDS[1]), 'points.jsonl')[0].cycles]);
  });
});

describe.skipIf(!have || compilerVersion() === null)('a real run on two boards (emulated latency)', () => {
  it('shares top-1, times each board, and stores per board what a run on that board alone stores', async () => {
    // two configurations of conv#3, exact and 30 % skipped; references, CMSIS-NN, final and firmware phases as the main job runs them
    const small: RunOptions = { model: 'lenet', layers: '3', levels: '0,0.3', search: 'grid', images: '20', fullImages: '40', seedGrid: false, threads: '2', id: 'r' };
    const both = await executeRun(planRun({ ...small, board: BOARDS.join(','), out: mkdtempSync(join(tmpdir(), 'dse-real2-')) }));
    expect(both.kind).toBe('complete');
    const [a, b] = BOARDS.map((board) => readStore(join(both.dir, board)));
    expect(b.points.map((p) => [p.hash, p.correct])).toEqual(a.points.map((p) => [p.hash, p.correct]));
    expect(a.points.length).toBe(2);
    // the L4R5 at 120 MHz with its wait states takes other cycles than the F446 for the same kernels
    expect(b.points.map((p) => p.cycles)).not.toEqual(a.points.map((p) => p.cycles));
    expect(b.reference!.baseline.cycles).not.toBe(a.reference!.baseline.cycles);
    // each board's full-test-set front timed as its own firmware
    expect([a, b].map((s) => [...new Set(s.firmware.map((f) => f.board))])).toEqual(BOARDS.map((id) => [id]));
    // each sub-store is what a run on that board alone stores (the grid does not depend on the boards)
    const alone = await executeRun(planRun({ ...small, board: BOARDS[1], out: mkdtempSync(join(tmpdir(), 'dse-real1-')) }));
    const same = (f: Record<string, string>) => Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'config.json' && k !== 'report.md'));
    expect(same(files(join(both.dir, BOARDS[1])))).toEqual(same(files(alone.dir)));
  });
});
