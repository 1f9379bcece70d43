/**
 * A local run costs the layer variants that no cache holds on its pool's
 * worker threads (compile, emulate: src/explore/pool/pool-offload.ts), and
 * stores the same bytes as a run that costs them on its own thread: a cold
 * built CLI at `--threads 2` against the in-process run from the sources
 * (inline pool), each with an empty cache. The workers fill the variant
 * index with the same costs; a compensated run's workers compile the
 * refitted layers the run asks for.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { sharedDir } from '../src/util/paths.js';
import { builtCli, cli } from './helpers/cli.js';
import { useTemporaryCache } from './helpers/temp-cache.js';

const shared = sharedDir();
const have = compilerVersion() !== null && !!shared && existsSync(join(shared, 'datasets', 'cifar10', 'test_batch.bin'));

/** LeNet, conv_2d#3 exact and at 30 % skipped, timed on nucleo-f446re. */
const small = ['--model', 'lenet', '--board', 'nucleo-f446re', '--metric', 'magnitude', '--kind', 'fraction', '--layers', '3', '--levels', '0,0.3',
  '--search', 'grid', '--images', '50', '--full-images', '100', '--max-loss', '100', '--no-seed-grid', '--id', 'pv'];

const tmp = useTemporaryCache('sim-dse-pool-variants-');

/** The variant index under `cache`: [file name, content] of every entry, sorted. */
function indexEntries(cache: string): [string, string][] {
  const root = join(cache, 'variant-index');
  return readdirSync(root)
    .flatMap((d) => readdirSync(join(root, d)).map((f): [string, string] => [`${d}/${f}`, readFileSync(join(root, d, f), 'utf8')]))
    .sort((a, b) => a[0].localeCompare(b[0]));
}

describe.skipIf(!have)('layer variants on the pool workers', () => {
  test('a cold run at --threads 2 costs its variants on the workers and stores what the calling thread stores', async () => {
    process.env.SIM_DSE_CACHE = join(tmp, 'workers-cache');
    const a = builtCli('run', ...small, '--threads', '2', '--out', join(tmp, 'a'));
    expect(a.code, a.stderr).toBe(0);
    expect(/layer variants: (\d+) compiled and emulated on the pool's 2 worker threads/.exec(a.stderr)?.[1]).toBe('52');

    process.env.SIM_DSE_CACHE = join(tmp, 'inline-cache');
    const b = await cli(['run', ...small, '--threads', '2', '--out', join(tmp, 'b')]);
    expect(b.code, b.err).toBe(0);
    expect(b.err).not.toContain('layer variants:');

    for (const file of ['points.jsonl', 'reference.json', 'firmware.jsonl']) {
      expect(readFileSync(join(tmp, 'a', 'pv', file), 'utf8'), file).toBe(readFileSync(join(tmp, 'b', 'pv', file), 'utf8'));
    }
    // the same costs (the index's file names differ: they hash the generators' code, .js here and .ts there)
    const workers = indexEntries(join(tmp, 'workers-cache'));
    expect(workers.length).toBe(52);
    expect(workers.map(([, c]) => c).sort()).toEqual(indexEntries(join(tmp, 'inline-cache')).map(([, c]) => c).sort());
  }, 900_000);

  test('a compensated run costs its refitted layers on the workers: a second run on that cache finds every variant in the index', () => {
    // conv_2d#1 at 30 % skipped, refitted: the workers must compile the refitted weights (the run's own requests), else
    // the run's index look-ups for them miss and every run sends them to the workers again
    const compensated = [...small.map((a) => (a === '3' ? '1' : a === 'pv' ? 'pc' : a)), '--compensate', '--threads', '2'];
    process.env.SIM_DSE_CACHE = join(tmp, 'compensated-cache');
    const first = builtCli('run', ...compensated, '--out', join(tmp, 'c1'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/layer variants: \d+ compiled and emulated on the pool's 2 worker threads/);
    const second = builtCli('run', ...compensated, '--out', join(tmp, 'c2'));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('layer variants:');
    expect(readFileSync(join(tmp, 'c2', 'pc', 'points.jsonl'), 'utf8')).toBe(readFileSync(join(tmp, 'c1', 'pc', 'points.jsonl'), 'utf8'));
  }, 900_000);
});
