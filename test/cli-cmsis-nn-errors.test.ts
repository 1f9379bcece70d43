/**
 * `sim-dse profile|build --kernels cmsis-nn` when CMSIS-NN is not usable: a
 * missing folder (option or $SIM_DSE_CMSIS_NN), a folder that is not a
 * CMSIS-NN checkout, a library that does not compile, and an unknown
 * `--kernels` value; `sim-dse run --cmsis-nn` on a missing folder. Each: one line naming the problem, non-zero exit, no
 * stack trace.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { compilerVersion } from '../src/kernels/compile/toolchain.js';
import { cli } from './helpers/cli.js';

const ONE_LINE = /^sim-dse: [^\n]+\n$/;

describe('sim-dse --kernels cmsis-nn: bad input', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('--cmsis-nn naming a folder that does not exist', async () => {
    const r = await cli(['profile', '--model', 'lenet', '--board', 'nucleo-f446re', '--kernels', 'cmsis-nn', '--cmsis-nn', '/nonexistent/CMSIS-NN']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(ONE_LINE);
    expect(r.err).toBe('sim-dse: CMSIS-NN not found: /nonexistent/CMSIS-NN is not a folder (give --cmsis-nn DIR or set SIM_DSE_CMSIS_NN)\n');
  });

  test('$SIM_DSE_CMSIS_NN naming a folder that does not exist', async () => {
    process.env.SIM_DSE_CMSIS_NN = '/nonexistent/env-cmsis';
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'cmsis-nn']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(ONE_LINE);
    expect(r.err).toContain('/nonexistent/env-cmsis is not a folder');
  });

  test('a folder that is not a CMSIS-NN checkout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-dse-cmsis-'));
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'cmsis-nn', '--cmsis-nn', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`sim-dse: CMSIS-NN not found: ${dir} has no Include/arm_nnfunctions.h and Source/ (not a CMSIS-NN checkout)\n`);
  });

  test.skipIf(compilerVersion() === null)('a library that does not compile: the file and the compiler error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-dse-cmsis-'));
    mkdirSync(join(dir, 'Include'));
    mkdirSync(join(dir, 'Source'));
    writeFileSync(join(dir, 'Include', 'arm_nnfunctions.h'), '/* empty */\n');
    writeFileSync(join(dir, 'Source', 'broken_s8.c'), 'int broken(void) { return undeclared_name; }\n');
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'cmsis-nn', '--cmsis-nn', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(ONE_LINE);
    expect(r.err).toMatch(/^sim-dse: CMSIS-NN does not compile: Source\/broken_s8\.c: .*undeclared_name/);
  });

  test('sim-dse run --cmsis-nn naming a folder that does not exist: one line, no run directory written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sim-dse-runs-'));
    const r = await cli(['run', '--model', 'lenet', '--cmsis-nn', '/nonexistent/CMSIS-NN', '--out', out, '--id', 'r']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('sim-dse: CMSIS-NN not found: /nonexistent/CMSIS-NN is not a folder (give --cmsis-nn DIR or set SIM_DSE_CMSIS_NN)\n');
    expect(readdirSync(out)).toEqual([]);
  });

  test('--kernels naming no style lists every style', async () => {
    const r = await cli(['profile', '--model', 'lenet', '--kernels', 'baseline,cmsis']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("sim-dse: --kernels: 'cmsis' is not one of baseline, unpacked, sparse, cmsis-nn\n");
  });
});
