/**
 * `sim-dse build` on bad input: a skip configuration naming a layer that does
 * not exist or holding a mask of the wrong size, a compiler that fails, an
 * image that does not fit the board. Each: one line, non-zero exit, and the
 * build cache keeps no entry of the failed build.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cli } from './helpers/cli.js';

const MASK_LEN = 27 * 32; // LeNet conv#1: 32 filters of 3x3x3

function skipConfig(dir: string, masks: Record<string, string>): string {
  const path = join(dir, 'skip.json');
  writeFileSync(path, JSON.stringify({ version: 1, model: 'lenet', masks }));
  return path;
}

/** Every file under a folder, recursively. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

describe('sim-dse build: bad input', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-dse-build-'));
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('a skip mask for an operator that does not exist', async () => {
    const r = await cli(['build', '--model', 'lenet', '--skip', skipConfig(dir, { '42': '' })]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sim-dse: .*skip\.json: .*42.*\n$/);
  });

  test('a skip mask of the wrong size', async () => {
    const mask = Buffer.alloc(MASK_LEN - 4).toString('base64');
    const r = await cli(['build', '--model', 'lenet', '--skip', skipConfig(dir, { '1': mask })]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`sim-dse: ${join(dir, 'skip.json')}: mask of operator 1 has ${MASK_LEN - 4} bytes, but the layer has ${MASK_LEN} weights\n`);
  });

  test('a compiler failure: one line naming the unit, nothing cached', async () => {
    const fake = join(dir, 'fake-gcc');
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = --version ]; then echo "fake-gcc 1.0"; exit 0; fi\necho "net.c:1:1: error: simulated compiler failure" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    process.env.SIM_DSE_CC = fake;
    process.env.SIM_DSE_CACHE = join(dir, 'cache');
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'baseline']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sim-dse: compiling [a-z_0-9]+\.c failed: [a-z_0-9]+\.c:1:1: error: simulated compiler failure\n$/);
    expect(files(join(dir, 'cache'))).toEqual([]);
  });

  test('an image that does not fit the board: exit 1, nothing written to --out', async () => {
    const out = join(dir, 'out');
    const r = await cli(['build', '--model', 'lenet', '--board', 'nucleo-f446re', '--out', out]);
    expect(r.code).toBe(1);
    // refused from the size estimate, before compiling anything
    expect(r.err).toMatch(/^sim-dse: lenet \(unpacked kernels\) cannot fit nucleo-f446re \(checked before compiling\): estimated \d+ bytes of flash \(at least \d+ after the estimate's largest measured overshoot\), nucleo-f446re has 524288\n$/);
    expect(existsSync(out)).toBe(false);
  });

  test('a placement that does not fit the SRAM: one line naming the bytes over, nothing written to --out', async () => {
    const out = join(dir, 'placed');
    const place = '1:sram/sram,3:sram/sram,5:sram/sram,7:sram/sram,8:sram/sram,lib:sram';
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'baseline', '--board', 'nucleo-f446re', '--place', place, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sim-dse: placement does not fit nucleo-f446re's SRAM: \d+ bytes over \(needs \d+: .*; has 131072\)\n$/);
    expect(existsSync(out)).toBe(false);
  });

  test('an --out folder that cannot be created (read-only file system): one line, no stack', async () => {
    // /sys refuses new folders even to root, where a chmod 0555 folder would not
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'baseline', '--out', '/sys/sim-dse-out']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sim-dse: cannot create --out folder \/sys\/sim-dse-out \((EPERM|EACCES|EROFS)\)\n$/);
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const f = await cli(['build', '--model', 'lenet', '--kernels', 'baseline', '--out', join(file, 'out')]);
    expect(f.err).toBe(`sim-dse: cannot create --out folder ${join(file, 'out')} (ENOTDIR)\n`);
  });

  test('a cache folder that cannot be created: one line', async () => {
    process.env.SIM_DSE_CACHE = '/sys/sim-dse-cache';
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'baseline']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sim-dse: cannot create cache folder \(SIM_DSE_CACHE\) \/sys\/sim-dse-cache\/\S+ \((EPERM|EACCES|EROFS)\)\n$/);
  });

  test('a bad --place is a usage error', async () => {
    const r = await cli(['build', '--model', 'lenet', '--place', '3:rom']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sim-dse: --place: '3:rom' is not OP:CODE\[\/DATA\]/);
  });

  test('an unknown kernel style is a usage error', async () => {
    const r = await cli(['build', '--model', 'lenet', '--kernels', 'fast']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("sim-dse: --kernels: 'fast' is not one of baseline, unpacked, sparse, cmsis-nn\n");
  });
});
