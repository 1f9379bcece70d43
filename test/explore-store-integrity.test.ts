import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockRunDir } from '../src/explore/store/run-lock.js';
import { checkFinalRows, checkFirmwareRows, checkPointRows, referenceProblem } from '../src/explore/store/row-checks.js';
import { UsageError } from '../src/util/errors.js';
import { sharedDir } from '../src/util/paths.js';
import { builtCli } from './helpers/cli.js';
import { files } from './helpers/run-files.js';

const shared = sharedDir();
const have = !!shared && existsSync(join(shared, 'models', 'lenet-cifar10-int8.tflite')) && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

/** A small LeNet run: 3 x 3 grid of two conv layers, tiny image sets, analytic latency. */
const tiny = ['--model', 'lenet', '--layers', '3,5', '--levels', '0,0.2,0.4', '--images', '30', '--full-images', '60', '--latency', 'macs', '--no-seed-grid', '--threads', '1'];

/** A well-formed point row with two layers. */
const point = (id: number, hash: string) => ({
  id, hash, masksHash: `m${hash}`, phase: 'search', genome: [0, 1], config: {}, skipped: 3, weights: 30, correct: 7, images: 10, top1: 0.7,
  cycles: 500, flashBytes: 1000, fits: true,
  layers: [{ opIndex: 1, skipped: 1, weights: 10, cycles: 100 }, { opIndex: 3, skipped: 2, weights: 20, cycles: 200 }],
});

describe('a stored reference.json is checked', () => {
  const good = { latency: 'emulated nucleo-f446re', baseline: { cycles: 1200, flashBytes: 100 }, unpackedExact: { cycles: 1000, flashBytes: 500 }, exactSearch: { correct: 8, images: 10, top1: 0.8 } };
  it('accepts a measured or a never-built exact unpacked reference, and names what is wrong otherwise', () => {
    expect(referenceProblem(good)).toBeNull();
    expect(referenceProblem({ ...good, unpackedExact: { built: false, flashEstimate: 700_982 } })).toBeNull();
    expect(referenceProblem({ ...good, unpackedExact: { built: false } })).toBe('unpackedExact.flashEstimate is missing, not a count');
    expect(referenceProblem({ ...good, unpackedExact: { cycles: 1000 } })).toBe('unpackedExact.flashBytes is missing, not a count');
    expect(referenceProblem({ ...good, baseline: { built: false, flashEstimate: 5 } })).toBe('baseline.cycles is missing, not a count');
  });
});

describe('stored rows are checked before they are trusted', () => {
  it('accepts well-formed rows', () => {
    expect(() => checkPointRows('points.jsonl', [point(0, 'a'), point(1, 'b')])).not.toThrow();
    expect(() => checkFinalRows('final.jsonl', [{ hash: 'exact', correct: 3, images: 4, top1: 0.75 }])).not.toThrow();
    expect(() => checkFirmwareRows('firmware.jsonl', [{ hash: 'a', kind: 'too-large', board: 'x', reason: 'r' }])).not.toThrow();
  });

  const corrupt = ' is corrupt (restore it or start another --id)';
  it.each([
    ['a null row', [null], 'points.jsonl line 1: not an object; the store' + corrupt],
    ['an empty row', [{}], 'points.jsonl line 1: hash or masksHash missing; the store' + corrupt],
    ['ids out of order', [point(0, 'a'), point(0, 'b')], 'points.jsonl line 2: id 0 where 1 was expected; the store' + corrupt],
    ['a duplicated row', [point(0, 'a'), { ...point(1, 'a') }], 'points.jsonl line 2: hash a is already stored on line 1; the store' + corrupt],
    ['cycles edited to 1', [{ ...point(0, 'a'), cycles: 1 }], "points.jsonl line 1: cycles 1 are fewer than its layers' 300; the store" + corrupt],
    ['top1 edited', [{ ...point(0, 'a'), top1: 0.9 }], 'points.jsonl line 1: top1 0.9 is not correct/images (7/10); the store' + corrupt],
    ['skipped edited', [{ ...point(0, 'a'), skipped: 0 }], 'points.jsonl line 1: skipped/weights disagree with its layers; the store' + corrupt],
    ['a negative count', [{ ...point(0, 'a'), flashBytes: -1 }], 'points.jsonl line 1: flashBytes is -1, not a count; the store' + corrupt],
  ])('points: %s', (_name, rows, message) => {
    expect(() => checkPointRows('points.jsonl', rows)).toThrow(message);
  });

  it('finals and firmware rows: impossible accuracy, duplicates, unknown kinds', () => {
    expect(() => checkFinalRows('final.jsonl', [{ hash: 'x', correct: 5, images: 4, top1: 1.25 }])).toThrow('final.jsonl line 1: correct 5 of images 4 is impossible');
    expect(() => checkFinalRows('final.jsonl', [{ hash: 'x', correct: 1, images: 4, top1: 0.25 }, { hash: 'x', correct: 1, images: 4, top1: 0.25 }])).toThrow('final.jsonl line 2: hash x is already stored on line 1');
    expect(() => checkFirmwareRows('firmware.jsonl', [{ hash: 'x', kind: 'fast' }])).toThrow('firmware.jsonl line 1: kind "fast" is not timed or too-large');
  });
});

