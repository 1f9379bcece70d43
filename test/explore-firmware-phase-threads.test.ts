/**
 * The DSE's whole-firmware phase on worker threads (the built CLI,
 * `--threads 2`: piscina workers each building and emulating firmware)
 * stores the same bytes as on the calling thread (in-process, from the
 * TypeScript sources): the timings are pure functions of the points.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { sharedDir } from '../src/util/paths.js';
import { builtCli, cli } from './helpers/cli.js';

const shared = sharedDir();
const have = compilerVersion() !== null && !!shared && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

/** Two LeNet points (exact and conv_2d#3 at 30 % skipped), both on the front, re-evaluated and timed as whole firmware (conv_2d#1 at 30 % keeps the baseline kernel: the exact point's cycles at lower top-1, off the front). */
const small = ['--model', 'lenet', '--board', 'nucleo-f446re', '--metric', 'magnitude', '--kind', 'fraction', '--layers', '3', '--levels', '0,0.3',
  '--search', 'grid', '--images', '50', '--full-images', '100', '--max-loss', '100', '--no-seed-grid', '--id', 'fw'];

describe.skipIf(!have)('whole-firmware phase', () => {
  test('2 worker threads store the same firmware.jsonl as the calling thread', async () => {
    const threads = mkdtempSync(join(tmpdir(), 'dse-fw-threads-'));
    const r = builtCli('run', ...small, '--threads', '2', '--out', threads);
    expect(r.code, r.stderr).toBe(0);
    const inline = mkdtempSync(join(tmpdir(), 'dse-fw-inline-'));
    const i = await cli(['run', ...small, '--threads', '2', '--out', inline]);
    expect(i.code, i.err).toBe(0);
    const rows = (dir: string) => readFileSync(join(dir, 'fw', 'firmware.jsonl'), 'utf8');
    expect(rows(threads).trim().split('\n').map((l) => JSON.parse(l).kind)).toEqual(['timed', 'timed']);
    expect(rows(threads)).toBe(rows(inline));
  }, 900_000);
});
