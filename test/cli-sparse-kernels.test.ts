/**
 * `sim-dse build --kernels sparse` and `sim-dse profile --kernels
 * baseline,unpacked,sparse`: the sparse kernels beside the others, the
 * outputs equal the engine, the conv layers' cycles fall under a skip
 * configuration of whole sparse units; a style that does not exist is one
 * line naming the styles.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { randomSparseMask } from '../src/kernels/sparse/units.js';
import { prepareGraph, type PreparedWeighted } from '../src/model/engine/prepare.js';
import { formatSkipConfig } from '../src/model/skip-config.js';
import { cli } from './helpers/cli.js';
import { loadModel } from './helpers/engine-fixtures.js';

const HAVE_CC = compilerVersion() !== null;

describe('sim-dse --kernels', () => {
  test('a style that does not exist: one line naming the three, exit 2', async () => {
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'dense']);
    expect(r.err).toBe("sim-dse: --kernels: 'dense' is not one of baseline, unpacked, sparse, cmsis-nn\n");
    expect(r.code).toBe(2);
    const p = await cli(['profile', '--model', 'lenet', '--kernels', 'baseline,spars']);
    expect(p.err).toBe("sim-dse: --kernels: 'spars' is not one of baseline, unpacked, sparse, cmsis-nn\n");
  });
});

describe.skipIf(!HAVE_CC)('sim-dse build and profile with sparse kernels', () => {
  test('build --kernels sparse fits nucleo-f446re', async () => {
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'sparse', '--json']);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out) as { kernels: string; fits: boolean; layers: number };
    expect(report).toMatchObject({ kernels: 'sparse', fits: true, layers: 7 });
  }, 900_000);

  test('profile shows baseline, unpacked and sparse side by side; 30 % of LeNet conv#3 units skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-dse-sparse-'));
    const graph = loadModel('lenet');
    const op = prepareGraph(graph).ops.find((p) => p.opIndex === 3) as PreparedWeighted;
    const skip = join(dir, 'skip.json');
    writeFileSync(skip, formatSkipConfig(graph, new Map([[3, randomSparseMask(op, 0.3, 4)]])));
    // nucleo-l4r5zi: LeNet's unpacked image (about 1.2 MB) does not fit the F446's 512 KB flash (profile skips it there)
    const r = await cli(['profile', '--model', 'lenet', '--board', 'nucleo-l4r5zi', '--kernels', 'baseline,unpacked,sparse', '--skip', skip, '--json']);
    expect(r.err).toBe('');
    const profiles = JSON.parse(r.out) as Array<{ style: string; matchesEngine: boolean; layers: Array<{ opIndex: number; style: string; cycles: number }> }>;
    expect(profiles.map((p) => p.style)).toEqual(['baseline', 'unpacked', 'sparse']);
    expect(profiles.every((p) => p.matchesEngine)).toBe(true);
    const sparse = profiles[2].layers;
    expect(sparse.filter((l) => l.style === 'sparse').map((l) => l.opIndex)).toEqual([1, 3, 5]);
    const conv3 = (k: number): number => profiles[k].layers.find((l) => l.opIndex === 3)!.cycles;
    // the sparse conv#3 with 30 % of its units skipped, against the exact baseline's on nucleo-l4r5zi
    // (issue 11 asks <= 75 %; the faster exact baseline kernels of issue 13 moved it to 82.4 %, the faster
    // sparse pass of branch h12s to 65.8 %; the baseline's plane path (h12b) left conv#3 on im2col, its code
    // then in flash rather than the SRAM2 window: 2,688 cycles more, 65.7 %)
    expect([conv3(0), conv3(2)]).toEqual([4442863, 2919596]);
    const text = await cli(['profile', '--model', 'lenet', '--board', 'nucleo-f446re', '--kernels', 'baseline,sparse', '--skip', skip]);
    expect(text.out).toMatch(/baseline@nucleo-f446re\s+cycles\/MAC\s+sparse@nucleo-f446re/);
    expect(text.out).toMatch(/output = engine\s+yes\s+yes/);
  }, 900_000);
});