describe('one writer per run directory', () => {
  it('a second lock refuses naming the holder; release frees it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'run-lock-')), 'r');
    const release = lockRunDir(dir);
    const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string };
    expect([holder.pid, holder.host]).toEqual([process.pid, hostname()]);
    expect(() => lockRunDir(dir)).toThrow(UsageError);
    expect(() => lockRunDir(dir)).toThrow(new RegExp(`^run directory \\S+ is in use by sim-dse pid ${process.pid} on ${hostname()} since \\S+; wait for it, or delete \\S+run.lock if no run is active$`));
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockRunDir(dir)();
  });

  it('a lock left by a killed process on this host is taken over', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'run-lock-stale-')), 'r');
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    lockRunDir(dir)();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), since: 'then' }));
    const release = lockRunDir(dir);
    expect((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid).toBe(process.pid);
    release();
  });
});

describe.skipIf(!have)('sim-dse run on a store that is busy or corrupt: one line, non-zero exit, store untouched', () => {
  const out = mkdtempSync(join(tmpdir(), 'cli-store-integrity-'));
  const made = builtCli('run', ...tiny, '--out', out, '--id', 'ok');

  it('the tiny run completes and resumes cleanly (its rows pass the checks)', () => {
    expect(made.code).toBe(0);
    const again = builtCli('run', ...tiny, '--out', out, '--id', 'ok');
    expect(again.code).toBe(0);
    expect(existsSync(join(out, 'ok', LOCK_FILE))).toBe(false);
  });

  it('refuses a run directory held by a live process', () => {
    const dir = join(out, 'busy');
    cpSync(join(out, 'ok'), dir, { recursive: true });
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-12-05T00:00:00.000Z' }));
    const before = files(dir);
    const r = builtCli('run', ...tiny, '--out', out, '--id', 'busy');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sim-dse: run directory ${dir} is in use by sim-dse pid ${process.pid} on ${hostname()} since 2026-12-05T00:00:00.000Z; wait for it, or delete ${join(dir, LOCK_FILE)} if no run is active\n`);
    expect(files(dir)).toEqual(before);
  });

  it.each([
    ['a duplicated row', (t: string) => t + t.split('\n')[0] + '\n', /^sim-dse: points\.jsonl line 10: id 0 where 9 was expected; the store is corrupt/],
    ['a null row', (t: string) => `${t}null\n`, /^sim-dse: points\.jsonl line 10: not an object; the store is corrupt/],
    ['cycles edited to 1', (t: string) => t.replace(/"cycles":\d+,"flashBytes"/, '"cycles":1,"flashBytes"'), /^sim-dse: points\.jsonl line 1: cycles 1 are fewer than its layers' \d+; the store is corrupt/],
  ])('%s', (name, edit, message) => {
    const dir = join(out, name.replace(/ /g, '-'));
    cpSync(join(out, 'ok'), dir, { recursive: true });
    const points = join(dir, 'points.jsonl');
    writeFileSync(points, edit(readFileSync(points, 'utf8')));
    const before = files(dir);
    const r = builtCli('run', ...tiny, '--out', out, '--id', name.replace(/ /g, '-'));
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(files(dir)).toEqual(before);
  });

  it('a config.json of null is named, not an internal error', () => {
    const dir = join(out, 'null-config');
    cpSync(join(out, 'ok'), dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), 'null\n');
    const r = builtCli('show', dir, '--point', '0');
    expect([r.code, r.stderr]).toEqual([1, `sim-dse: ${join(dir, 'config.json')} is not a run configuration (a JSON object)\n`]);
  });

  it('--id must be a name inside --out', () => {
    const r = builtCli('run', ...tiny, '--out', out, '--id', '../../x');
    expect([r.code, r.stderr]).toEqual([2, "sim-dse: --id '../../x' is not a run name (letters, digits, '.', '_' and '-', starting with a letter or digit); use --out to choose where runs go\n"]);
  });
});
